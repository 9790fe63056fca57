import path from 'node:path';
import type { CatalogRule, Config } from '../config/config-schema.js';
import type { Database } from '../db/client.js';
import type { GitHubClient } from '../github/github-client.js';
import type { Logger } from '../logger.js';
import { CatalogView } from './answers/catalog-view.js';
import { find, type FindAnswer } from './answers/find.js';
import { homeOverview, PeopleIndex, type HomeOverview, type PersonKey } from './answers/home-overview.js';
import { LinkOwners, type LinkOwnership } from './answers/link-owners.js';
import { whoOwns, type WhoOwnsAnswer } from './answers/who-owns.js';
import {
  listProblems,
  loadCatalog,
  loadStoredCatalog,
  openRefreshWrite,
  recordRegisteredLocation,
  registeredLocations,
  type RefreshSummary,
  type RegisteredLocation,
  type StoredCatalog,
  type StoredEntityRow,
} from './entity-store.js';
import type { EntityProcessor } from './processing/run-processors.js';
import { ingestLocations, type FileCache, type IngestResult, type RootLocation, type RootStatus, type StoredEntityHash } from './ingestion/ingest-locations.js';
import type { FolderCache } from './ingestion/local-files.js';
import { nextIncrementalBase, settledCache, type IncrementalBase } from './ingestion/unchanged-roots.js';
import type { CatalogProblem } from './processing/catalog-problem.js';
import { hasContent } from './processing/process-entity.js';

export interface RefreshReport extends RefreshSummary {
  entities: number;
  /** Files found, read and parsed: an unchanged local file is neither read nor parsed. */
  files: IngestResult['fileCounts'];
  /** Local folders walked and listed: an unchanged folder is not listed again. */
  folders: IngestResult['folderCounts'];
  /** Only files whose content changed were read; every other file's entities were the previous refresh's. */
  incremental: boolean;
  problems: CatalogProblem[];
  roots: Record<string, RootStatus>;
  durationMs: number;
}

/** The use cases the CLI, Slack listeners and jobs call. */
export interface CatalogService {
  /** Loads the stored catalog into memory (once; later calls return the size). */
  load(): Promise<number>;
  /**
   * Reads the roots, stores the result in one transaction and patches the in-memory view. Without
   * roots: every configured and registered location, and entities of any other root are removed.
   */
  refresh(roots?: RootLocation[]): Promise<RefreshReport>;
  /**
   * Reads a location now and, when it holds entities, registers it, so every later refresh reads
   * it too (a template's catalog:register). A location holding none is not registered.
   */
  register(location: RegisteredLocation, registeredBy?: string): Promise<RegistrationReport>;
  whoOwns(query: string): WhoOwnsAnswer;
  /** For each URL, the entity it belongs to (most specific claim first) and that entity's owner, or null. */
  ownersOfLinks(urls: string[]): LinkOwnership[];
  find(query: string, options?: { limit?: number; offset?: number }): FindAnswer;
  problems(): Promise<CatalogProblem[]>;
  /** The asker's teams, what they own and the problems in those entities' files. */
  /** `moreProblems` (docs problems, say) are listed beside the catalog's own when they are on the person's entities. */
  homeFor(person: PersonKey, moreProblems?: CatalogProblem[]): Promise<HomeOverview>;
  /** The asker's User entity: by `slack.com/user-id` annotation, else by email. */
  userRefFor(person: PersonKey): string | undefined;
  /** Resolves once the loads and refreshes queued so far have finished (before closing the database). */
  whenIdle(): Promise<void>;
  readonly view: CatalogView;
  /** True once the stored catalog is in memory (readiness). */
  readonly loaded: boolean;
}

export interface RegistrationReport {
  key: string;
  /** The entities the location holds, now in the catalog; empty when it was not registered. */
  entityRefs: string[];
  problems: CatalogProblem[];
}

export interface CatalogServiceDeps {
  database: Database;
  config: Config;
  github: (host: string) => GitHubClient | undefined;
  logger: Logger;
  /** Catalog processors from plugins, run over every entity read afresh. */
  processors?: EntityProcessor[];
}

