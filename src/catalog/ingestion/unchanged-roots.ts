import path from 'node:path';
import { fingerprintOf, hasContent, type IngestedEntity } from '../processing/process-entity.js';
import { runProcessors, type EntityProcessor } from '../processing/run-processors.js';
import { processText, readLocalFile, type ProcessedFile } from './file-processing.js';
import type { FileRead, IngestOptions, IngestResult, RootLocation } from './ingest-locations.js';
import { cacheHolds, emptyIngestResult, forCache, withSignature } from './ingest-result.js';
import { unchangedCatalogFiles } from './local-files.js';
import { OverlayMap } from './overlay-map.js';

/** More changed files than this, and reading the roots in full, with parsing threads, is worth its start. */
const MAX_CHANGED_FILES = 256;

/**
 * What a refresh leaves for an incremental one after it: every entity and file of its roots as
 * stored. An incremental refresh lays its few changes over these instead of building them again,
 * and they take the changes in place once it is stored.
 */
export interface IncrementalBase {
  rootKeys: string[];
  entities: Map<string, IngestedEntity>;
  files: Map<string, FileRead>;
}

/**
 * Refreshes roots in which nothing but the contents of some files changed: no folder gained or lost
 * an entry, and each changed file still defines exactly the entities it did. Only those files are
 * read; every other file's entities are the previous refresh's, as a full read would find them,
 * since no ref can change hands. Undefined when any root does not qualify, and is then read in
 * full: one the previous refresh could not reuse (see `reusableRoots`), a changed folder, a changed
 * file that now defines other entities or reads placeholders, or a row the store no longer holds as
 * it was (another replica wrote it).
 */
export async function reuseUnchangedRoots(roots: RootLocation[], options: IngestOptions): Promise<IngestResult | undefined> {
  const { base, cache, folders, reusableRoots } = options;
  if (roots.length === 0 || !cache || !folders || !reusableRoots || !base || !sameKeys(base.rootKeys, roots)) return undefined;
  // The previous folder listings stand: every folder is checked unchanged below.
  const result = { ...emptyIngestResult(), entities: new OverlayMap(base.entities), files: new OverlayMap(base.files), cache: new Map(), folders, incremental: true };
  for (const root of roots) {
    const rootCache = cache.get(root.key);
    if (root.type !== 'file' || !rootCache || !(rootCache instanceof Map) || !reusableRoots.has(root.key)) return undefined;
    const cacheChanges = new OverlayMap(rootCache);
    if (!(await takeRoot(root, rootCache, options, result, cacheChanges))) return undefined;
    result.cache.set(root.key, cacheChanges);
    result.reusableRoots.add(root.key);
  }
  return result;
}

function sameKeys(keys: string[], roots: RootLocation[]): boolean {
  return keys.length === roots.length && roots.every((root, index) => root.key === keys[index]);
}

type IncrementalResult = Omit<IngestResult, 'entities' | 'files'> & { entities: OverlayMap<string, IngestedEntity>; files: OverlayMap<string, FileRead> };

/** Checks the root's files, recording what changed in `result` and `cache`; false when the root does not qualify (what was recorded is then of no use). */
async function takeRoot(
  root: RootLocation,
  rootCache: ReadonlyMap<string, ProcessedFile>,
  options: IngestOptions,
  result: IncrementalResult,
  cache: OverlayMap<string, ProcessedFile>,
): Promise<boolean> {
  const files = unchangedCatalogFiles(path.resolve(root.target), result.folders, result.folderCounts);
  if (!files || files.length !== rootCache.size) return false;
  const status = { status: 'ok' as const, keepUnread: false, entityCount: 0 };
  result.roots.set(root.key, status);
  const take = (produced: ProcessedFile) => {
    status.entityCount += produced.entities.length;
    for (const problem of produced.problems) {
      result.problems.push(problem);
      result.problemOrigins.set(problem, root.key);
    }
  };
  // Unchanged files are taken in this loop, without a promise each; the changed ones are processed after it.
  const changed: ChangedFile[] = [];
  for (const file of files) {
    const cached = rootCache.get(file.key);
    if (!cached || file.symlink) return false;
    result.fileCounts.found += 1;
    const outcome = checkFile(file, cached, options, result.fileCounts);
    if (!outcome) return false;
    if ('text' in outcome) {
      if (changed.push(outcome) > MAX_CHANGED_FILES) return false;
      continue;
    }
    // The same content under a new signature (touched, or copied back).
    if (outcome !== cached) cache.set(file.key, outcome);
    take(outcome);
  }
  for (const file of changed) {
    const produced = await processChanged(file, root, result.fileCounts, options.processors ?? []);
    if (!produced) return false;
    take(produced);
    result.files.set(file.key, { originKey: root.key, contentHash: produced.contentHash });
    cache.set(file.key, withSignature(forCache(produced, { locationKey: file.key, originKey: root.key, file: file.path }), file.signature));
    for (const entity of produced.entities) result.entities.set(entity.ref, entity);
  }
  return true;
}

