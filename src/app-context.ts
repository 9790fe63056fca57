import path from 'node:path';
import type { Config } from './config/config-schema.js';
import { databaseErrorMessage, type Database } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { openConfiguredDatabase, openEphemeralDatabase } from './db/pglite-template.js';
import { createCatalogService, type CatalogService } from './catalog/catalog-service.js';
import type { GitHubClient, GitHubPublisher } from './github/github-client.js';
import { OctokitGitHubClient, type RetryOptions } from './github/octokit-github-client.js';
import type { Logger } from './logger.js';
import { createScaffolderService, type ScaffolderService } from './scaffolder/scaffolder-service.js';
import { builtInActions } from './scaffolder/actions/built-in.js';
import type { ScaffolderAction } from './scaffolder/actions/action.js';
import type { CatalogRegistrar } from './scaffolder/actions/catalog-register.js';
import { createDocsService, type DocsService } from './docs/docs-service.js';
import { clustersFromConfig } from './kubernetes/cluster-config.js';
import { createHealthService, type HealthService } from './kubernetes/health-service.js';
import { BUILT_IN_COLLECTORS } from './scorecards/collectors/built-in.js';
import { loadScorecards } from './scorecards/scorecard-library.js';
import { createScorecardService, type ScorecardService } from './scorecards/scorecard-service.js';
import { BUILT_IN_COMMANDS } from './slack/commands/built-in.js';
import { builtInPlugin } from './plugins/built-in-plugin.js';
import { loadPlugins, type LoadedPlugins } from './plugins/load-plugins.js';
import { createOnCallService, type OnCallService } from './oncall/oncall-service.js';

export interface AppContext {
  config: Config;
  /** The plugins loaded (the built-in one first) and what they added. */
  plugins: LoadedPlugins;
  database: Database;
  catalog: CatalogService;
  scaffolder: ScaffolderService;
  docs: DocsService;
  health: HealthService;
  scorecards: ScorecardService;
  oncall: OnCallService;
  logger: Logger;
  close(): Promise<void>;
}

export interface AppContextOverrides {
  /** A throw-away in-memory database instead of the configured one (the CLI's --catalog). */
  ephemeralDatabase?: boolean;
  github?: (host: string) => GitHubClient | undefined;
  /** Where publish:local creates repositories, instead of callboard.scaffolder.localRepositories (the CLI's --out). */
  localRepositories?: string;
  /** Folders of scorecard files beside callboard.scorecards.paths (the CLI's --scorecards). */
  scorecardFolders?: string[];
  /** Where the configuration came from, for problems in its Tech Insights checks. */
  configSource?: string;
}

