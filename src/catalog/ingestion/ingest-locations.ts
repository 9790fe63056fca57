import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NotFoundError, errorMessage } from '../../errors.js';
import { formatGitHubUrl, parseGitHubUrl, type GitHubClient, type GitHubUrl } from '../../github/github-client.js';
import type { CatalogProblem } from '../processing/catalog-problem.js';
import { entityOf, hasContent, type IngestedEntity, type ProcessedEntity } from '../processing/process-entity.js';
import { processText, readLocalFile, hashText, statLocalFile, type ProcessedFile } from './file-processing.js';
import { expandGlob, globBase, hasGlob, isInside, listCatalogFiles, type FolderCache, type FolderListings } from './local-files.js';
import { mapWithLimit } from './map-with-limit.js';
import { runProcessors, type EntityProcessor } from '../processing/run-processors.js';
import { defaultParseThreads, ParsePool } from './parse-pool.js';
import type { ParseOutcome } from './parse-worker.js';
import { cacheHolds, cacheIn, emptyIngestResult, forCache, withoutStoredContent, withSignature, type IngestResultDraft } from './ingest-result.js';
import { reuseUnchangedRoots, type IncrementalBase } from './unchanged-roots.js';

/** A configured starting point of a refresh: a config location, a GitHub organisation or a --catalog path. */
export interface RootLocation {
  key: string;
  type: 'file' | 'url' | 'github-org';
  target: string;
  /** For github-org: the path of the descriptor in each repository. */
  catalogPath?: string;
  /** For github-org: only repositories whose name matches this regular expression. */
  repositoryFilter?: string;
  host?: string;
  allowedKinds?: Set<string>;
}

export interface RootStatus {
  status: 'ok' | 'partial' | 'failed';
  /**
   * Something under this root failed for a reason other than "not found" (GitHub 5xx, rate limit,
   * revoked token, a refused file), or the root itself could not be read: the entities of files
   * not read this time are kept rather than deleted. Only a file that is really gone loses them.
   */
  keepUnread: boolean;
  error?: string;
  entityCount: number;
}

export interface IngestResult {
  /**
   * Winning entities by ref; a ref defined twice keeps its first (or already stored) source. Those
   * of files unchanged since the stored refresh are fingerprints: the store already holds them.
   */
  entities: ReadonlyMap<string, IngestedEntity>;
  problems: CatalogProblem[];
  /** Every file read successfully, by location key, with its content hash. */
  files: ReadonlyMap<string, FileRead>;
  roots: Map<string, RootStatus>;
  /** The processed files of this refresh, for the next one's `cache` option. */
  cache: FileCache;
  /** The local folders this refresh walked, for the next one's `folders` option. */
  folders: FolderCache;
  /** The root each problem was found under, so it is stored (and replaced) with that root. */
  problemOrigins: Map<CatalogProblem, string>;
  /**
   * Roots whose next refresh may check their files one by one instead of reading them afresh: one
   * folder walked, every file cacheable and found by that walk, no Location, no conflict, no failure.
   */
  reusableRoots: Set<string>;
  /** True when only files whose content changed were read and every other file's entities were the previous refresh's. */
  incremental: boolean;
  /** Files found, files whose text had to be read, files parsed (the rest were unchanged), and those a parsing thread handled. */
  fileCounts: { found: number; read: number; parsed: number; threaded: number };
  /** Local folders walked, and those whose entries had to be listed (the rest were unchanged). */
  folderCounts: { walked: number; listed: number };
}

/** A stored entity's ref and content hash. */
export interface StoredEntityHash {
  ref: string;
  contentHash: string;
}

/** A file a refresh read successfully: the root it was found under and its content hash. */
export interface FileRead {
  originKey: string;
  contentHash: string;
}

