import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { Ajv } from 'ajv';
import cron from 'node-cron';
import { isTimeZone } from '../time-zone.js';
import { ajvMessage, fieldPath } from './field-path.js';
import { ConfigError, errorMessage } from '../errors.js';
import { configSchema, type Config, type GithubIntegrationConfig } from './config-schema.js';

export type Env = Record<string, string | undefined>;

export interface LoadConfigOptions {
  /** Config files in order; later files override earlier ones. Falls back to CALLBOARD_CONFIG. */
  files?: string[];
  env?: Env;
  /** Folder relative paths in defaults resolve against (the working directory by default). */
  cwd?: string;
  /** What the command about to run also needs of the config (the Slack settings, say), reported with every other problem. */
  require?: (config: Config) => string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Reads the config files, substitutes `${VAR}` from the environment, merges them, applies the
 * usual environment variables on top and validates the result. Every problem found is reported
 * together in one ConfigError.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const files = options.files?.length ? options.files : splitConfigList(env.CALLBOARD_CONFIG);
  const problems: string[] = [];

  let merged: { [key: string]: Json } = {};
  for (const file of files) {
    const document = readConfigFile(path.resolve(cwd, file), problems);
    if (document) merged = mergeConfig(merged, substituteEnv(document, env, file, problems, '')) as typeof merged;
  }

  const config = withEnvironment(withDefaults(merged, cwd), env, problems);
  const validate = new Ajv({ allErrors: true, strict: false }).compile(configSchema);
  if (!validate(config)) {
    for (const error of validate.errors ?? []) {
      problems.push(`${error.instancePath ? fieldPath(error.instancePath) : '(top level)'}: ${ajvMessage(error)}`);
    }
  }
  else problems.push(...scheduleProblems(config as unknown as Config));
  problems.push(...(options.require?.(config as unknown as Config) ?? []));
  if (problems.length > 0) throw new ConfigError(problems);
  return config as unknown as Config;
}

function splitConfigList(value: string | undefined): string[] {
  return value ? value.split(path.delimiter).filter(Boolean) : [];
}

