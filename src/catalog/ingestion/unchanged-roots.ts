import path from 'node:path';
import { processText, readLocalFile, type ProcessedFile } from './file-processing.js';
import type { IngestOptions, IngestResult, RootLocation } from './ingest-locations.js';
import { cacheHolds, cacheIn, emptyIngestResult, forCache, withSignature } from './ingest-result.js';
import { unchangedCatalogFiles, type FolderListings } from './local-files.js';

/** More changed files than this, and reading the roots in full, with parsing threads, is worth its start. */
const MAX_CHANGED_FILES = 256;

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
  if (roots.length === 0 || !options.cache || !options.folders || !options.reusableRoots) return undefined;
  const result = { ...emptyIngestResult(), incremental: true };
  const listings: FolderListings = { previous: options.folders, listed: result.folders, counts: result.folderCounts };
  for (const root of roots) {
    if (!(await takeRoot(root, options, listings, result))) return undefined;
    result.reusableRoots.add(root.key);
  }
  return result;
}

/** Adds the root's files to `result`; false when the root does not qualify (what was added is then of no use). */
async function takeRoot(root: RootLocation, options: IngestOptions, listings: FolderListings, result: IngestResult): Promise<boolean> {
  const cache = options.cache?.get(root.key);
  if (root.type !== 'file' || !cache || !options.reusableRoots?.has(root.key)) return false;
  const files = unchangedCatalogFiles(path.resolve(root.target), listings);
  if (!files || files.length !== cache.size) return false;
  const status = { status: 'ok' as const, keepUnread: false, entityCount: 0 };
  result.roots.set(root.key, status);
  const add = (key: string, produced: ProcessedFile, cached: ProcessedFile): boolean => {
    result.files.set(key, { originKey: root.key, contentHash: produced.contentHash });
    cacheIn(result, root.key, key, cached);
    for (const problem of produced.problems) {
      result.problems.push(problem);
      result.problemOrigins.set(problem, root.key);
    }
    for (const entity of produced.entities) {
      if (result.entities.has(entity.ref)) return false;
      result.entities.set(entity.ref, entity);
      status.entityCount += 1;
    }
    return true;
  };
  // Unchanged files are taken in this loop, without a promise each; the changed ones are processed after it.
  const changed: ChangedFile[] = [];
  for (const file of files) {
    const cached = cache.get(file.key);
    if (!cached || file.symlink) return false;
    result.fileCounts.found += 1;
    const outcome = checkFile(file, cached, options, result.fileCounts);
    if (!outcome) return false;
    if ('text' in outcome) {
      if (changed.push(outcome) > MAX_CHANGED_FILES) return false;
    } else if (!add(file.key, outcome, outcome)) {
      return false;
    }
  }
  for (const file of changed) {
    const produced = await processChanged(file, root, result.fileCounts);
    if (!produced) return false;
    const cached = withSignature(forCache(produced, { locationKey: file.key, originKey: root.key, file: file.path }), file.signature);
    if (!add(file.key, produced, cached)) return false;
  }
  return true;
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
async function processChanged(file: ChangedFile, root: RootLocation, counts: IngestResult['fileCounts']): Promise<ProcessedFile | undefined> {
  counts.parsed += 1;
  const source = { key: file.key, display: file.path, originKey: root.key, allowedKinds: root.allowedKinds };
  const produced = await processText(file.text, source, file.contentHash, () => Promise.reject(new Error('placeholders are read by a full refresh')));
  if (!produced.cacheable || !sameRefs(produced, file.cached) || produced.entities.some((entity) => entity.kind === 'Location')) return undefined;
  return produced;
}

function sameRefs(produced: ProcessedFile, cached: ProcessedFile): boolean {
  const before = new Set(cached.entities.map((entity) => entity.ref));
  return produced.entities.length === before.size && produced.entities.every((entity) => before.has(entity.ref));
}
