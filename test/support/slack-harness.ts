import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { createCatalogService, type CatalogService } from '../../src/catalog/catalog-service.js';
import type { Config, SlackConfig } from '../../src/config/config-schema.js';
import type { SlashCommand } from '../../src/slack/commands/registry.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Database } from '../../src/db/client.js';
import type { Logger } from '../../src/logger.js';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/slack-app.js';
import { createScaffolderService, type ScaffolderService } from '../../src/scaffolder/scaffolder-service.js';
import { createDocsService, type DocsService } from '../../src/docs/docs-service.js';
import type { ClusterSettings } from '../../src/kubernetes/cluster-config.js';
import { createHealthService } from '../../src/kubernetes/health-service.js';
import { BUILT_IN_COLLECTORS } from '../../src/scorecards/collectors/built-in.js';
import { loadScorecards } from '../../src/scorecards/scorecard-library.js';
import { createScorecardService, type ScorecardService } from '../../src/scorecards/scorecard-service.js';
import { captureLogger } from './capture-logger.js';
import type { OnCallService } from '../../src/oncall/oncall-service.js';
import type { CardSectionExtension } from '../../src/plugins/plugin-api.js';
import { FakeSlack, slackSignature, type RecordedCall } from './fake-slack.js';
import { createTestDatabase, type Engine } from './test-database.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-token';
/** The Slack settings a configuration without any gets. */
export const DEFAULT_SLACK: SlackConfig = loadConfig({ files: [], env: {} }).callboard.slack;

/** A catalog entity as written in catalog-info.yaml, without the apiVersion every test would repeat. */
export interface EntityDocument {
  kind: string;
  metadata: { name: string } & Record<string, unknown>;
  spec?: Record<string, unknown>;
}

/** The YAML of a catalog-info.yaml holding `entities`, one document each. */
export function catalogInfoYaml(entities: EntityDocument[]): string {
  return entities.map((entity) => yaml.dump({ apiVersion: 'backstage.io/v1alpha1', ...entity })).join('---\n');
}

/** A catalog refreshed into a fresh database, for tests that start the Slack app themselves. */
export interface TestCatalog {
  catalog: CatalogService;
  database: Database;
  /** Captures log lines; pass it to the app too so its lines land in `logLines`. */
  logger: Logger;
  logLines: Record<string, unknown>[];
  /** The scaffolder over this catalog; publish:local creates repositories under `repositories`. */
  scaffolder: ScaffolderService;
  repositories: string;
  /** The folder holding catalog-info.yaml: rewrite it and refresh `catalog` from `location` to change the catalog. */
  folder: string;
  location: { key: string; type: 'file'; target: string };
  /** The docs beside the catalog file (see `files`), read once the catalog is. */
  docs: DocsService;
  /** Waits for the catalog to settle, then drops the database and the catalog's folder. */
  stop(): Promise<void>;
}

/** Refreshes `catalogYaml`, as the one catalog-info.yaml of a temporary folder, into a fresh database on `engine`. */
export async function createTestCatalog(engine: Engine, catalogYaml: string, config: Partial<Config> = {}, files: Record<string, string> = {}): Promise<TestCatalog> {
  const database = await createTestDatabase(engine);
  const folder = mkdtempSync(path.join(tmpdir(), 'callboard-catalog-'));
  writeFileSync(path.join(folder, 'catalog-info.yaml'), catalogYaml);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), content);
  }
  const captured = captureLogger();
  const catalog = createCatalogService({ database, config: { ...loadConfig({ files: [], env: {} }), ...config }, github: () => undefined, logger: captured.logger });
  const repositories = path.join(folder, 'repositories');
  const scaffolder = createScaffolderService({ db: database.db, catalog, localRepositories: repositories, publishesLocally: () => true });
  const stop = async () => {
    await catalog.whenIdle();
    await database.close();
    rmSync(folder, { recursive: true, force: true });
  };
  const docs = createDocsService({ catalog });
  const location = { key: `file:${folder}`, type: 'file' as const, target: folder };
  try {
    await catalog.refresh([location]);
    await docs.refresh();
  } catch (error) {
    await stop();
    throw error;
  }
  return { catalog, database, logger: captured.logger, logLines: captured.lines, scaffolder, repositories, folder, location, docs, stop };
}

export interface SlackHarnessOptions {
  /** The catalog, as the YAML of one catalog-info.yaml file (catalogInfoYaml writes it from entities). */
  catalogYaml: string;
  /** Config on top of the defaults (app.baseUrl, opsgenie.domain, ...). */
  config?: Partial<Config>;
  /** Set up the loopback Slack before the app starts (users it knows, failures to give). */
  prepare?: (slack: FakeSlack) => void;
  /** Slack settings on top of the defaults (a short Web API timeout, say). */
  slack?: Partial<SlackConfig>;
  /** The slash commands the app answers instead of the built-in ones. */
  commands?: SlashCommand[];
  /** Files beside catalog-info.yaml (docs sites: mkdocs.yml, docs/index.md...). */
  files?: Record<string, string>;
  /** The clusters /health asks (none by default). */
  clusters?: ClusterSettings[];
  /** Who is on call, made over the harness's catalog; and the ownership card's sections. */
  oncall?: (catalog: CatalogService) => OnCallService;
  cardSections?: CardSectionExtension[];
  broadcastChannel?: string;
}

/**
 * The Slack app in HTTP mode on a real database, a loopback Slack for its Web API and
 * response_urls, and helpers that send what Slack sends, correctly signed.
 */
