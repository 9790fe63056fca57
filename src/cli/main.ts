#!/usr/bin/env node
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppContext, githubClientsFromConfig, loadConfiguredPlugins, type AppContext, type AppContextOverrides } from '../app-context.js';
import { ingestLocations, type RootLocation } from '../catalog/ingestion/ingest-locations.js';
import { loadConfig } from '../config/load-config.js';
import type { Config, SlackConfig } from '../config/config-schema.js';
import { normalizeEntityRef } from '../catalog/model/entity-ref.js';
import { ConfigError, errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import { tuneHeapForService } from '../service-heap.js';
import { runConsole } from './console.js';
import { slackSettingsProblems } from '../slack/settings.js';
import { manifestYaml, PLACEHOLDER_UNFURL_DOMAIN, slackManifest } from '../slack/manifest.js';
import { BUILT_IN_SURFACES } from '../slack/surfaces/built-in.js';
import type { TemplateDefinition } from '../scaffolder/template-definition.js';
import { RunRefusedError, runningUser } from '../scaffolder/template-access.js';
import { jobRunner, type JobRunner } from '../jobs/scheduled-job.js';
import { nudgeJob } from '../scorecards/nudge-job.js';
import type { NudgeRunReport, NudgeSender } from '../scorecards/nudge-run.js';
import { findTemplate, loadTemplateFile } from '../scaffolder/template-library.js';
import type { FinishedRun } from '../scaffolder/scaffolder-service.js';
import { formatDocs, formatFind, formatHealth, formatProblems, formatRefresh, formatNudgePlan, formatNudgeReport, formatOnCall, formatPlugins, formatScorecard, formatTeamScorecard, formatTemplateRun, formatTemplates, formatWhoOwns } from './format.js';

export const EXAMPLE_CATALOG = fileURLToPath(new URL('../../examples', import.meta.url));

const USAGE = `Usage: callboard <command> [options]

Commands:
  start [--no-console]       refresh the catalog, then run the Slack app if any Slack setting is given,
                             else answer questions in a local console (/create-service runs templates
                             there: --as USER says who you are, --out DIR where publish:local creates
                             repositories); with --no-console keep refreshing on schedule until
                             stopped (containers)
  serve [--catalog PATH]     refresh the catalog, then run the Slack app (never the console): Socket
                             Mode with SLACK_APP_TOKEN, else HTTP on PORT (/slack/events); /healthz
                             and /readyz on PORT either way
  whoowns QUERY              who owns an entity (name, ref or title); a team or person: what it owns
  find TEXT                  search, with filters such as kind:api owner:maps-team tag:go type:service
  health ENTITY              the entity's workloads in every configured Kubernetes cluster: ready
                             replicas, images, failing pods, and an overall status
  oncall ENTITY              who is on call for the entity now and next, from the on-call plugins
                             (PagerDuty, Opsgenie) listed under callboard.plugins
  scorecard ENTITY           the entity's scorecards: each check passing, failing or unknown, with how
                             to fix it, and the level reached
  scorecard --team GROUP     each entity the group owns: its level and failing checks
  scorecard --evaluate       score every entity now and store the results with what changed since
  nudge --dry-run [--now ISO-8601]
                             what a nudge run at that time would send to whom (failing checks per owning
                             team, regressions first), and which teams it would skip and why; sends nothing
  plugins list               the plugins loaded (built-in and callboard.plugins), what each adds, and
                             why any failed to load
  nudge                      send the nudges due now through Slack (SLACK_BOT_TOKEN), as the schedule
                             does: one replica at a time, each message recorded before it is sent
  docs QUERY                 an entity's docs (links and contents, from its TechDocs site), or the
                             docs sections that best answer a question such as "rotate api keys"
  catalog validate PATH...   check catalog files or folders; prints file:line: ref: message, exits 1 on problems
  catalog ingest             refresh the configured locations into the database
  catalog problems           the problems found by the last refresh
  template list              the software templates on offer: the catalog's Template entities and
                             the ones in templates/
  template run NAME_OR_PATH --values FILE [--dry-run] [--out DIR] [--as USER]
                             run a template (by name, ref or template.yaml path) with the values of
                             a JSON or YAML file; --dry-run runs only what writes to its workspace;
                             publish:local creates repositories under --out; --as runs it as that
                             catalog user (user.ref, and the template's allowed groups apply)
  template runs --as USER    that person's recent template runs (--limit N)
  template cancel RUN_ID --as USER
                             cancel a run of theirs that is still open or processing
  template approve RUN_ID --as USER [--reason TEXT] | template reject RUN_ID --as USER --reason TEXT
                             decide on a run waiting for approval, as a member of the approving
                             group; an approved run then runs in this process
  manifest                   the Slack app manifest for the registered commands and surfaces, with
                             app.baseUrl's host as the unfurl domain; --request-url
                             https://<host>/slack/events makes it HTTP mode instead of Socket Mode

Options:
  --config FILE    app-config.yaml style file (repeatable; later files win). Default: $CALLBOARD_CONFIG
  --catalog PATH   use this catalog file or folder in a throw-away database instead of the configured one
  --scorecards DIR folder of scorecard files, beside callboard.scorecards.paths (repeatable)
  --json           print the answer as JSON (and nothing else on stdout)
  --limit N        results per page for find (default 10)
  --offset N       skip the first N results of find
  -h, --help       this help`;

interface CliOptions {
  /** start without the console: keep refreshing until SIGTERM or SIGINT (containers, services). */
  noConsole: boolean;
  /** manifest: HTTP mode's request URL. */
  requestUrl?: string;
  /** template run: the file of values, and whether to run only what writes to the workspace. */
  values?: string;
  dryRun: boolean;
  /** template run: the folder publish:local creates repositories under. */
  out?: string;
  /** template list and run: the catalog ref of the person to list or run for (their groups decide). */
  as?: string;
  /** template approve and reject: why, for the requester. */
  reason?: string;
  config: string[];
  catalog: string[];
  /** Folders of scorecard files, beside callboard.scorecards.paths. */
  scorecards: string[];
  /** scorecard: the group whose entities to list. */
  team?: string;
  /** scorecard: evaluate every entity now and store the results. */
  evaluate: boolean;
  /** nudge --dry-run: the time the run is planned for. */
  now?: string;
  json: boolean;
  limit?: number;
  offset?: number;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', multiple: true, default: [] },
        catalog: { type: 'string', multiple: true, default: [] },
        scorecards: { type: 'string', multiple: true, default: [] },
        team: { type: 'string' },
        evaluate: { type: 'boolean', default: false },
        now: { type: 'string' },
        json: { type: 'boolean', default: false },
        limit: { type: 'string' },
        offset: { type: 'string' },
        'no-console': { type: 'boolean', default: false },
        'request-url': { type: 'string' },
        values: { type: 'string' },
        out: { type: 'string' },
        as: { type: 'string' },
        reason: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`callboard: ${errorMessage(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const options: CliOptions = {
    noConsole: values['no-console'],
    requestUrl: values['request-url'],
    values: values.values,
    out: values.out,
    as: values.as,
    reason: values.reason,
    dryRun: values['dry-run'],
    config: values.config,
    catalog: values.catalog,
    scorecards: values.scorecards,
    team: values.team,
    evaluate: values.evaluate,
    now: values.now,
    json: values.json,
    limit: countOption(values.limit, 1),
    offset: countOption(values.offset, 0),
  };
  if (Number.isNaN(options.limit) || Number.isNaN(options.offset)) {
    process.stderr.write('callboard: --limit takes a whole number from 1, --offset a whole number from 0\n');
    return 2;
  }
  try {
    // start and serve also need complete Slack settings when they run the app: reported with the rest.
    const config = loadConfig({
      files: options.config,
      require: (loaded) => {
        // The config may not have passed validation yet: read the Slack settings defensively.
        const slack = loaded.callboard?.slack;
        const settings = (slack !== null && typeof slack === 'object' ? slack : {}) as SlackConfig;
        return runsSlackApp(command, settings) ? slackSettingsProblems(settings) : [];
      },
    });
    switch (command) {
      case 'start':
      case 'serve':
        return await start(config, options, command);
      case 'whoowns':
        return await withCatalog(config, options, (context) => {
          const answer = context.catalog.whoOwns(requireText(rest, 'whoowns QUERY'));
          print(options, answer, formatWhoOwns(answer));
          return answer.match ? 0 : 1;
        });
      case 'find':
        return await withCatalog(config, options, (context) => {
          const answer = context.catalog.find(rest.join(' '), { limit: options.limit, offset: options.offset });
          print(options, answer, formatFind(answer));
          return 0;
        });
      case 'docs':
        return await withCatalog(config, options, async (context) => {
          const query = requireText(rest, 'docs QUERY');
          await context.docs.refresh();
          const answer = context.docs.answer(query, options.limit);
          print(options, answer, formatDocs(answer));
          return answer.entity || answer.sections.length > 0 ? 0 : 1;
        });
      case 'health':
        return await withCatalog(config, options, async (context) => {
          const answer = await context.health.health(requireText(rest, 'health ENTITY'));
          print(options, answer, formatHealth(answer));
          return answer.entity ? 0 : 1;
        });
      case 'oncall':
        return await withCatalog(config, options, async (context) => {
          const report = await context.oncall.oncall(requireText(rest, 'oncall ENTITY'));
          // With a bot token, each person's Slack user, found by email as Slack answers do.
          const slackUsers = config.callboard.slack.botToken ? await (await import('../slack/people-from-config.js')).slackUsersByEmail(config.callboard.slack, context.logger, report.providers.flatMap((answer) => answer.oncall.flatMap((who) => (who.email ? [who.email] : [])))) : {};
          const slackUserOf = (email: string | undefined) => (email ? slackUsers[email.trim().toLowerCase()] : undefined);
          const providers = report.providers.map((answer) => ({ ...answer, oncall: answer.oncall.map((who) => ({ ...who, ...(slackUserOf(who.email) ? { slackUser: slackUserOf(who.email) } : {}) })) }));
          print(options, { entity: report.entity, providers, reasons: report.reasons }, formatOnCall(report));
          return report.entity ? 0 : 1;
        });
      case 'scorecard':
        return await withCatalog(config, options, async (context) => {
          if (options.evaluate) {
            const recorded = await context.scorecards.evaluateAndRecord();
            print(options, recorded, `${recorded.scored} entities scored; ${recorded.changed} results changed, ${recorded.transitions} checks changed status (${recorded.regressions} regressions), ${recorded.removed} results removed.`);
            return 0;
          }
          if (options.team) {
            const answer = await context.scorecards.team(options.team);
            print(options, answer, formatTeamScorecard(answer));
            return answer.team ? 0 : 1;
          }
          const answer = await context.scorecards.entity(requireText(rest, 'scorecard ENTITY | scorecard --team GROUP | scorecard --evaluate'));
          print(options, answer, formatScorecard(answer));
          return answer.entity ? 0 : 1;
        });
      case 'nudge': {
        const at = options.now === undefined ? new Date() : new Date(options.now);
        if (Number.isNaN(at.getTime())) throw new ConfigError([`--now: "${options.now}" is not an ISO-8601 time (e.g. 2026-12-01T10:00:00+01:00)`]);
        if (!options.dryRun && options.now !== undefined) throw new ConfigError(['--now: only a dry run can be planned for another time; a real run sends now']);
        if (!options.dryRun && !config.callboard.slack.botToken) throw new ConfigError(['nudges are sent through Slack: set SLACK_BOT_TOKEN (or callboard.slack.botToken), or use --dry-run to see what would be sent']);
        // A real run nudges about the catalog the replicas serve; another one would be written over it.
        if (!options.dryRun && options.catalog.length > 0) throw new ConfigError(['--catalog: a real nudge run sends about the stored catalog (catalog.locations, refreshed by callboard start or catalog ingest); --catalog is for --dry-run']);
        if (options.dryRun) {
          return await withCatalog(config, options, async (context) => {
            // Slack is only asked (time zones), never sent to.
            const sender = await nudgeSenderOf(context);
            await sender?.prepare?.();
            const plan = await context.scorecards.planNudges(at, sender?.timezoneOf ? { timezoneOf: sender.timezoneOf } : {});
            print(options, plan, formatNudgePlan(plan));
            return 0;
          });
        }
        return await withCatalog(config, options, async (context) => {
          let report: NudgeRunReport | undefined;
          // The bot token was checked above: there is a sender.
          const runner = nudgeRunner(context, (await nudgeSenderOf(context))!, (done) => (report = done));
          const outcome = await runner.runFor(new Date(Math.floor(Date.now() / 1000) * 1000));
          await runner.stop();
          if (!report) {
            const why = outcome === 'busy' ? 'another replica is sending nudges right now; try again when it is done' : outcome === 'already-ran' ? 'a run for this second has already happened' : 'the run failed (see the log above)';
            process.stderr.write(`callboard: no nudges sent: ${why}\n`);
            return 1;
          }
          print(options, report, formatNudgeReport(report));
          return report.pending.length > 0 ? 1 : 0;
        });
      }
      case 'manifest': {
        const host = config.app?.baseUrl ? new URL(config.app.baseUrl).host : undefined;
        if (!host) process.stderr.write(`callboard: app.baseUrl is not configured; unfurl_domains holds ${PLACEHOLDER_UNFURL_DOMAIN}, to be replaced with your Backstage host\n`);
        const requestUrl = options.requestUrl;
        if (requestUrl !== undefined && !/^https:\/\/[^/]+\/.*slack\/events$/.test(requestUrl)) throw new ConfigError(['--request-url: Slack needs an https URL ending in /slack/events, e.g. https://callboard.example.com/slack/events']);
        const { extensions } = await loadConfiguredPlugins(config, quietLogger(config));
        const manifest = slackManifest(extensions.commands, BUILT_IN_SURFACES, { unfurlDomains: host ? [host] : [], requestUrl });
        process.stdout.write(options.json ? `${JSON.stringify(manifest, null, 2)}\n` : manifestYaml(manifest));
        return 0;
      }
      case 'plugins': {
        if (rest[0] !== 'list') throw new ConfigError(['usage: callboard plugins list [--json]']);
        const { plugins } = await loadConfiguredPlugins(config, quietLogger(config));
        print(options, { plugins }, formatPlugins(plugins));
        return plugins.some((plugin) => plugin.status === 'failed') ? 1 : 0;
      }
      case 'catalog':
        return await catalogCommand(config, options, rest);
      case 'template':
        return await templateCommand(config, options, rest);
      default:
        process.stderr.write(`callboard: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`callboard: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`callboard: ${errorMessage(error)}\n`);
    return 1;
  }
}

function contextOverrides(options: CliOptions): AppContextOverrides {
  return {
    ephemeralDatabase: options.catalog.length > 0,
    localRepositories: options.out,
    scorecardFolders: options.scorecards,
    ...(options.config.length > 0 ? { configSource: options.config.join(', ') } : {}),
  };
}

/** A whole-number option; NaN when it is given but not a whole number of at least `minimum`. */
function countOption(value: string | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) && Number(value) >= minimum ? Number(value) : Number.NaN;
}

function requireText(words: string[], usage: string): string {
  const text = words.join(' ').trim();
  if (!text) throw new Error(`usage: callboard ${usage}`);
  return text;
}

function print(options: CliOptions, answer: unknown, text: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(answer, null, 2)}\n` : `${text}\n`);
}

