import type { ProcessedFile } from './file-processing.js';
import type { FileRead, IngestOptions, IngestResult } from './ingest-locations.js';
import { fingerprintOf, hasContent, type IngestedEntity } from '../processing/process-entity.js';

/** A result while a refresh builds it, its maps still open to additions. */
export type IngestResultDraft = Omit<IngestResult, 'entities' | 'files' | 'cache'> & {
  entities: Map<string, IngestedEntity>;
  files: Map<string, FileRead>;
  cache: Map<string, Map<string, ProcessedFile>>;
};

/** What both ways of refreshing (reading every file, or checking unchanged roots file by file) build their result with. */
export function emptyIngestResult(): IngestResultDraft {
  return {
    entities: new Map(),
    problems: [],
    files: new Map(),
    roots: new Map(),
    cache: new Map(),
    folders: new Map(),
    problemOrigins: new Map(),
    reusableRoots: new Set(),
    incremental: false,
    fileCounts: { found: 0, read: 0, parsed: 0, threaded: 0 },
    folderCounts: { walked: 0, listed: 0 },
  };
}

/** Whether the store holds the entity as this fingerprint or entity says: a cached file is reused only then. */
export function isStoredAsIs(entity: IngestedEntity, stored: IngestOptions['stored']): boolean {
  const row = stored?.(entity.ref);
  return row?.contentHash === entity.contentHash && row.locationKey === entity.locationKey;
}

/**
 * The entity as a refresh hands it on: its fingerprint when the store holds it as it is (its
 * content is needed only to write it), else itself. Locations stay whole: their targets are
 * followed. `source`, when given, holds the file's strings for the fingerprint to share.
 */
export function withoutStoredContent(
  entity: IngestedEntity,
  stored: IngestOptions['stored'],
  source?: { locationKey: string; originKey: string; file: string },
): IngestedEntity {
  return hasContent(entity) && entity.kind !== 'Location' && isStoredAsIs(entity, stored) ? fingerprintOf(entity, source) : entity;
}

/** Whether a cached file may stand for the file read now: the same content, and its entities still stored as it made them. */
export function cacheHolds(cached: ProcessedFile | undefined, contentHash: string, stored: IngestOptions['stored']): cached is ProcessedFile {
  return cached?.contentHash === contentHash && cached.entities.every((entity) => isStoredAsIs(entity, stored));
}

/** The cache entry under the signature the file has now (the entry itself when that is unchanged). */
export function withSignature(processedFile: ProcessedFile, signature: string | undefined): ProcessedFile {
  return processedFile.signature === signature ? processedFile : cacheEntry(processedFile, { signature });
}

/**
 * A cache entry as a literal of every field: one copied by spreading gets a hidden class of its
 * own in V8, which for tens of thousands of files costs more than the entries themselves.
 */
function cacheEntry(processedFile: ProcessedFile, changes: Partial<ProcessedFile>): ProcessedFile {
  const { contentHash, signature, problems, entities, cacheable } = { ...processedFile, ...changes };
  return { contentHash, signature, problems, entities, cacheable };
}

/** Records what a file produced for the next refresh. */
export function cacheIn(result: IngestResultDraft, rootKey: string, key: string, processedFile: ProcessedFile): void {
  let rootCache = result.cache.get(rootKey);
  if (!rootCache) result.cache.set(rootKey, (rootCache = new Map()));
  rootCache.set(key, processedFile);
}

/**
 * The cache keeps fingerprints, not content: the catalog is held once, by the store and the view.
 * An entity stored as it is shares the stored row's ref and hash: a first refresh after a start
 * would otherwise keep a second copy of each, cut from the parsing threads' messages.
 */
export function forCache(processedFile: ProcessedFile, source: { locationKey: string; originKey: string; file: string }, stored?: IngestOptions['stored']): ProcessedFile {
  return cacheEntry(processedFile, {
    entities: processedFile.entities.map((entity) => (entity.kind === 'Location' ? entity : fingerprintOf(entity, source, isStoredAsIs(entity, stored) ? stored!(entity.ref) : undefined))),
  });
}