export interface SlackHarness {
  slack: FakeSlack;
  catalog: CatalogService;
  /** The app's database, for tests that get in its way. */
  database: Database;
  scaffolder: ScaffolderService;
  /** The scorecards the app answers from (no GitHub: those checks are unknown). */
  scorecards: ScorecardService;
  /** Where publish:local creates repositories. */
  repositories: string;
  /** The app's base URL. */
  appUrl: string;
  /** The loopback Slack's Web API base URL, for clients of a test's own. */
  apiUrl: string;
  /** The catalog's folder and location, to change the catalog under the app. */
  folder: string;
  location: TestCatalog['location'];
  logLines: Record<string, unknown>[];
  /** POSTs a body to /slack/events, signed with SIGNING_SECRET; given `headers` are sent instead of that signature. */
  post(body: string, options?: { contentType?: string; headers?: Record<string, string> }): Promise<Response>;
  /**
   * A slash command's form body as Slack sends it. Its trigger_id is fresh unless `fields` sets one,
   * and its response_url is responseUrl(trigger_id), so the same trigger_id gives the same body.
   */
  commandBody(command: string, text: string, fields?: Record<string, string>): string;
  /** Posts commandBody(command, text, fields), signed. */
  slashCommand(command: string, text: string, fields?: Record<string, string>): Promise<Response>;
  /** An interaction payload (block_actions, shortcut, view_submission...), form-encoded as Slack sends it. */
  interaction(payload: Record<string, unknown>): Promise<Response>;
  /** An Events API callback wrapping `event`; the same eventId with retryNum is Slack's retry. */
  event(event: Record<string, unknown>, options?: { eventId?: string; retryNum?: number }): Promise<Response>;
  /** A response_url on the loopback Slack, unique to this name. */
  responseUrl(name: string): string;
  /** Another app on the same database and loopback Slack, with a scaffolder of its own: a second replica, or the app after a restart. Stop it yourself. */
  replica(): Promise<RunningSlackApp>;
  /** Waits until `count` messages were posted to responseUrl(name), and returns them all. */
  responses(name: string, count?: number): Promise<RecordedCall[]>;
  stop(): Promise<void>;
}

export async function startSlackHarness(engine: Engine, options: SlackHarnessOptions): Promise<SlackHarness> {
  const { catalog, database, logger, logLines, scaffolder, repositories, folder, location, docs, stop: stopCatalog } = await createTestCatalog(engine, options.catalogYaml, options.config, options.files);
  const slack = new FakeSlack();
  const slackUrl = await slack.start();
  options.prepare?.(slack);
  const scorecards = createScorecardService({ db: database.db, catalog, library: loadScorecards({ folders: [], collectors: BUILT_IN_COLLECTORS }), collectors: BUILT_IN_COLLECTORS, nudges: loadConfig({ files: [], env: {} }).callboard.scorecards.nudges });
  const startApp = (appScaffolder: ScaffolderService) =>
    startSlackApp({
      slack: { ...DEFAULT_SLACK, port: 0, ...options.slack, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: `${slackUrl}/api/` },
      catalog,
      db: database.db,
      logger,
      scaffolder: appScaffolder,
      docs,
      health: createHealthService({ catalog, clusters: options.clusters ?? [], timeoutMs: 1_000 }),
      scorecards,
      ...(options.oncall ? { oncall: options.oncall(catalog) } : {}),
      ...(options.cardSections ? { cardSections: options.cardSections } : {}),
      ...(options.broadcastChannel ? { broadcastChannel: options.broadcastChannel } : {}),
      ...(options.commands ? { commands: options.commands } : {}),
    });
  let app: RunningSlackApp;
  try {
    app = await startApp(scaffolder);
  } catch (error) {
    await slack.stop();
    await stopCatalog();
    throw error;
  }
  const appUrl = `http://127.0.0.1:${app.port}`;
  const post: SlackHarness['post'] = (body, { contentType = 'application/x-www-form-urlencoded', headers } = {}) =>
    fetch(`${appUrl}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...(headers ?? slackSignature(SIGNING_SECRET, body)) }, body });
  const responsePath = (name: string) => `/response/${name}`;
  const responseUrl = (name: string) => `${slackUrl}${responsePath(name)}`;
  const commandBody: SlackHarness['commandBody'] = (command, text, { trigger_id = `trigger-${randomUUID()}`, ...fields } = {}) =>
    new URLSearchParams({ token: 'legacy', team_id: 'T0001', channel_id: 'C0001', user_id: 'U0001', command, text, response_url: responseUrl(trigger_id), trigger_id, ...fields }).toString();
  return {
    slack,
    catalog,
    database,
    scaffolder,
    scorecards,
    repositories,
    appUrl,
    apiUrl: `${slackUrl}/api/`,
    folder,
    location,
    logLines,
    post,
    commandBody,
    responseUrl,
    responses: (name, count = 1) => slack.next(responsePath(name), count),
    replica: () => startApp(createScaffolderService({ db: database.db, catalog, localRepositories: repositories, publishesLocally: () => true })),
    slashCommand: (command, text, fields) => post(commandBody(command, text, fields)),
    interaction: (payload) => post(new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T0001' }, user: { id: 'U0001' }, trigger_id: `trigger-${randomUUID()}`, ...payload }) }).toString()),
    event: (event, { eventId = `Ev${randomUUID()}`, retryNum } = {}) => {
      const body = JSON.stringify({ type: 'event_callback', team_id: 'T0001', api_app_id: 'A0001', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event });
      const retry: Record<string, string> = retryNum === undefined ? {} : { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' };
      return post(body, { contentType: 'application/json', headers: { ...slackSignature(SIGNING_SECRET, body), ...retry } });
    },
    stop: async () => {
      await app.stop();
      await slack.stop();
      await stopCatalog();
    },
  };
}