async function catalogCommand(config: Config, options: CliOptions, args: string[]): Promise<number> {
  const [verb, ...paths] = args;
  if (verb === 'validate') return validate(config, options, paths.length > 0 ? paths : options.catalog);
  if (verb === 'ingest') {
    if (options.catalog.length === 0 && config.catalog.locations.length === 0 && !config.catalog.providers?.github) {
      // A complete refresh of nothing would empty the catalog.
      throw new Error('nothing to ingest: configure catalog.locations or catalog.providers.github (--config), or pass --catalog PATH');
    }
    return withContext(config, options, async (context) => {
      if (!options.json && process.stderr.isTTY) process.stderr.write('Refreshing the catalog...\n');
      const report = await context.catalog.refresh(options.catalog.length > 0 ? catalogRoots(options.catalog) : undefined);
      print(options, { ...report, changedRefs: undefined, removedRefs: undefined }, formatRefresh(report));
      return 0;
    });
  }
  if (verb === 'problems') {
    return withCatalog(config, options, async (context) => {
      // Docs problems are warnings on their entities, read now as a refresh would.
      await context.docs.refresh();
      const problems = [...(await context.catalog.problems()), ...context.docs.problems()];
      print(options, { problems }, problems.length > 0 ? formatProblems(problems) : 'No problems.');
      return 0;
    });
  }
  throw new Error('usage: callboard catalog validate PATH... | catalog ingest | catalog problems');
}