/** The composition root: the only place adapters are built. Tests call it with overrides. */
export async function createAppContext(config: Config, logger: Logger, overrides: AppContextOverrides = {}): Promise<AppContext> {
  // The built-in actions are made before the catalog they register into, and reach it through this forward.
  let catalogForActions: CatalogService | undefined;
  const registrar: CatalogRegistrar = { register: (location, registeredBy) => catalogForActions!.register(location, registeredBy) };
  const clients = githubClientsFromConfig(config);
  const localRepositories = path.resolve(overrides.localRepositories ?? config.callboard.scaffolder.localRepositories);
  const actions = builtInActions({ catalog: registrar, localRepositories, github: clients, readers: overrides.github ?? clients, publishesLocally: localPublishing(config) });
  // Before the database: a plugin problem in the config stops the start as any config problem does.
  const plugins = await loadConfiguredPlugins(config, logger, actions);
  const database = overrides.ephemeralDatabase
    ? await openEphemeralDatabase(config.callboard.database)
    : await openConfiguredDatabase(config.callboard.database);
  try {
    await runMigrations(database.db);
  } catch (error) {
    await database.close();
    throw new Error(`applying the database migrations failed: ${databaseErrorMessage(error)}`, { cause: error });
  }
  const catalog = createCatalogService({ database, config, github: overrides.github ?? clients, logger, processors: plugins.extensions.processors });
  catalogForActions = catalog;
  const scaffolder = createScaffolderService({
    db: database.db,
    catalog,
    github: clients,
    readers: overrides.github ?? clients,
    publishesLocally: localPublishing(config),
    localRepositories,
    approvalRules: config.callboard.scaffolder.approvals,
    actions: plugins.extensions.actions,
  });
  const docs = createDocsService({ catalog, github: overrides.github ?? clients, ...(config.app?.baseUrl ? { backstageUrl: config.app.baseUrl } : {}) });
  const { clusters, problems } = clustersFromConfig(config.kubernetes, process.env);
  for (const problem of problems) logger.warn({ problem }, 'a Kubernetes cluster is left out');
  const health = createHealthService({ catalog, clusters });
  const library = loadScorecards({
    folders: [...config.callboard.scorecards.paths, ...(overrides.scorecardFolders ?? [])].map((folder) => path.resolve(folder)),
    ...(config.techInsights ? { techInsights: { value: config.techInsights, source: overrides.configSource ?? 'the configuration' } } : {}),
    collectors: plugins.extensions.collectors,
  });
  for (const problem of library.problems) logger.warn({ problem }, 'a scorecard problem');
  const tokenFor = (host: string) => config.integrations.github.some((integration) => integration.host === host && integration.token);
  const oncall = createOnCallService({ catalog, providers: plugins.extensions.onCallProviders, logger });
  const scorecards = createScorecardService({ db: database.db, catalog, library, collectors: plugins.extensions.collectors, nudges: config.callboard.scorecards.nudges, oncall, ...(clusters.length > 0 ? { health } : {}), github: (host) => (tokenFor(host) ? (overrides.github ?? clients)(host) : undefined) });
  return { config, plugins, database, catalog, scaffolder, docs, health, scorecards, oncall, logger, close: () => database.close() };
}

/** The built-in plugin, then those callboard.plugins lists: what the app's registries hold. */
export function loadConfiguredPlugins(config: Config, logger: Logger, actions: ScaffolderAction[] = listedBuiltInActions(config)): Promise<LoadedPlugins> {
  return loadPlugins(config.callboard.plugins, { logger, builtIns: [builtInPlugin({ commands: BUILT_IN_COMMANDS, collectors: BUILT_IN_COLLECTORS, actions })] });
}

/** The built-in actions as `plugins list` and `manifest` show them, so a plugin claiming one of their ids is refused there too; never run from there. */
function listedBuiltInActions(config: Config): ScaffolderAction[] {
  const nowhere: CatalogRegistrar = { register: () => Promise.reject(new Error('the catalog is not open here')) };
  return builtInActions({ catalog: nowhere, localRepositories: path.resolve(config.callboard.scaffolder.localRepositories) });
}

/** Which hosts publish:github steps publish locally for (callboard.scaffolder.publisher). */
function localPublishing(config: Config): (host: string) => boolean {
  const { publisher } = config.callboard.scaffolder;
  if (publisher !== 'auto') return () => publisher === 'local';
  return (host) => !config.integrations.github.some((integration) => integration.host === host && integration.token);
}

/** One Octokit client per configured host; github.com is always available (anonymously without a token). */
export function githubClientsFromConfig(config: Config, retryOptions: RetryOptions = {}): (host: string) => (GitHubClient & GitHubPublisher) | undefined {
  const clients = new Map<string, OctokitGitHubClient>();
  const integrations = [...config.integrations.github];
  if (!integrations.some((integration) => integration.host === 'github.com')) integrations.push({ host: 'github.com' });
  return (host) => {
    const integration = integrations.find((candidate) => candidate.host === host);
    if (!integration) return undefined;
    let client = clients.get(host);
    if (!client) {
      const baseUrl = integration.apiBaseUrl ?? (host === 'github.com' ? 'https://api.github.com' : `https://${host}/api/v3`);
      client = new OctokitGitHubClient({ ...retryOptions, baseUrl, token: integration.token });
      clients.set(host, client);
    }
    return client;
  };
}