export interface IngestOptions {
  /** GitHub client per host (github.com, a GitHub Enterprise host); URLs on other hosts are refused. */
  github: (host: string) => GitHubClient | undefined;
  maxFileBytes: number;
  /**
   * Where each ref is stored now and its content hash: a conflict keeps the current owner of a ref,
   * and a cached file is reused only while the store still holds what it produced.
   */
  stored?: (ref: string) => (StoredEntityHash & { locationKey: string }) | undefined;
  /**
   * The refs stored from one file and their content hashes: a parsing thread hands back only the
   * fingerprint of an entity stored as it is, not its content (the first refresh after a start
   * reads every file again, and would otherwise copy the whole catalog from the threads).
   */
  storedFrom?: (locationKey: string) => StoredEntityHash[] | undefined;
  /** The previous refresh's processed files: an unchanged file whose entities are stored as they were is not parsed again. */
  cache?: FileCache;
  /** The previous refresh's folder listings: an unchanged folder is not listed again. */
  folders?: FolderCache;
  /** The previous refresh's `reusableRoots`: when nothing but file contents changed under them, only those files are read. */
  reusableRoots?: Set<string>;
  /** What such a refresh lays its changes over (see `IncrementalBase`). */
  base?: IncrementalBase;
  concurrency?: number;
  /**
   * Worker threads for reading and processing local files (default: one per core, up to four),
   * used once a walk finds at least `minFiles` (default 1,000); threads 0 keeps it all in this thread.
   * `heapLimitMb` bounds each thread's heap (default 512).
   */
  parsing?: { threads?: number; minFiles?: number; heapLimitMb?: number };
  /** Catalog processors (plugins'), run over every freshly read entity in turn. */
  processors?: EntityProcessor[];
  /** Told each file's entities as soon as they are final: new winners of refs no other file can take from them. */
  onFinalEntities?: (entities: ProcessedEntity[]) => void;
}

type Target =
  | {
      type: 'file';
      path: string;
      confineTo?: string;
      optional: boolean;
      parent: string;
      /** Found by walking a folder already checked to be inside `confineTo`, and not a link: no realpath needed. */
      walked?: boolean;
      /** The location key, when the walk made it already. */
      key?: string;
    }
  | { type: 'url'; url: GitHubUrl; optional: boolean; parent: string };

interface SourceFile {
  key: string;
  display: string;
  contentHash: string;
  /** Already processed by a parsing thread. */
  processed?: ProcessedFile;
  /** The text: read already, or (a local file whose signature matches the cache) read only if it must be parsed. */
  text: () => string;
  /** Size, times and inode of a local file, when old enough to trust: the same signature means the same content. */
  signature?: string;
  /** Resolves a relative reference from inside this file (Location targets, placeholders). */
  origin: Target;
}

/**
 * Walks every root: reads files, follows Location entities (relative file targets, globs, GitHub
 * URLs), discovers descriptors across GitHub organisations, and processes each document. Nothing
 * here writes to the database; the store applies the result in one transaction.
 */
export async function ingestLocations(roots: RootLocation[], options: IngestOptions): Promise<IngestResult> {
  const reused = await reuseUnchangedRoots(roots, options);
  if (reused) return reused;
  const result = emptyIngestResult();
  const threads = options.parsing?.threads ?? defaultParseThreads();
  let pool: ParsePool | undefined;
  const walk: Walk = {
    pool: (files) =>
      threads > 0 && files >= (options.parsing?.minFiles ?? 1_000) ? (pool ??= new ParsePool(threads, options.parsing?.heapLimitMb)) : undefined,
    listings: { previous: options.folders, listed: result.folders, counts: result.folderCounts },
  };
  try {
    for (const root of roots) {
      const firstProblem = result.problems.length;
      await ingestRoot(root, options, result, walk);
      for (const problem of result.problems.slice(firstProblem)) result.problemOrigins.set(problem, root.key);
    }
  } finally {
    await pool?.close();
  }
  return result;
}

/** What every root's walk shares: the parsing threads (started the first time a walk finds enough files to be worth them) and folder listings. */
interface Walk {
  pool: (files: number) => ParsePool | undefined;
  listings: FolderListings;
}