async function templateCommand(config: Config, options: CliOptions, args: string[]): Promise<number> {
  const [verb, nameOrPath] = args;
  if (verb === 'run') return runTemplateCommand(config, options, nameOrPath);
  if (verb === 'runs' || verb === 'cancel') return templateRunsCommand(config, options, verb, nameOrPath);
  if (verb === 'approve' || verb === 'reject') return templateDecisionCommand(config, options, verb === 'approve', nameOrPath);
  if (verb !== 'list') {
    throw new Error('usage: callboard template list | template run NAME_OR_PATH --values FILE [--dry-run] | template runs --as USER | template cancel RUN_ID --as USER | template approve|reject RUN_ID --as USER [--reason TEXT]');
  }
  return withCatalog(config, options, async (context) => {
    const { templates, problems } = await context.scaffolder.templates(asUser(options));
    const answer = {
      templates: templates.map(({ name, ref, title, description, source, pages }) => ({ name, ref, title, description, source, pages: pages.map((page) => page.title) })),
      problems,
    };
    print(options, answer, formatTemplates(answer));
    return 0;
  });
}

async function runTemplateCommand(config: Config, options: CliOptions, nameOrPath: string | undefined): Promise<number> {
  if (!nameOrPath || !options.values) throw new Error('usage: callboard template run NAME_OR_PATH --values FILE [--dry-run] [--out DIR]');
  const values = readValuesFile(options.values);
  return withCatalog(config, options, async (context) => {
    const template = await templateNamed(context, nameOrPath);
    const user = runningUser(context.catalog.view, asUser(options));
    let finished;
    try {
      finished = await context.scaffolder.run({ template, values, dryRun: options.dryRun, user });
    } catch (error) {
      if (!(error instanceof RunRefusedError)) throw error;
      const refused = { run: { id: null, template: template.ref, status: 'failed', error: error.message, steps: [] }, output: { links: [], text: [] }, files: [] };
      print(options, refused, formatTemplateRun(refused));
      return 1;
    }
    return printRun(options, finished);
  });
}

