import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { resolveQuery } from '../catalog/answers/who-owns.js';
import { DeadlineError, withDeadline } from '../deadline.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ScaffolderAction } from '../scaffolder/actions/action.js';
import type { FactCollector } from '../scorecards/fact-collector.js';
import type { CommandContext, SlashCommand } from '../slack/commands/registry.js';
import type { CallboardPlugin, CardSectionExtension, CommandExtension, OnCallProvider, PluginApi, PluginCommandContext, ProcessorExtension } from './plugin-api.js';
import { onCallOf } from '../oncall/oncall-service.js';

/** One entry of `callboard.plugins`: an installed package or a local module, and its config. */
export interface PluginEntry {
  package?: string;
  path?: string;
  with?: Record<string, unknown>;
}

/** Everything the plugins (the built-in one first) added, ready for the app's registries. */
export interface Extensions {
  commands: SlashCommand[];
  cardSections: CardSectionExtension[];
  actions: ScaffolderAction[];
  collectors: FactCollector[];
  onCallProviders: OnCallProvider[];
  processors: ProcessorExtension[];
}

/** `callboard plugins list`'s row for one plugin. */
export interface PluginReport {
  id: string;
  source: string;
  status: 'loaded' | 'failed';
  error?: string;
  adds: { commands: string[]; cardSections: string[]; actions: string[]; facts: string[]; onCallProviders: string[]; processors: string[] };
}

export interface LoadedPlugins {
  extensions: Extensions;
  plugins: PluginReport[];
}

/** A plugin's register may take this long before it is reported as failed and left out. */
const REGISTER_BUDGET_MS = 5_000;
/** A plugin command's answer may take this long before the asker is told it failed. */
const COMMAND_TIMEOUT_MS = 10_000;

const emptyAdds = (): PluginReport['adds'] => ({ commands: [], cardSections: [], actions: [], facts: [], onCallProviders: [], processors: [] });

/** What a command's answer gets: the app's command context, seen through the plugin API. */
function pluginContext(context: CommandContext, signal: AbortSignal): PluginCommandContext & CommandContext {
  const view = context.catalog.view;
  return {
    ...context,
    view,
    resolve: (query) => {
      const ref = resolveQuery(view, query.trim());
      const entity = ref ? view.get(ref) : undefined;
      return ref && entity ? { ref, entity } : undefined;
    },
    slackUserId: context.userId,
    userRef: context.userRef ?? (async () => undefined),
    onCall: onCallOf(context.oncall),
    signal,
  };
}

/** A command as the app's registry holds it: the answer timed out after its budget, then rendered. */
function slashCommandOf(pluginId: string, extension: CommandExtension<unknown>): SlashCommand {
  const timeoutMs = extension.timeoutMs ?? COMMAND_TIMEOUT_MS;
  return {
    command: extension.command as `/${string}`,
    description: extension.description,
    usageHint: extension.usageHint,
    ...(extension.scopes ? { scopes: extension.scopes } : {}),
    async answer(text, context) {
      const controller = new AbortController();
      const answer = await withDeadline(Promise.resolve().then(() => extension.answer(text, pluginContext(context, controller.signal))), timeoutMs, `${pluginId}'s ${extension.command} took longer than ${timeoutMs} ms`).catch((error: unknown) => {
        if (error instanceof DeadlineError) controller.abort(error);
        throw error;
      });
      const message = extension.render(answer);
      if (message !== undefined && (typeof message?.text !== 'string' || !Array.isArray(message.blocks))) throw new Error(`${pluginId}'s ${extension.command} rendered something that is not a message: render must return { text, blocks }`);
      return message;
    },
  };
}

/** What each kind of name is called in a problem. */
const CLAIMED: Record<keyof PluginReport['adds'], string> = { commands: 'the slash command', cardSections: 'the card section', actions: 'the scaffolder action', facts: 'the fact', onCallProviders: 'the on-call provider', processors: 'the catalog processor' };

/** Who claimed each name already, to name both plugins when a second one claims it. */
type Claims = Map<string, string>;

function claim(claims: Claims, what: string, name: string, pluginId: string, problems: string[]): void {
  const holder = claims.get(name);
  if (holder) problems.push(`${what} ${name} is claimed by both the ${holder} and the ${pluginId} plugin: remove one of them from callboard.plugins`);
  else claims.set(name, pluginId);
}

