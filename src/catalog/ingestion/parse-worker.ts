import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../errors.js';
import { processText, readLocalFile, type ProcessedFile } from './file-processing.js';
import type { StoredEntityHash } from './ingest-locations.js';
import { withoutStoredContent } from './ingest-result.js';
import { mayHavePlaceholders } from './parse-catalog-yaml.js';

/** A batch of local files to read and process, all under one root. */
export interface ParseJob {
  id: number;
  originKey: string;
  allowedKinds?: string[];
  maxFileBytes: number;
  /** Each file's cache entry, if any; else the entities stored from it, if any. */
  files: { path: string; key: string; cached?: { signature?: string; contentHash: string }; stored?: StoredEntityHash[] }[];
}

/**
 * What became of one file. `unchanged`: its signature or content hash matched the cache, so it
 * was not processed; `text`: it may read placeholders, which need the main thread's readers.
 */
export type ParseOutcome =
  | { type: 'folder' }
  | { type: 'unchanged'; read: boolean; contentHash: string; signature?: string }
  | { type: 'text'; text: string; contentHash: string; signature?: string }
  | { type: 'processed'; processed: ProcessedFile; signature?: string }
  | { type: 'failed'; message: string; notFound: boolean };

export interface ParseReply {
  id: number;
  outcomes: ParseOutcome[];
}

async function parseFile(job: ParseJob, file: ParseJob['files'][number]): Promise<ParseOutcome> {
  try {
    const read = readLocalFile(file.path, file.path, job.maxFileBytes, file.cached);
    if (read.type === 'folder') return read;
    if (read.type === 'unchanged') return { ...read, read: false };
    const { text, contentHash, signature } = read;
    if (contentHash === file.cached?.contentHash) return { type: 'unchanged', read: true, contentHash, signature };
    if (mayHavePlaceholders(text)) return { type: 'text', text, contentHash, signature };
    const source = { key: file.key, display: file.path, originKey: job.originKey, allowedKinds: job.allowedKinds && new Set(job.allowedKinds) };
    const processed = await processText(text, source, contentHash, () => Promise.reject(new Error('placeholders are read by the main thread')));
    return { type: 'processed', processed: withoutStoredContents(processed, file), signature };
  } catch (error) {
    return { type: 'failed', message: errorMessage(error), notFound: (error as NodeJS.ErrnoException).code === 'ENOENT' };
  }
}

/** The file's entities, those stored from it as they are as fingerprints: the main thread needs their content only to write them. */
function withoutStoredContents(processed: ProcessedFile, file: ParseJob['files'][number]): ProcessedFile {
  if (!file.stored || file.stored.length === 0) return processed;
  const rows = new Map(file.stored.map(({ ref, contentHash }) => [ref, { ref, locationKey: file.key, contentHash }]));
  return { ...processed, entities: processed.entities.map((entity) => withoutStoredContent(entity, (ref) => rows.get(ref))) };
}

parentPort?.on('message', async (job: ParseJob) => {
  const outcomes: ParseOutcome[] = [];
  for (const file of job.files) outcomes.push(await parseFile(job, file));
  parentPort!.postMessage({ id: job.id, outcomes } satisfies ParseReply);
});