export function createCatalogService({ database, config, github, logger, processors = [] }: CatalogServiceDeps): CatalogService {
  const view = new CatalogView();
  const links = new LinkOwners(view, { baseUrl: config.app?.baseUrl, gitHubHosts: config.integrations.github.map((integration) => integration.host) });
  const people = new PeopleIndex(view);
  const log = logger.child({ module: 'catalog' });
  let loaded = false;
  let fileCache: FileCache = new Map();
  let folderCache: FolderCache = new Map();
  let reusableRoots = new Set<string>();
  let incrementalBase: IncrementalBase | undefined;
  // What the store held after this process's last refresh; re-read only when another replica stored since.
  let known: StoredCatalog | undefined;
  // Loads and refreshes run one at a time, in call order: each patches the view the previous left.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const loadNow = async () => {
    if (!loaded) {
      const { entities, relations } = await loadCatalog(database.db);
      view.load(entities, relations);
      loaded = true;
    }
    return view.size;
  };

  const refreshOnce = async (roots: RootLocation[], complete: boolean): Promise<RefreshReport> => {
    const started = performance.now();
    // The view is patched incrementally below, so it must hold what the database holds first.
    await loadNow();
    // To decide conflicts and reuse unchanged files while reading; the store checks it under its lock.
    known = await loadStoredCatalog(database, known);
    const stored = known.rows;
    const phases: Record<string, number> = { loadStored: elapsed(started) };
    // Only local files are read fast enough to hold the lock while they are read (a first load streams).
    const write = openRefreshWrite(database, known, { streamWhileReading: roots.every((root) => root.type === 'file') });
    let result: IngestResult;
    try {
      result = await ingestLocations(roots, {
        github,
        maxFileBytes: config.callboard.catalog.maxFileBytes,
        stored: (ref) => stored.get(ref),
        storedFrom: storedByFile(stored),
        cache: fileCache,
        folders: folderCache,
        reusableRoots,
        base: incrementalBase,
        onFinalEntities: (entities) => write.offer(entities),
        processors,
      });
    } catch (error) {
      await write.abandon();
      throw error;
    }
    phases.ingest = elapsed(started) - phases.loadStored!;
    // What the folders held does not depend on the store, so it is kept even if the write fails.
    folderCache = complete || result.folders === folderCache ? result.folders : new Map([...folderCache, ...result.folders]);
    // The view is patched while the rows are written (one is our CPU, the other the server's), and
    // put back if the store fails.
    let patching: Promise<() => void> | undefined;
    const onPlanned = (plan: RefreshSummary) => {
      const upserted = plan.changedRefs.map((ref) => result.entities.get(ref)!).filter(hasContent);
      patching = view.patch(plan.removedRefs, upserted);
      // Settled below, after the store: until then a failure must not count as unhandled.
      patching.catch(() => undefined);
    };
    let summary: RefreshSummary;
    try {
      ({ summary, stored: known } = await write.finish({ result, complete, onPlanned }));
    } catch (error) {
      known = undefined;
      if (patching) (await patching)();
      throw error;
    }
    await patching;
    // Kept only once stored: after a failed write the next refresh must process everything again.
    const cache = settledCache(result.cache);
    fileCache = complete ? cache : new Map([...fileCache, ...cache]);
    incrementalBase = nextIncrementalBase(result);
    reusableRoots = complete ? result.reusableRoots : new Set([...[...reusableRoots].filter((key) => !result.roots.has(key)), ...result.reusableRoots]);
    phases.store = elapsed(started) - phases.loadStored! - phases.ingest;
    log.debug({ phases }, 'catalog refresh phases (ms)');
    const report: RefreshReport = {
      ...summary,
      entities: view.size,
      files: result.fileCounts,
      folders: result.folderCounts,
      incremental: result.incremental,
      problems: result.problems,
      roots: Object.fromEntries(result.roots),
      durationMs: Math.round(performance.now() - started),
    };
    log.info(
      { added: report.added, updated: report.updated, removed: report.removed, kept: report.kept, files: report.files, folders: report.folders, incremental: report.incremental, problems: report.problems.length, durationMs: report.durationMs },
      'catalog refreshed',
    );
    return report;
  };

  return {
    view,
    get loaded() {
      return loaded;
    },
    load: () => serially(loadNow),
    refresh: (roots) =>
      serially(async () => {
        if (roots) return refreshOnce(roots, false);
        const configured = configuredRoots(config);
        const registered = (await registeredLocations(database.db)).map((location) => registeredRoot(location, config)).filter((root) => !configured.some((other) => other.key === root.key));
        return refreshOnce([...configured, ...registered], true);
      }),
    register: (location, registeredBy) =>
      serially(async () => {
        const root = registeredRoot(location, config);
        const report = await refreshOnce([root], false);
        const entityRefs = [...known!.rows.values()].filter((row) => row.originKey === root.key).map((row) => row.ref);
        if (entityRefs.length > 0) await recordRegisteredLocation(database.db, root.key, location, registeredBy);
        return { key: root.key, entityRefs, problems: report.problems };
      }),
    whoOwns: (query) => whoOwns(view, query, { opsgenieDomain: config.opsgenie?.domain }),
    ownersOfLinks: (urls) => links.lookup(urls),
    find: (query, options) => find(view, query, options),
    problems: () => listProblems(database.db),
    homeFor: async (person, moreProblems = []) => homeOverview(view, people, person, [...(await listProblems(database.db)), ...moreProblems]),
    userRefFor: (person) => people.find(person),
    whenIdle: () => serially(async () => undefined),
  };
}