async function importPlugin(entry: PluginEntry, baseDir: string, budgetMs: number): Promise<CallboardPlugin> {
  const target = entry.package ?? pathToFileURL(path.resolve(baseDir, entry.path!)).href;
  // A module whose top level never settles must not hold the start.
  const module = (await withDeadline(import(target), budgetMs, `importing it did not finish within ${budgetMs} ms`)) as { default?: unknown };
  const plugin = module.default as Partial<CallboardPlugin> | undefined;
  if (!plugin || typeof plugin.id !== 'string' || !plugin.id || typeof plugin.register !== 'function') {
    throw new Error('its default export is not a plugin: export default definePlugin({ id, register(api) { ... } })');
  }
  return plugin as CallboardPlugin;
}

/**
 * Loads the built-in plugins, then those `callboard.plugins` lists, and lets each register. A
 * plugin that cannot be imported, or whose register throws or hangs, is reported failed and the
 * app runs without it. Config that fails a plugin's schema, and two plugins claiming one name (a
 * command, an action, a fact...), are start-up errors, every one of them reported at once.
 */
export async function loadPlugins(entries: PluginEntry[], { logger, builtIns, baseDir = process.cwd(), registerBudgetMs = REGISTER_BUDGET_MS }: { logger: Logger; builtIns: CallboardPlugin[]; baseDir?: string; registerBudgetMs?: number }): Promise<LoadedPlugins> {
  const extensions: Extensions = { commands: [], cardSections: [], actions: [], collectors: [], onCallProviders: [], processors: [] };
  const reports: PluginReport[] = [];
  const problems: string[] = [];
  // In the order listed, so the report reads as the configuration does; one that failed to load carries its report.
  const candidates: ({ plugin: CallboardPlugin; source: string; config: unknown } | { failed: PluginReport })[] = builtIns.map((plugin) => ({ plugin, source: 'built-in', config: {} }));

  for (const [index, entry] of entries.entries()) {
    const where = `callboard.plugins[${index}]`;
    const source = entry.package ? `package ${entry.package}` : `path ${entry.path}`;
    let plugin: CallboardPlugin;
    try {
      plugin = await importPlugin(entry, baseDir, registerBudgetMs);
    } catch (error) {
      const id = entry.package ?? entry.path ?? where;
      logger.error({ err: error, plugin: id }, 'a plugin failed to load; running without it');
      candidates.push({ failed: { id, source, status: 'failed', error: `could not be loaded: ${errorMessage(error)}`, adds: emptyAdds() } });
      continue;
    }
    const config = entry.with ?? {};
    const before = problems.length;
    if (plugin.configSchema) {
      try {
        // One validator per plugin: two plugins' schemas may share an $id. Schema mistakes are logged, not thrown.
        const validate = new Ajv({ allErrors: true, strict: 'log', logger: { log: () => undefined, warn: (message: unknown) => logger.warn({ plugin: plugin.id }, String(message)), error: (message: unknown) => logger.error({ plugin: plugin.id }, String(message)) } }).compile(plugin.configSchema);
        if (!validate(config)) for (const error of validate.errors ?? []) problems.push(`${where}.with${error.instancePath.replace(/\//g, '.')} (plugin ${plugin.id}): ${error.message ?? 'is invalid'}${error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})` : ''}`);
      } catch (error) {
        problems.push(`${where} (plugin ${plugin.id}): its configSchema is not a valid JSON Schema: ${errorMessage(error)}`);
      }
    }
    // A plugin whose config is wrong is not registered: the start stops with every problem anyway.
    if (problems.length === before) candidates.push({ plugin, source, config });
  }

  const claims: Record<keyof PluginReport['adds'] | 'plugin' | 'collectorIds', Claims> = { plugin: new Map(), collectorIds: new Map(), commands: new Map(), cardSections: new Map(), actions: new Map(), facts: new Map(), onCallProviders: new Map(), processors: new Map() };
  for (const candidate of candidates) {
    if ('failed' in candidate) {
      reports.push(candidate.failed);
      continue;
    }
    const { plugin, source, config } = candidate;
    const sameId = claims.plugin.get(plugin.id);
    if (sameId) {
      problems.push(`two plugins have the id ${plugin.id} (${sameId}, and ${source}): list one of them in callboard.plugins`);
      continue;
    }
    claims.plugin.set(plugin.id, source);
    const staged: Extensions = { commands: [], cardSections: [], actions: [], collectors: [], onCallProviders: [], processors: [] };
    const adds = emptyAdds();
    /** Kept apart until register returns: a plugin that fails leaves nothing behind. */
    const stage = <Kind extends keyof Extensions>(kind: Kind, item: Extensions[Kind][number], reported: keyof PluginReport['adds'], names: string[]) => {
      (staged[kind] as unknown[]).push(item);
      adds[reported].push(...names);
    };
    const api: PluginApi = {
      config,
      logger: logger.child({ plugin: plugin.id }),
      addCommand: (command) => {
        if (!/^\/?[a-z0-9][a-z0-9_-]{0,31}$/.test(command.command)) problems.push(`${plugin.id}: ${command.command} is neither a slash command (/name) nor a /callboard verb (name): lower case letters, digits, - and _, at most 32`);
        stage('commands', slashCommandOf(plugin.id, command as CommandExtension<unknown>), 'commands', [command.command.startsWith('/') ? command.command : `/callboard ${command.command}`]);
      },
      addCardSection: (section) => stage('cardSections', section, 'cardSections', [section.id]),
      addAction: (action) => stage('actions', action, 'actions', [action.id]),
      addFactCollector: (collector) => {
        // Collected facts are remembered, and rate limits paused, by collector id: two collectors must not share one.
        claim(claims.collectorIds, 'the fact collector id', collector.id, plugin.id, problems);
        stage('collectors', collector, 'facts', Object.keys(collector.facts ?? {}));
      },
      addOnCallProvider: (provider) => stage('onCallProviders', provider, 'onCallProviders', [provider.id]),
      addProcessor: (processor) => stage('processors', processor, 'processors', [processor.id]),
    };
    try {
      await withDeadline(Promise.resolve().then(() => plugin.register(api)), registerBudgetMs, `register did not finish within ${registerBudgetMs} ms`);
    } catch (error) {
      logger.error({ err: error, plugin: plugin.id }, 'a plugin failed to register; running without it');
      reports.push({ id: plugin.id, source, status: 'failed', error: `register failed: ${errorMessage(error)}`, adds: emptyAdds() });
      continue;
    }
    for (const [reported, names] of Object.entries(adds) as [keyof PluginReport['adds'], string[]][]) for (const name of names) claim(claims[reported], CLAIMED[reported], name, plugin.id, problems);
    for (const key of Object.keys(extensions) as (keyof Extensions)[]) (extensions[key] as unknown[]).push(...staged[key]);
    reports.push({ id: plugin.id, source, status: 'loaded', adds });
  }
  // Verbs are answered by one /callboard command, so adding one changes nothing in the Slack app.
  const verbs = extensions.commands.filter((command) => !command.command.startsWith('/'));
  if (verbs.length > 0 && claims.commands.has('/callboard')) problems.push(`the slash command /callboard is claimed by the ${claims.commands.get('/callboard')} plugin, and answers the plugins' verbs (${verbs.map((verb) => verb.command).join(', ')}): rename the command`);
  if (problems.length > 0) throw new ConfigError(problems);
  if (verbs.length > 0) extensions.commands = [...extensions.commands.filter((command) => command.command.startsWith('/')), callboardCommand(verbs)];
  return { extensions, plugins: reports };
}

/** `/callboard <verb> ...`: the plugins' verbs, and `help` (or nothing) to list them. */
function callboardCommand(verbs: SlashCommand[]): SlashCommand {
  const byVerb = new Map(verbs.map((verb) => [verb.command.toLowerCase(), verb]));
  const help = () => {
    const text = ['`/callboard` answers:', ...verbs.map((verb) => `• \`/callboard ${verb.command}${verb.usageHint ? ` ${verb.usageHint}` : ''}\`: ${verb.description}`)].join('\n');
    return { text, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }] };
  };
  return {
    command: '/callboard',
    description: "Callboard's plugins' commands: /callboard help lists them",
    usageHint: verbs.map((verb) => verb.command).join(' | '),
    scopes: Object.assign({}, ...verbs.map((verb) => verb.scopes ?? {})) as Record<string, string>,
    answer(text, context) {
      const [word = '', ...rest] = text.trim().split(/\s+/);
      const verb = byVerb.get(word.toLowerCase());
      return verb ? verb.answer(rest.join(' '), context) : help();
    },
  };
}