/** A run as `template run` (and approve) print it; exits 0 when it completed or waits for approval. */
function printRun(options: CliOptions, { run, files }: FinishedRun): number {
  const answer = {
    run: {
      id: run.id,
      template: run.templateRef,
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
      ...(run.approval ? { approval: run.approval } : {}),
      steps: run.steps.map(({ id, action, status, log }) => ({ id, action, status, log })),
    },
    output: run.output ?? { links: [], text: [] },
    files,
  };
  print(options, answer, formatTemplateRun(answer));
  return run.status === 'completed' || (run.status === 'open' && run.approval?.state === 'pending') ? 0 : 1;
}

/** `template approve|reject RUN_ID --as USER [--reason TEXT]`: an approver's decision; an approved run then runs here. */
async function templateDecisionCommand(config: Config, options: CliOptions, approved: boolean, runId: string | undefined): Promise<number> {
  const user = asUser(options);
  if (!user || !runId || (!approved && !options.reason)) throw new Error(`usage: callboard template ${approved ? 'approve RUN_ID --as USER [--reason TEXT]' : 'reject RUN_ID --as USER --reason TEXT'}`);
  return withContext(config, options, async (context) => {
    await context.catalog.load();
    const { outcome, run } = await context.scaffolder.decide(runId, { approved, by: user, ...(options.reason ? { reason: options.reason } : {}) });
    const refusals: Record<string, string> = {
      'not-awaiting': run ? `${runId} is not waiting for approval: it is ${run.status}.` : `There is no run ${runId}.`,
      'not-an-approver': `${user} is not a member of ${run?.approval?.approvers ?? 'the approving group'}.`,
      'own-run': `${runId} is ${user}'s own run: another member of ${run?.approval?.approvers ?? 'the approving group'} decides on it.`,
    };
    const refusal = refusals[outcome];
    if (refusal) {
      print(options, { id: runId, outcome, error: refusal }, refusal);
      return 1;
    }
    const finished = approved ? await context.scaffolder.resume(runId) : undefined;
    return printRun(options, finished ?? { run: run!, existing: false, files: [] });
  });
}