/** The stored rows by the file they came from, indexed on first use (by a refresh that parses files in threads). */
function storedByFile(rows: ReadonlyMap<string, StoredEntityRow>): (locationKey: string) => StoredEntityHash[] | undefined {
  let byFile: Map<string, StoredEntityHash[]> | undefined;
  return (locationKey) => {
    if (!byFile) {
      byFile = new Map();
      for (const { ref, locationKey: key, contentHash } of rows.values()) {
        const entities = byFile.get(key);
        if (entities) entities.push({ ref, contentHash });
        else byFile.set(key, [{ ref, contentHash }]);
      }
    }
    return byFile.get(locationKey);
  };
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

/** A registered location as a refresh root, held to the catalog-wide rules like any configured location. */
function registeredRoot(location: RegisteredLocation, config: Config): RootLocation {
  const target = location.type === 'file' ? path.resolve(location.target) : location.target;
  const allowedKinds = allowedKindsOf(config);
  return { key: `${location.type}:${target}`, type: location.type, target, ...(allowedKinds ? { allowedKinds } : {}) };
}

/** The kinds catalog.rules allow, with a location's own rules added; undefined when no rule limits them. */
function allowedKindsOf(config: Config, locationRules?: CatalogRule[]): Set<string> | undefined {
  const globalAllowed = config.catalog.rules?.flatMap((rule) => rule.allow);
  const extra = locationRules?.flatMap((rule) => rule.allow);
  return globalAllowed || extra ? new Set([...(globalAllowed ?? []), ...(extra ?? [])]) : undefined;
}

/** Config locations and GitHub organisation providers as refresh roots; catalog.rules become allowed kinds. */
export function configuredRoots(config: Config, cwd = process.cwd()): RootLocation[] {
  const roots: RootLocation[] = config.catalog.locations.map((location) => {
    const target = location.type === 'file' ? path.resolve(cwd, location.target) : location.target;
    return { key: `${location.type}:${target}`, type: location.type, target, allowedKinds: allowedKindsOf(config, location.rules) };
  });
  for (const provider of Object.values(config.catalog.providers?.github ?? {})) {
    const host = provider.host ?? 'github.com';
    roots.push({
      key: `github-org:${host}/${provider.organization}`,
      type: 'github-org',
      target: provider.organization,
      host,
      catalogPath: provider.catalogPath,
      repositoryFilter: provider.filters?.repository,
      allowedKinds: allowedKindsOf(config),
    });
  }
  return roots;
}