function readConfigFile(file: string, problems: string[]): { [key: string]: Json } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${file}: cannot read the config file (${errorMessage(error)}); check the --config path or CALLBOARD_CONFIG`);
    return undefined;
  }
  try {
    const document = yaml.load(text, { filename: file });
    if (document === undefined || document === null) return {};
    if (typeof document !== 'object' || Array.isArray(document)) {
      problems.push(`${file}: the config file must hold a YAML mapping at the top level`);
      return undefined;
    }
    return document as { [key: string]: Json };
  } catch (error) {
    problems.push(`${file}: ${errorMessage(error)}`);
    return undefined;
  }
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\$\{/g;

function substituteEnv(value: Json, env: Env, file: string, problems: string[], at: string): Json {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (match, name: string | undefined) => {
      if (name === undefined) return '${';
      const replacement = env[name];
      if (replacement === undefined) {
        problems.push(`${file}: ${at || '(top level)'} uses \${${name}} but the environment variable ${name} is not set`);
        return '';
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, file, problems, `${at}[${index}]`));
  if (value && typeof value === 'object') {
    const result: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = substituteEnv(item, env, file, problems, at ? `${at}.${key}` : key);
    }
    return result;
  }
  return value;
}

/** Later files win; mappings merge key by key, lists and scalars are replaced whole (as in Backstage). */
export function mergeConfig(base: Json, override: Json): Json {
  if (isMapping(base) && isMapping(override)) {
    const result: { [key: string]: Json } = { ...base };
    for (const [key, value] of Object.entries(override)) {
      result[key] = key in base ? mergeConfig(base[key] as Json, value) : value;
    }
    return result;
  }
  return override;
}

/** Cron expressions and time zones that JSON Schema cannot check. */
function scheduleProblems(config: Config): string[] {
  const { evaluateSchedule, timezone, nudges } = config.callboard.scorecards;
  const problems: string[] = [];
  for (const [field, schedule] of [['evaluateSchedule', evaluateSchedule], ['nudges.schedule', nudges.schedule]] as const) {
    if (!cron.validate(schedule)) problems.push(`callboard.scorecards.${field}: "${schedule}" is not a cron expression (e.g. "0 * * * *", every hour)`);
  }
  const zones: [string, string][] = [['timezone', timezone], ...Object.entries(nudges.timezones).map(([group, zone]): [string, string] => [`nudges.timezones.${group}`, zone])];
  for (const [field, zone] of zones) {
    if (!isTimeZone(zone)) problems.push(`callboard.scorecards.${field}: "${zone}" is not a time zone (e.g. Europe/Berlin, UTC)`);
  }
  return problems;
}

function isMapping(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withDefaults(config: { [key: string]: Json }, cwd: string): { [key: string]: Json } {
  const defaults: Json = {
    catalog: { locations: [] },
    integrations: { github: [] },
    callboard: {
      database: { dataDir: path.join(cwd, '.callboard', 'data'), statementTimeoutMs: 15_000, poolSize: 10 },
      catalog: { refreshIntervalMinutes: 30, maxFileBytes: 1_048_576 },
      scaffolder: { localRepositories: path.join(cwd, '.callboard', 'repositories'), publisher: 'auto', approvals: [] },
      scorecards: {
        paths: [],
        evaluateSchedule: '0 * * * *',
        timezone: 'UTC',
        nudges: { schedule: '0 * * * 1-5', intervalDays: 7, workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }, timezones: {} },
      },
      plugins: [],
      log: { level: 'info' },
      slack: { port: 3000, webApiTimeoutMs: 10_000, webApiRetries: 2 },
    },
  };
  return mergeConfig(defaults, config) as { [key: string]: Json };
}

/** The usual environment variables work without any file, and win over it. */
function withEnvironment(config: { [key: string]: Json }, env: Env, problems: string[]): { [key: string]: Json } {
  const overrides: { [key: string]: Json } = {};
  const database: { [key: string]: Json } = {};
  if (env.DATABASE_URL) database.url = env.DATABASE_URL;
  if (env.CALLBOARD_DATA_DIR) database.dataDir = path.resolve(env.CALLBOARD_DATA_DIR);
  const callboard: { [key: string]: Json } = { database };
  if (env.LOG_LEVEL) callboard.log = { level: env.LOG_LEVEL };
  const slack: { [key: string]: Json } = {};
  if (env.SLACK_BOT_TOKEN) slack.botToken = env.SLACK_BOT_TOKEN;
  if (env.SLACK_SIGNING_SECRET) slack.signingSecret = env.SLACK_SIGNING_SECRET;
  if (env.SLACK_APP_TOKEN) slack.appToken = env.SLACK_APP_TOKEN;
  if (env.SLACK_API_URL) slack.apiUrl = env.SLACK_API_URL;
  if (env.PORT) {
    if (/^\d+$/.test(env.PORT)) slack.port = Number(env.PORT);
    else problems.push(`PORT: "${env.PORT}" is not a port number (e.g. 3000)`);
  }
  callboard.slack = slack;
  overrides.callboard = callboard;

  let result = mergeConfig(config, overrides) as { [key: string]: Json };
  if (env.GITHUB_TOKEN || env.GITHUB_API_URL) {
    result = { ...result, integrations: { ...(result.integrations as object), github: githubFromEnv(result, env, problems) } };
  }
  return result;
}

function githubFromEnv(config: { [key: string]: Json }, env: Env, problems: string[]): Json {
  const configured = ((config.integrations as { github?: Json[] } | undefined)?.github ?? []) as unknown as GithubIntegrationConfig[];
  let host = 'github.com';
  if (env.GITHUB_API_URL) {
    try {
      const url = new URL(env.GITHUB_API_URL);
      // GitHub Enterprise Server serves its API under /api/v3 on the same host as its web pages.
      if (url.pathname.replace(/\/+$/, '').endsWith('/api/v3')) host = url.host;
    } catch {
      problems.push(`GITHUB_API_URL: "${env.GITHUB_API_URL}" is not a URL (e.g. https://ghe.example.com/api/v3)`);
    }
  }
  const entry: GithubIntegrationConfig = { ...(configured.find((item) => item.host === host) ?? { host }) };
  if (env.GITHUB_API_URL) entry.apiBaseUrl = env.GITHUB_API_URL.replace(/\/+$/, '');
  if (env.GITHUB_TOKEN) entry.token = env.GITHUB_TOKEN;
  return [...configured.filter((item) => item.host !== host), entry] as unknown as Json;
}