/** `template runs --as USER`: that person's recent runs; `template cancel RUN_ID --as USER`: cancels one of them. */
async function templateRunsCommand(config: Config, options: CliOptions, verb: 'runs' | 'cancel', runId: string | undefined): Promise<number> {
  const user = asUser(options);
  if (!user || (verb === 'cancel' && !runId)) throw new Error(`usage: callboard template ${verb === 'runs' ? 'runs' : 'cancel RUN_ID'} --as USER`);
  return withContext(config, options, async (context) => {
    if (verb === 'cancel') {
      const cancelled = await context.scaffolder.cancel(runId!, user);
      print(options, { id: runId, cancelled }, cancelled ? `Cancelled ${runId}: it stops before its next step.` : `${runId} is not a run of ${user} that is still open or processing.`);
      return cancelled ? 0 : 1;
    }
    const runs = (await context.scaffolder.runsOf(user, options.limit ?? 10)).map(({ id, templateRef, status, error, createdAt }) => ({ id, template: templateRef, status, error, createdAt: createdAt.toISOString() }));
    print(options, { runs }, runs.length === 0 ? `No runs of ${user}.` : runs.map((run) => `${run.createdAt} ${run.id} ${run.template} ${run.status}${run.error ? `: ${run.error}` : ''}`).join('\n'));
    return 0;
  });
}

