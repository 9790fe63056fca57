import path from 'node:path';
import { processText, readLocalFile, type ProcessedFile } from './file-processing.js';
import type { IngestOptions, IngestResult, RootLocation } from './ingest-locations.js';
import { cacheIn, emptyIngestResult, forCache, isStoredAsIs } from './ingest-result.js';
import { unchangedCatalogFiles, type FolderListings } from './local-files.js';

/** More changed files than this, and reading the roots in full, with parsing threads, is worth its start. */
const MAX_CHANGED_FILES = 256;

/** A file as this refresh takes it: what its entities and problems come from, and what the next refresh keeps of it. */
interface TakenFile {
  key: string;
  produced: ProcessedFile;
  cached: ProcessedFile;
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
  if (roots.length === 0 || !options.cache || !options.folders || !options.reusableRoots) return undefined;
  const result = { ...emptyIngestResult(), incremental: true };
  const listings: FolderListings = { previous: options.folders, listed: result.folders, counts: result.folderCounts };
  for (const root of roots) {
    const taken = await takeRoot(root, options, listings, result.fileCounts);
    if (!taken) return undefined;
    const status = { status: 'ok' as const, keepUnread: false, entityCount: 0 };
    result.roots.set(root.key, status);
    for (const { key, produced, cached } of taken) {
      result.files.set(key, { originKey: root.key, contentHash: produced.contentHash });
      cacheIn(result, root.key, key, cached);
      for (const problem of produced.problems) {
        result.problems.push(problem);
        result.problemOrigins.set(problem, root.key);
      }
      for (const entity of produced.entities) {
        if (result.entities.has(entity.ref)) return undefined;
        result.entities.set(entity.ref, entity);
        status.entityCount += 1;
      }
    }
    result.reusableRoots.add(root.key);
  }
  return result;
}

async function takeRoot(root: RootLocation, options: IngestOptions, listings: FolderListings, counts: IngestResult['fileCounts']): Promise<TakenFile[] | undefined> {
  const cache = options.cache?.get(root.key);
  if (root.type !== 'file' || !cache || !options.reusableRoots?.has(root.key)) return undefined;
  const files = unchangedCatalogFiles(path.resolve(root.target), listings);
  if (!files || files.length !== cache.size) return undefined;
  // Checked in this loop without a promise each (nearly every file is unchanged); the changed ones are processed after it.
  const taken: (TakenFile | ChangedFile)[] = [];
  let changed = 0;
  for (const file of files) {
    const cached = cache.get(file.key);
    if (!cached || file.symlink) return undefined;
    counts.found += 1;
    const outcome = checkFile(file, cached, options, counts);
    if (!outcome) return undefined;
    if ('text' in outcome && ++changed > MAX_CHANGED_FILES) return undefined;
    taken.push(outcome);
  }
  const processed: TakenFile[] = [];
  for (const outcome of taken) {
    const file = 'text' in outcome ? await processChanged(outcome, root, counts) : outcome;
    if (!file) return undefined;
    processed.push(file);
  }
  return processed;
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
function checkFile(file: { path: string; key: string }, cached: ProcessedFile, options: IngestOptions, counts: IngestResult['fileCounts']): TakenFile | ChangedFile | undefined {
  let read;
  try {
    read = readLocalFile(file.path, file.path, options.maxFileBytes, cached);
  } catch {
    return undefined;
  }
  if (read.type === 'folder') return undefined;
  if (read.type === 'read') counts.read += 1;
  if (read.contentHash === cached.contentHash) {
    if (!cached.entities.every((entity) => isStoredAsIs(entity, options.stored))) return undefined;
    const kept = read.signature === cached.signature ? cached : { ...cached, signature: read.signature };
    return { key: file.key, produced: kept, cached: kept };
  }
  if (read.type !== 'read') return undefined;
  return { path: file.path, key: file.key, cached, text: read.text, contentHash: read.contentHash, signature: read.signature };
}

/** A changed file processed, when it still defines exactly the entities it did, reads no placeholder and holds no Location. */
async function processChanged(file: ChangedFile, root: RootLocation, counts: IngestResult['fileCounts']): Promise<TakenFile | undefined> {
  counts.parsed += 1;
  const source = { key: file.key, display: file.path, originKey: root.key, allowedKinds: root.allowedKinds };
  const produced = await processText(file.text, source, file.contentHash, () => Promise.reject(new Error('placeholders are read by a full refresh')));
  if (!produced.cacheable || !sameRefs(produced, file.cached) || produced.entities.some((entity) => entity.kind === 'Location')) return undefined;
  const cached = { ...forCache(produced, { locationKey: file.key, originKey: root.key, file: file.path }), signature: file.signature };
  return { key: file.key, produced, cached };
}

function sameRefs(produced: ProcessedFile, cached: ProcessedFile): boolean {
  const before = new Set(cached.entities.map((entity) => entity.ref));
  return produced.entities.length === before.size && produced.entities.every((entity) => before.has(entity.ref));
}