/**
 * The base the next refresh may lay its changes over, once `result` is stored: an incremental
 * result's changes are written into the base it was laid over; a full read's roots, when every
 * one may be refreshed incrementally, make a new base from their cached files.
 */
export function nextIncrementalBase(result: IngestResult): IncrementalBase | undefined {
  const rootKeys = [...result.roots.keys()];
  if (rootKeys.length === 0 || !rootKeys.every((key) => result.reusableRoots.has(key))) return undefined;
  if (result.entities instanceof OverlayMap && result.files instanceof OverlayMap) {
    // The base keeps fingerprints: the content of an entity lives in the store and the view.
    const entities = (result.entities as OverlayMap<string, IngestedEntity>).settle((entity) => (hasContent(entity) ? fingerprintOf(entity) : entity));
    return { rootKeys, entities, files: (result.files as OverlayMap<string, FileRead>).settle() };
  }
  const entities = new Map<string, IngestedEntity>();
  for (const key of rootKeys) for (const file of result.cache.get(key)?.values() ?? []) for (const entity of file.entities) entities.set(entity.ref, entity);
  return { rootKeys, entities, files: new Map(result.files) };
}

/** Writes an incremental result's cache changes into the caches they were laid over; a full read's cache is returned as it is. */
export function settledCache(cache: IngestResult['cache']): IngestResult['cache'] {
  return new Map([...cache].map(([key, files]) => [key, files instanceof OverlayMap ? (files as OverlayMap<string, ProcessedFile>).settle() : files]));
}

/** A file whose content changed, read and waiting to be processed. */
interface ChangedFile {
  path: string;
  key: string;
  cached: ProcessedFile;
  text: string;
  contentHash: string;
  signature?: string;
}

/** The file unchanged (its cache entry, under a new signature if it has one) or changed and read; undefined when it no longer qualifies. */
function checkFile(file: { path: string; key: string }, cached: ProcessedFile, options: IngestOptions, counts: IngestResult['fileCounts']): ProcessedFile | ChangedFile | undefined {
  let read;
  try {
    read = readLocalFile(file.path, file.path, options.maxFileBytes, cached);
  } catch {
    return undefined;
  }
  if (read.type === 'folder') return undefined;
  if (read.type === 'read') counts.read += 1;
  if (read.contentHash === cached.contentHash) return cacheHolds(cached, read.contentHash, options.stored) ? withSignature(cached, read.signature) : undefined;
  if (read.type !== 'read') return undefined;
  return { path: file.path, key: file.key, cached, text: read.text, contentHash: read.contentHash, signature: read.signature };
}

/** A changed file processed, when it still defines exactly the entities it did, reads no placeholder and holds no Location. */
async function processChanged(file: ChangedFile, root: RootLocation, counts: IngestResult['fileCounts'], processors: EntityProcessor[]): Promise<ProcessedFile | undefined> {
  counts.parsed += 1;
  const source = { key: file.key, display: file.path, originKey: root.key, allowedKinds: root.allowedKinds };
  const produced = await runProcessors(await processText(file.text, source, file.contentHash, () => Promise.reject(new Error('placeholders are read by a full refresh'))), processors);
  if (!produced.cacheable || !sameRefs(produced, file.cached) || produced.entities.some((entity) => entity.kind === 'Location')) return undefined;
  return produced;
}

/** The same refs, once each: a ref defined twice in the file is a conflict, which only a full read reports. */
function sameRefs(produced: ProcessedFile, cached: ProcessedFile): boolean {
  const before = new Set(cached.entities.map((entity) => entity.ref));
  const now = new Set(produced.entities.map((entity) => entity.ref));
  return produced.entities.length === now.size && now.size === before.size && [...now].every((ref) => before.has(ref));
}