/** --as USER as a catalog ref (a bare name is a user in the default namespace). */
function asUser(options: CliOptions): string | undefined {
  return options.as ? normalizeEntityRef(options.as, { defaultKind: 'user' }) : undefined;
}

/** A template by the path of its template.yaml, else by name or ref among those on offer. */
async function templateNamed(context: AppContext, nameOrPath: string): Promise<TemplateDefinition> {
  if (existsSync(nameOrPath) && statSync(nameOrPath).isFile()) {
    const { templates, problems } = await loadTemplateFile(path.resolve(nameOrPath));
    if (templates.length !== 1) throw new Error(`${nameOrPath}: ${problems.map((problem) => problem.message).join('; ') || 'holds more than one Template'}`);
    return templates[0]!;
  }
  const { templates } = await context.scaffolder.templates();
  const template = findTemplate(templates, nameOrPath);
  if (!template) throw new Error(`no template named ${nameOrPath}; "callboard template list" shows those on offer`);
  return template;
}

function readValuesFile(file: string): Record<string, unknown> {
  let values: unknown;
  try {
    values = yaml.load(readFileSync(file, 'utf8'), { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    throw new Error(`--values ${file}: ${errorMessage(error)}`);
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new Error(`--values ${file}: expected a mapping of parameter names to values`);
  return values as Record<string, unknown>;
}

async function validate(config: Config, options: CliOptions, paths: string[]): Promise<number> {
  if (paths.length === 0) throw new Error('usage: callboard catalog validate PATH...');
  const result = await ingestLocations(catalogRoots(paths), {
    github: githubClientsFromConfig(config),
    maxFileBytes: config.callboard.catalog.maxFileBytes,
  });
  const problems = result.problems.map((problem) => ({
    file: problem.file,
    line: problem.line ?? null,
    document: problem.document ?? null,
    ref: problem.ref ?? null,
    severity: problem.severity,
    message: problem.message,
  }));
  const summary = `${result.entities.size} entities, ${problems.length} problem(s).`;
  print(options, { entities: result.entities.size, problems }, [formatProblems(result.problems), summary].filter(Boolean).join('\n'));
  return problems.length > 0 ? 1 : 0;
}

export function catalogRoots(paths: string[]): RootLocation[] {
  return paths.map((target) => {
    const resolved = path.resolve(target);
    return { key: `file:${resolved}`, type: 'file', target: resolved };
  });
}

/** One-shot commands and the console print their own summaries, so routine info logs would only be noise. */
function quietLogger(config: Config) {
  const level = config.callboard.log.level === 'info' ? 'warn' : config.callboard.log.level;
  return createLogger({ level });
}

async function withContext<T>(config: Config, options: CliOptions, use: (context: AppContext) => Promise<T> | T): Promise<T> {
  const logger = quietLogger(config);
  const context = await createAppContext(config, logger, contextOverrides(options));
  try {
    return await use(context);
  } finally {
    await context.close();
  }
}

/** Answers from --catalog (loaded into a throw-away database) or from the configured database as stored. */
async function withCatalog<T>(config: Config, options: CliOptions, use: (context: AppContext) => Promise<T> | T): Promise<T> {
  return withContext(config, options, async (context) => {
    if (options.catalog.length > 0) {
      const report = await context.catalog.refresh(catalogRoots(options.catalog));
      if (!options.json && report.problems.length > 0) {
        process.stderr.write(`(${report.problems.length} catalog problem(s); run "callboard catalog validate ${options.catalog.join(' ')}" to list them)\n`);
      }
    } else {
      await context.catalog.load();
    }
    return use(context);
  });
}

/** The nudge sender, where a bot token is configured; the Web API client is loaded only then. */
async function nudgeSenderOf(context: AppContext): Promise<NudgeSender | undefined> {
  const { slack } = context.config.callboard;
  return slack.botToken ? (await import('../slack/nudge-sender.js')).nudgeSenderFromConfig(slack, context.catalog.view, context.logger) : undefined;
}

/** The nudge job on its schedule, under its lease: what `start` schedules and `callboard nudge` runs now. */
function nudgeRunner(context: AppContext, sender: NudgeSender, onReport?: (report: NudgeRunReport) => void): JobRunner {
  const { scorecards } = context.config.callboard;
  const job = nudgeJob({ db: context.database.db, scorecards: context.scorecards, sender, schedule: scorecards.nudges.schedule, timezone: scorecards.timezone, logger: context.logger, ...(onReport ? { onReport } : {}) });
  return jobRunner(job, { db: context.database.db, logger: context.logger });
}

/** `serve` always runs the Slack app; `start` runs it when any Slack setting is given, else the local console. */
function runsSlackApp(command: string, slack: SlackConfig): boolean {
  return command === 'serve' || (command === 'start' && Boolean(slack.botToken || slack.appToken || slack.signingSecret));
}

async function start(config: Config, options: CliOptions, command: 'start' | 'serve'): Promise<number> {
  tuneHeapForService();
  const { slack } = config.callboard;
  // Bolt and the Web API client are loaded only by the commands that run the app: the others start sooner.
  const slackApp = runsSlackApp(command, slack) ? await import('../slack/slack-app.js') : undefined;
  // Listening from the first moment: a stop during start-up still closes the database cleanly.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const useExamples = options.catalog.length === 0 && config.catalog.locations.length === 0 && !config.catalog.providers?.github;
  const paths = useExamples ? [EXAMPLE_CATALOG] : options.catalog;
  const logger = quietLogger(config);
  // A plugin's stray promise must not end the service for everyone: it is logged, and the app goes on.
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'an unhandled rejection (a plugin, most likely); the app goes on'));
  const context = await createAppContext(config, logger, contextOverrides(options));
  try {
    if (useExamples) process.stderr.write(`No catalog.locations configured: using the bundled example catalog in ${EXAMPLE_CATALOG}\n`);
    await context.catalog.load();
    // The docs are read again after each refresh (they live beside the catalog files), in the
    // background: sites on GitHub are many calls, and answers must not wait for them.
    let docsRead: Promise<unknown> = Promise.resolve();
    const refresh = async () => {
      const report = await context.catalog.refresh(paths.length > 0 ? catalogRoots(paths) : undefined);
      docsRead = context.docs.refresh().catch((error: unknown) => logger.error({ err: error }, 'reading the docs failed'));
      return report;
    };
    const report = await refresh();
    process.stderr.write(`${formatRefresh({ ...report, problems: [] })}${report.problems.length ? ` ${report.problems.length} catalog problem(s): type "problems".` : ''}\n`);
    // Scorecards are evaluated on their schedule by one replica at a time, and at the first start.
    const { evaluateSchedule, timezone } = config.callboard.scorecards;
    const evaluation = jobRunner(
      {
        name: 'scorecards.evaluate',
        schedule: evaluateSchedule,
        timezone,
        runAtFirstStart: true,
        run: async () => {
          const recorded = await context.scorecards.evaluateAndRecord();
          logger.info({ scored: recorded.scored, changed: recorded.changed, regressions: recorded.regressions }, 'scorecards evaluated');
        },
      },
      { db: context.database.db, logger },
    );
    const evaluating = evaluation.start().catch((error: unknown) => logger.error({ err: error }, 'starting the scorecard evaluation failed'));
    // Nudges go through Slack: without a bot token there is nobody to send them.
    const sender = await nudgeSenderOf(context);
    const nudging = sender ? nudgeRunner(context, sender) : undefined;
    const nudgesStarted = nudging?.start().catch((error: unknown) => logger.error({ err: error }, 'starting the nudge schedule failed'));
    const minutes = config.callboard.catalog.refreshIntervalMinutes;
    const timer = minutes > 0 ? setInterval(() => void refresh().catch((error) => logger.error({ err: error }, 'scheduled catalog refresh failed')), minutes * 60_000) : undefined;
    timer?.unref();
    if (slackApp) {
      const app = await slackApp.startSlackApp({ slack, commands: context.plugins.extensions.commands, cardSections: context.plugins.extensions.cardSections, oncall: context.oncall, catalog: context.catalog, db: context.database.db, logger, scaffolder: context.scaffolder, docs: context.docs, health: context.health, scorecards: context.scorecards, broadcastChannel: context.config.callboard.scaffolder.broadcastChannel });
      process.stderr.write(
        app.transport === 'socket-mode'
          ? `Slack app connected in Socket Mode; /healthz and /readyz on port ${app.port}\n`
          : `Slack app listening on port ${app.port} (/slack/events, /healthz, /readyz)\n`,
      );
      await stopped;
      await app.stop();
    } else {
      // The console's first question may be for the docs.
      if (!options.noConsole) await docsRead;
      await (options.noConsole ? stopped : Promise.race([runConsole(context.catalog, { input: process.stdin, output: process.stdout }, { commands: context.plugins.extensions.commands, cardSections: context.plugins.extensions.cardSections, oncall: context.oncall, scaffolder: context.scaffolder, docs: context.docs, health: context.health, scorecards: context.scorecards, userRef: asUser(options) }), stopped]));
    }
    if (timer) clearInterval(timer);
    await Promise.all([evaluation.stop(), nudging?.stop()]);
    await Promise.all([evaluating, nudgesStarted]);
    await context.catalog.whenIdle();
    return 0;
  } finally {
    await context.close();
  }
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (invokedDirectly || process.argv[1]?.endsWith('bin/callboard.js') || process.argv[1]?.endsWith('/callboard')) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