/** Walks one root, recording its status and adding what it yields to `result`. */
async function ingestRoot(root: RootLocation, options: IngestOptions, result: IngestResultDraft, walk: Walk): Promise<void> {
  const concurrency = options.concurrency ?? 32;
  const status: RootStatus = { status: 'ok', keepUnread: false, entityCount: 0 };
  result.roots.set(root.key, status);
  const reuse = { possible: root.type === 'file' };
  const seen = new Set<string>();
  const fail = (file: string, error: unknown, optional = false) => {
    if (optional && error instanceof NotFoundError) return;
    const keep = !(error instanceof NotFoundError);
    status.keepUnread ||= keep;
    status.status = 'partial';
    status.error ??= errorMessage(error);
    result.problems.push({ severity: 'error', file, message: keep ? `${errorMessage(error)} (kept the entities read before)` : errorMessage(error) });
  };

  // Not even the root could be read (an unmounted folder, a missing organisation): keep all it had.
  const rootFailed = (error: unknown) => {
    fail(root.target, error);
    status.status = 'failed';
    status.keepUnread = true;
  };
  let frontier: Target[];
  try {
    frontier = await rootTargets(root, options);
  } catch (error) {
    rootFailed(error);
    return;
  }
  const rootTargetKeys = new Set(frontier.map(targetKey));
  while (frontier.length > 0) {
    const expanded = (
      await mapWithLimit(frontier, concurrency, async (target) => {
        try {
          return await expandTarget(target, options, walk.listings);
        } catch (error) {
          if (rootTargetKeys.has(targetKey(target))) rootFailed(error);
          else fail(target.parent, error, target.optional);
          return [];
        }
      })
    ).flat();
    const fresh = expanded.filter((target) => {
      const key = targetKey(target);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const reads = startReads(fresh, root, options, result.fileCounts, walk);
    // Awaited one by one below; a read failing before its turn must not count as unhandled meanwhile.
    for (const read of reads) if (read instanceof Promise) read.catch(() => undefined);
    // In order, so the first definition of a ref is always the same one; later files are read
    // meanwhile. An unchanged file is handled without a promise: on a re-sync that is nearly all of them.
    const next: Target[] = [];
    for (let index = 0; index < reads.length; index++) {
      const read = reads[index];
      let file: SourceFile | undefined;
      try {
        file = read instanceof Promise ? await read : read;
      } catch (error) {
        const target = fresh[index]!;
        fail(target.type === 'file' ? target.path : formatGitHubUrl(target.url), error, target.optional);
        continue;
      }
      if (!file) continue;
      if (file.origin.type !== 'file' || !file.origin.walked) reuse.possible = false;
      try {
        const found = processFile(file, root, options, result, status, reuse);
        next.push(...(found instanceof Promise ? await found : found));
      } catch (error) {
        // A file read only now (its cache could not be reused) can fail like any other read.
        fail(file.display, error);
      }
    }
    frontier = next;
  }
  if (reuse.possible && status.status === 'ok') result.reusableRoots.add(root.key);
}

async function rootTargets(root: RootLocation, options: IngestOptions): Promise<Target[]> {
  if (root.type === 'file') return [{ type: 'file', path: path.resolve(root.target), optional: false, parent: root.target }];
  if (root.type === 'url') {
    const url = parseGitHubUrl(root.target);
    if (!url) throw new Error(`${root.target} is not a GitHub file URL (https://<host>/<owner>/<repo>/blob/<ref>/<path>)`);
    return [{ type: 'url', url, optional: false, parent: root.target }];
  }
  const host = root.host ?? 'github.com';
  const client = clientFor(host, options);
  const repositories = await client.listOrganizationRepositories(root.target);
  const filter = root.repositoryFilter ? new RegExp(root.repositoryFilter) : undefined;
  const catalogPath = (root.catalogPath ?? 'catalog-info.yaml').replace(/^\/+/, '');
  const targets: Target[] = [];
  for (const repository of repositories) {
    if (repository.archived || (filter && !filter.test(repository.name))) continue;
    targets.push({
      type: 'url',
      url: { host, owner: repository.owner, repo: repository.name, ref: repository.defaultBranch, path: catalogPath },
      // A repository without a descriptor is normal during discovery, not a problem.
      optional: true,
      parent: repository.htmlUrl,
    });
  }
  return targets;
}

function clientFor(host: string, options: IngestOptions): GitHubClient {
  const client = options.github(host);
  if (!client) throw new Error(`no GitHub integration is configured for ${host}; add it under integrations.github (host, apiBaseUrl, token)`);
  return client;
}

function targetKey(target: Target): string {
  return target.type === 'file' ? fileKey(target) : `url:${formatGitHubUrl(target.url)}`;
}

function fileKey(target: Target & { type: 'file' }): string {
  return target.key ?? `file:${target.path}`;
}

/** Folders become their YAML files, globs their matches; a plain file or URL stays as it is. */
async function expandTarget(target: Target, options: IngestOptions, listings: FolderListings): Promise<Target[]> {
  if (target.type === 'url') {
    if (!hasGlob(target.url.path)) return [target];
    const { default: picomatch } = await import('picomatch');
    const matches = picomatch(target.url.path);
    const files = await clientFor(target.url.host, options).listFiles(target.url);
    return files.filter((file) => matches(file)).map((file) => ({ ...target, url: { ...target.url, path: file } }));
  }
  if (hasGlob(target.path)) {
    await assertConfined(globBase(target.path), target);
    const files = await expandGlob(target.path, listings);
    return files.map((file) => ({ ...target, path: file.path, key: file.key, walked: !file.symlink }));
  }
  const stat = await fs.stat(target.path).catch(notFoundAs(target.path));
  if (!stat.isDirectory()) return [target];
  await assertConfined(target.path, target);
  const files = await listCatalogFiles(target.path, listings);
  return files.map((file) => ({ ...target, path: file.path, key: file.key, optional: false, walked: !file.symlink }));
}

/** A folder named by a Location must really be inside the Location's folder (it may be a link). */
async function assertConfined(folder: string, target: { path: string; confineTo?: string }): Promise<void> {
  if (!target.confineTo) return;
  // A glob base that does not exist holds nothing to read; the walk reports it.
  await realPathInside(folder, target.confineTo, target.path).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
}

/** The real path of `candidate`, refused when links take it outside `folder`. */
async function realPathInside(candidate: string, folder: string | undefined, label: string): Promise<string> {
  const real = await fs.realpath(candidate).catch(notFoundAs(label));
  if (folder && !isInside(await fs.realpath(folder), real)) {
    throw new Error(`${label} resolves outside ${folder} (a symbolic link?); refused`);
  }
  return real;
}

/** A catch handler turning "no such file" into NotFoundError, the one failure that lets a refresh drop entities. */
function notFoundAs(label: string): (error: NodeJS.ErrnoException) => never {
  return (error) => {
    if (error.code === 'ENOENT') throw new NotFoundError(`${label} does not exist`);
    throw error;
  };
}

async function readTarget(target: Target, root: RootLocation, options: IngestOptions, counts: IngestResult['fileCounts']): Promise<SourceFile | undefined> {
  counts.found += 1;
  if (target.type === 'url') {
    counts.read += 1;
    const text = await clientFor(target.url.host, options).readFile(target.url);
    if (Buffer.byteLength(text) > options.maxFileBytes) throw new Error(`${formatGitHubUrl(target.url)} is larger than ${options.maxFileBytes} bytes; refused`);
    const display = formatGitHubUrl(target.url);
    return { key: `url:${display}`, display, contentHash: hashText(text), text: () => text, origin: target };
  }
  const real = target.walked ? target.path : await realPathInside(target.path, target.confineTo, target.path);
  const key = fileKey(target);
  const read = readLocalFile(real, target.path, options.maxFileBytes, cachedFile(options, root, key));
  if (read.type === 'folder') return undefined;
  const source = { key, display: target.path, signature: read.signature, origin: target };
  if (read.type === 'unchanged') return { ...source, contentHash: read.contentHash, text: readWhenNeeded(real, target.path, options.maxFileBytes, counts) };
  counts.read += 1;
  return { ...source, contentHash: read.contentHash, text: () => read.text };
}

/**
 * Reads a file only if its text turns out to be needed (its cached entities are no longer stored
 * as they were), with the same checks as a first read. Should it have changed meanwhile, the next
 * refresh sees a new signature and reads it again.
 */
function readWhenNeeded(real: string, label: string, maxFileBytes: number, counts: IngestResult['fileCounts'] | undefined): () => string {
  return () => {
    const read = readLocalFile(real, label, maxFileBytes);
    if (read.type !== 'read') throw new Error(`${label} is no longer a file`);
    if (counts) counts.read += 1;
    return read.text;
  };
}

/** Files per job sent to a parsing thread: enough to make a message worth its cost, few enough to keep every thread busy. */
const PARSE_JOB_FILES = 64;

/**
 * Starts reading every target: walked local files go to the parsing threads when there are
 * enough of them, the rest are read here a few at a time. Each promise settles with its file.
 */
/** Each target's file: at once when it is unchanged, else a read (in this thread or a parsing one) under way. */
function startReads(targets: Target[], root: RootLocation, options: IngestOptions, counts: IngestResult['fileCounts'], walk: Walk): (SourceFile | Promise<SourceFile | undefined>)[] {
  const threaded = (target: Target): target is Target & { type: 'file' } => target.type === 'file' && target.walked === true;
  const reads = new Array<SourceFile | Promise<SourceFile | undefined>>(targets.length);
  // An unchanged file costs one stat here, far less than a message to a thread and back.
  let unchanged = 0;
  targets.forEach((target, index) => {
    const file = threaded(target) ? unchangedWalkedFile(target, root, options, counts) : undefined;
    if (file) {
      reads[index] = file;
      unchanged += 1;
    }
  });
  const pool = walk.pool(targets.filter(threaded).length - unchanged);
  const here: number[] = [];
  let job: number[] = [];
  const send = () => {
    const indexes = job;
    job = [];
    const files = indexes.map((index) => {
      const target = targets[index] as Target & { type: 'file' };
      const key = fileKey(target);
      const cached = cachedFile(options, root, key);
      // With processors, what is stored is their output, so a thread cannot tell an unchanged entity by its hash before them.
      const stored = cached || options.processors?.length ? undefined : options.storedFrom?.(key);
      return { path: target.path, key, cached: cached && { signature: cached.signature, contentHash: cached.contentHash }, stored };
    });
    const outcomes = pool!.run({ originKey: root.key, allowedKinds: root.allowedKinds && [...root.allowedKinds], maxFileBytes: options.maxFileBytes, files });
    indexes.forEach((index, position) => {
      const target = targets[index] as Target & { type: 'file' };
      // Without its thread (it died, or threads cannot start here) the file is read in this one.
      reads[index] = outcomes.then(
        (all) => sourceOf(target, all[position]!, options.maxFileBytes, counts),
        () => readTarget(target, root, options, counts),
      );
    });
  };
  targets.forEach((target, index) => {
    if (reads[index]) return;
    if (pool && threaded(target)) {
      job.push(index);
      if (job.length === PARSE_JOB_FILES) send();
    } else {
      here.push(index);
    }
  });
  if (job.length > 0) send();
  const readHere = mapWithLimit(here, options.concurrency ?? 32, (index) =>
    readTarget(targets[index]!, root, options, counts).then(
      (file) => ({ file }),
      (error: unknown) => ({ error }),
    ),
  );
  here.forEach((index, position) => {
    reads[index] = readHere.then((all) => {
      const settled = all[position]!;
      if ('error' in settled) throw settled.error;
      return settled.file;
    });
  });
  return reads;
}

/** A walked file (not a link) whose trusted signature matches the cache's, else undefined (errors included: the usual read reports them). */
function unchangedWalkedFile(target: Target & { type: 'file' }, root: RootLocation, options: IngestOptions, counts: IngestResult['fileCounts']): SourceFile | undefined {
  const key = fileKey(target);
  const cached = cachedFile(options, root, key);
  if (cached?.signature === undefined) return undefined;
  let stat;
  try {
    stat = statLocalFile(target.path, target.path, options.maxFileBytes);
  } catch {
    return undefined;
  }
  if (stat.type !== 'file' || stat.signature !== cached.signature) return undefined;
  counts.found += 1;
  return { key, display: target.path, signature: stat.signature, origin: target, contentHash: cached.contentHash, text: readWhenNeeded(target.path, target.path, options.maxFileBytes, counts) };
}

/** A parsing thread's outcome as the file the refresh processes. */
function sourceOf(target: Target & { type: 'file' }, outcome: ParseOutcome, maxFileBytes: number, counts: IngestResult['fileCounts']): SourceFile | undefined {
  counts.found += 1;
  counts.threaded += 1;
  if (outcome.type === 'folder') return undefined;
  if (outcome.type === 'failed') throw outcome.notFound ? new NotFoundError(`${target.path} does not exist`) : new Error(outcome.message);
  const source = { key: fileKey(target), display: target.path, signature: outcome.signature, origin: target };
  if (outcome.type === 'unchanged') {
    if (outcome.read) counts.read += 1;
    // A file the thread read already is counted once, however often it is read again.
    return { ...source, contentHash: outcome.contentHash, text: readWhenNeeded(target.path, target.path, maxFileBytes, outcome.read ? undefined : counts) };
  }
  counts.read += 1;
  if (outcome.type === 'text') return { ...source, contentHash: outcome.contentHash, text: () => outcome.text };
  return { ...source, contentHash: outcome.processed.contentHash, processed: outcome.processed, text: readWhenNeeded(target.path, target.path, maxFileBytes, undefined) };
}

/** Processed files by root key, then location key; pass the previous refresh's `result.cache` to the next one. */
export type FileCache = ReadonlyMap<string, ReadonlyMap<string, ProcessedFile>>;

function cachedFile(options: IngestOptions, root: RootLocation, key: string): ProcessedFile | undefined {
  return options.cache?.get(root.key)?.get(key);
}

/** Whether a root's next refresh may check its files one by one; any file that rules it out says so here. */
interface Reuse {
  possible: boolean;
}

/** Adds the file's entities to the result; synchronous unless the file must be parsed first. */
function processFile(file: SourceFile, root: RootLocation, options: IngestOptions, result: IngestResultDraft, status: RootStatus, reuse: Reuse): Target[] | Promise<Target[]> {
  const { contentHash } = file;
  const cached = cachedFile(options, root, file.key);
  const add = (processed: ProcessedFile, reused?: ProcessedFile) => addProcessedFile(processed, reused, file, root, options, result, status, reuse);
  if (cacheHolds(cached, contentHash, options.stored)) return add(cached, cached);
  result.fileCounts.parsed += 1;
  const processors = options.processors ?? [];
  if (file.processed) return processors.length > 0 ? runProcessors(file.processed, processors).then((processed) => add(processed)) : add(file.processed);
  return parseAndProcess(file, root, options, contentHash).then((processed) => runProcessors(processed, processors)).then((processed) => add(processed));
}

function addProcessedFile(
  processedFile: ProcessedFile,
  reused: ProcessedFile | undefined,
  file: SourceFile,
  root: RootLocation,
  options: IngestOptions,
  result: IngestResultDraft,
  status: RootStatus,
  reuse: Reuse,
): Target[] {
  const { contentHash } = file;
  const source = { locationKey: file.key, originKey: root.key, file: file.display };
  // Only now is the file read: a failure above keeps the entities it had.
  result.files.set(file.key, { originKey: root.key, contentHash });
  if (processedFile.cacheable) {
    cacheIn(result, root.key, file.key, withSignature(reused ?? forCache(processedFile, source, options.stored), file.signature));
  } else {
    reuse.possible = false;
  }
  result.problems.push(...processedFile.problems);
  const next: Target[] = [];
  const final: ProcessedEntity[] = [];
  for (const processed of processedFile.entities) {
    const existing = result.entities.get(processed.ref);
    if (existing) {
      const storedAt = options.stored?.(processed.ref)?.locationKey;
      const [winner, loser] = storedAt === processed.locationKey ? [processed, existing] : [existing, processed];
      result.entities.set(processed.ref, winner);
      reuse.possible = false;
      result.problems.push({
        severity: 'error',
        file: loser.file,
        line: loser.line,
        document: loser.document,
        ref: processed.ref,
        message: `conflict: ${processed.ref} is already defined in ${winner.file}:${winner.line}; this definition is ignored`,
      });
      continue;
    }
    // A first refresh after a restart reads every file again, and would otherwise keep the whole
    // catalog's JSON until the store is done.
    result.entities.set(processed.ref, withoutStoredContent(processed, options.stored, source));
    status.entityCount += 1;
    // Only a later definition at the ref's stored location could take it over.
    const storedAt = options.stored?.(processed.ref)?.locationKey;
    if (hasContent(processed) && (storedAt === undefined || storedAt === processed.locationKey)) final.push(processed);
    if (processed.kind === 'Location') reuse.possible = false;
    if (processed.kind === 'Location' && hasContent(processed)) {
      for (const target of locationTargets(processed, file, result)) next.push(target);
    }
  }
  if (final.length > 0) options.onFinalEntities?.(final);
  return next;
}

function parseAndProcess(file: SourceFile, root: RootLocation, options: IngestOptions, contentHash: string): Promise<ProcessedFile> {
  const source = { key: file.key, display: file.display, originKey: root.key, allowedKinds: root.allowedKinds };
  return processText(file.text(), source, contentHash, (target) => readPlaceholder(file, target, options));
}

/** A Location's targets, resolved against the file that holds it and kept inside its folder. */
function locationTargets(location: ProcessedEntity, file: SourceFile, result: IngestResultDraft): Target[] {
  const spec = entityOf(location).spec ?? {};
  const optional = spec.presence === 'optional';
  const declared = [spec.target, ...(Array.isArray(spec.targets) ? spec.targets : [])].filter((t): t is string => typeof t === 'string');
  const parentType = file.origin.type;
  const type = typeof spec.type === 'string' ? spec.type : parentType;
  const targets: Target[] = [];
  const refuse = (message: string) =>
    result.problems.push({ severity: 'error', file: file.display, line: location.line, document: location.document, ref: location.ref, message });
  for (const declaredTarget of declared) {
    if (type === 'file') {
      if (file.origin.type !== 'file') {
        refuse(`file target "${declaredTarget}" is refused in a Location read from a URL; use a url target`);
        continue;
      }
      const folder = path.dirname(file.origin.path);
      if (path.isAbsolute(declaredTarget)) {
        refuse(`target "${declaredTarget}" is an absolute path; use a path relative to ${file.display} inside its folder`);
        continue;
      }
      const resolved = path.resolve(folder, declaredTarget);
      if (!isInside(folder, resolved)) {
        refuse(`target "${declaredTarget}" leaves the folder ${folder}; only files inside it may be named`);
        continue;
      }
      targets.push({ type: 'file', path: resolved, confineTo: folder, optional, parent: file.display });
    } else if (type === 'url') {
      const base = file.origin.type === 'url' ? formatGitHubUrl(file.origin.url) : undefined;
      let absolute: string;
      try {
        absolute = new URL(declaredTarget, base).href;
      } catch {
        refuse(`target "${declaredTarget}" is not a URL`);
        continue;
      }
      const url = parseGitHubUrl(absolute);
      if (!url) {
        refuse(`target "${declaredTarget}" is not a GitHub file URL (https://<host>/<owner>/<repo>/blob/<ref>/<path>)`);
        continue;
      }
      targets.push({ type: 'url', url, optional, parent: file.display });
    } else {
      refuse(`location type "${type}" is not supported; use file or url`);
    }
  }
  return targets;
}

async function readPlaceholder(file: SourceFile, target: string, options: IngestOptions): Promise<string> {
  if (file.origin.type === 'file' && !/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    const folder = path.dirname(file.origin.path);
    const resolved = path.resolve(folder, target);
    if (path.isAbsolute(target) || !isInside(folder, resolved)) throw new Error(`"${target}" is outside ${folder}; refused`);
    const real = await realPathInside(resolved, folder, `"${target}"`);
    const stat = await fs.stat(real);
    if (stat.size > options.maxFileBytes) throw new Error(`"${target}" is larger than ${options.maxFileBytes} bytes; refused`);
    return fs.readFile(real, 'utf8');
  }
  const base = file.origin.type === 'url' ? formatGitHubUrl(file.origin.url) : undefined;
  const url = parseGitHubUrl(new URL(target, base).href);
  if (!url) throw new Error(`"${target}" is not a GitHub file URL; only configured GitHub hosts are read`);
  return clientFor(url.host, options).readFile(url);
}
