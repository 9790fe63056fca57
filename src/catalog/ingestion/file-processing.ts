import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { CatalogProblem } from '../processing/catalog-problem.js';
import { processEntity, type IngestedEntity } from '../processing/process-entity.js';
import type { PlaceholderReader } from '../processing/placeholders.js';
import { trustedSignature } from './local-files.js';
import { DEFAULT_PARSE_LIMITS, parseCatalogYaml } from './parse-catalog-yaml.js';

/**
 * Reading and processing one catalog file: the steps a refresh runs for every file, in the main
 * thread or in a parsing worker (so they use nothing but the file system and their arguments).
 */

/** What one file produced, kept between refreshes so an unchanged file is not parsed and validated again. */
export interface ProcessedFile {
  contentHash: string;
  /** The local file's signature when it was read, if trusted: a match skips even reading it. */
  signature?: string;
  problems: CatalogProblem[];
  /** Processed entities when just read; in the cache, fingerprints (Locations stay whole, their targets are followed). */
  entities: IngestedEntity[];
  /** False when a document reads placeholders: what they read can change while this file does not. */
  cacheable: boolean;
}

/** A local file as the refresh looked at it: a folder after all, unchanged by its signature (not read), or read. */
export type LocalFileRead =
  | { type: 'folder' }
  | { type: 'unchanged'; contentHash: string; signature: string }
  | { type: 'read'; text: string; contentHash: string; signature?: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Stats and reads a local file (at its real path; `label` names it in errors). A file whose trusted
 * signature matches `cached` is not read. Synchronous: for tens of thousands of small files this
 * beats a round trip through libuv's thread pool.
 */
export function readLocalFile(real: string, label: string, maxFileBytes: number, cached?: { signature?: string; contentHash: string }): LocalFileRead {
  const stat = statLocalFile(real, label, maxFileBytes);
  if (stat.type === 'folder') return stat;
  const { signature } = stat;
  if (signature !== undefined && cached?.signature === signature) return { type: 'unchanged', contentHash: cached.contentHash, signature };
  const text = readUtf8(real, label);
  return { type: 'read', text, contentHash: hashText(text), signature };
}

/** A local file's trusted signature, if any, without reading it; a file too large to read is refused here. */
export function statLocalFile(real: string, label: string, maxFileBytes: number): { type: 'folder' } | { type: 'file'; signature?: string } {
  const stat = statSync(real);
  if (stat.isDirectory()) return { type: 'folder' };
  if (stat.size > maxFileBytes) {
    throw new Error(`${label} is ${stat.size} bytes, more than the ${maxFileBytes} allowed (callboard.catalog.maxFileBytes); refused`);
  }
  return { type: 'file', signature: trustedSignature(stat) };
}

function readUtf8(real: string, label: string): string {
  try {
    return UTF8.decode(readFileSync(real));
  } catch (error) {
    if (error instanceof TypeError) throw new Error(`${label} is not UTF-8 text; refused`);
    throw error;
  }
}

export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** Where a file's entities come from and what they may be. */
export interface FileSource {
  /** `file:<path>` or `url:<url>`. */
  key: string;
  display: string;
  originKey: string;
  allowedKinds?: Set<string>;
}

/** Parses a file's documents and processes each into an entity or problems; one bad document never costs the others. */
export async function processText(text: string, source: FileSource, contentHash: string, readPlaceholder: PlaceholderReader): Promise<ProcessedFile> {
  const parsed = parseCatalogYaml(text, DEFAULT_PARSE_LIMITS);
  const processedFile: ProcessedFile = {
    contentHash,
    cacheable: true,
    problems: parsed.problems.map((problem) => ({ severity: 'error', file: source.display, line: problem.line, document: problem.index, message: problem.message })),
    entities: [],
  };
  for (const document of parsed.documents) {
    if (document.mayHavePlaceholders) processedFile.cacheable = false;
    const outcome = await processEntity(document.value, {
      file: source.display,
      locationKey: source.key,
      originKey: source.originKey,
      document: document.index,
      line: document.line,
      allowedKinds: source.allowedKinds,
      readPlaceholder,
      mayHavePlaceholders: document.mayHavePlaceholders,
    });
    processedFile.problems.push(...outcome.problems);
    if (outcome.ok) processedFile.entities.push(outcome.processed);
  }
  return processedFile;
}
