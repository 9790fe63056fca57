import yaml from 'js-yaml';
import { errorMessage } from '../../errors.js';

// js-yaml 4.3 has this option and exports its tag types; its published types predate both.
type LoadOptionsWithDepth = yaml.LoadOptions & { maxDepth: number };
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;

/**
 * How catalog YAML is read: YAML 1.2's core schema, as Backstage reads it, so `2021-01-01` stays the
 * string it is there (js-yaml's default schema makes it a Date, stored as a timestamp), and `<<`
 * merge keys, which many catalogs use to share blocks, still merge.
 */
export const CATALOG_YAML_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [merge] });

export interface ParsedDocument {
  /** Position of the document in its file, from 1. */
  index: number;
  /** Line (from 1) where the document's content starts. */
  line: number;
  value: unknown;
  /** False when the text has no `$text:`/`$json:`/`$yaml:` key, so nothing needs walking for placeholders. */
  mayHavePlaceholders: boolean;
}

export interface DocumentProblem {
  index: number;
  line: number;
  message: string;
}

export interface ParseLimits {
  /** Nodes a document may expand to once aliases are followed; a YAML alias bomb expands to billions. */
  maxExpandedNodes: number;
  maxDepth: number;
  maxDocuments: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxExpandedNodes: 100_000, maxDepth: 64, maxDocuments: 10_000 };

const DOCUMENT_MARKER = /^---(?:[ \t].*)?$/;
const DOCUMENT_END = /^\.\.\.[ \t]*$/;
const BLANK_OR_COMMENT = /^\s*(?:#.*)?$/;
const PLACEHOLDER_KEY = /["']?\$(?:text|json|yaml)["']?\s*:/;

/**
 * Splits a multi-document YAML file and parses each document on its own, so a syntax error in one
 * document costs only that document. Alias bombs, excessive nesting and `__proto__` keys are refused
 * here, before anything walks or serialises the value.
 */
export function parseCatalogYaml(
  text: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): { documents: ParsedDocument[]; problems: DocumentProblem[] } {
  const documents: ParsedDocument[] = [];
  const problems: DocumentProblem[] = [];
  const chunks = splitDocuments(text);
  if (chunks.length > limits.maxDocuments) {
    problems.push({
      index: 1,
      line: 1,
      message: `the file holds ${chunks.length} YAML documents; at most ${limits.maxDocuments} are read from one file, split it up`,
    });
    return { documents, problems };
  }
  chunks.forEach((chunk, position) => {
    const index = position + 1;
    let value: unknown;
    try {
      value = yaml.load(chunk.text, { schema: CATALOG_YAML_SCHEMA, maxDepth: limits.maxDepth } as LoadOptionsWithDepth);
    } catch (error) {
      const mark = (error as { mark?: { line?: number } }).mark;
      const line = mark?.line !== undefined ? chunk.firstLine + mark.line : chunk.contentLine;
      const reason = (error as { reason?: string }).reason ?? errorMessage(error);
      problems.push({ index, line, message: `YAML syntax error: ${reason}` });
      return;
    }
    if (value === undefined || value === null) return;
    const refusal = refuseHostileValue(value, chunk.text, limits);
    if (refusal) {
      problems.push({ index, line: chunk.contentLine, message: refusal });
      return;
    }
    documents.push({ index, line: chunk.contentLine, value, mayHavePlaceholders: mayHavePlaceholders(chunk.text) });
  });
  return { documents, problems };
}

/** A cheap look at YAML text: false means no `$text:`/`$json:`/`$yaml:` key can be in it. */
export function mayHavePlaceholders(text: string): boolean {
  return PLACEHOLDER_KEY.test(text);
}

interface Chunk {
  text: string;
  /** Line of the chunk's first line in the file, from 1. */
  firstLine: number;
  /** Line of its first content line (not blank, not a comment). */
  contentLine: number;
}

/** A line that could start or end a document; a file without one is a single document. */
const MAY_SPLIT = /^(?:---|\.\.\.)/m;

function splitDocuments(text: string): Chunk[] {
  if (!MAY_SPLIT.test(text)) {
    // Most files: one document, nothing to split. Only the lines before its content are looked at.
    let start = 0;
    for (let line = 1; start < text.length; line++) {
      const end = text.indexOf('\n', start);
      const content = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
      if (!BLANK_OR_COMMENT.test(content) && !content.startsWith('%')) return [{ text, firstLine: 1, contentLine: line }];
      if (end < 0) break;
      start = end + 1;
    }
    return [];
  }
  const lines = text.split(/\r?\n/);
  const chunks: Chunk[] = [];
  let start = 0;
  const flush = (end: number) => {
    const body = lines.slice(start, end);
    const offset = body.findIndex((line) => !BLANK_OR_COMMENT.test(line) && !line.startsWith('%') && !/^---\s*$/.test(line));
    if (offset >= 0) chunks.push({ text: body.join('\n'), firstLine: start + 1, contentLine: start + offset + 1 });
  };
  lines.forEach((line, number) => {
    if (DOCUMENT_MARKER.test(line)) {
      // Directives (%YAML, %TAG) belong to the document their `---` opens: keep them together.
      const body = lines.slice(start, number).filter((candidate) => !BLANK_OR_COMMENT.test(candidate));
      if (body.length > 0 && body.every((candidate) => candidate.startsWith('%'))) return;
      flush(number);
      // Content may follow the marker on the same line (`--- !tag` or `--- value`); keep it in the new chunk.
      lines[number] = line.slice(3);
      start = number;
    } else if (DOCUMENT_END.test(line)) {
      flush(number);
      start = number + 1;
    }
  });
  flush(lines.length);
  return chunks;
}

/** Only documents that could hold an alias or a `__proto__` key are walked; most are skipped for speed. */
function refuseHostileValue(value: unknown, text: string, limits: ParseLimits): string | undefined {
  const mayAlias = text.includes('*');
  const mayPollute = text.includes('__proto__');
  // PostgreSQL's text cannot hold U+0000 (a title column, say), so one such string would fail a whole refresh's transaction.
  const mayHoldNul = /\\0|\\x00|\\u0000|\0/.test(text);
  if (!mayAlias && !mayPollute && !mayHoldNul) return undefined;
  let budget = limits.maxExpandedNodes;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (--budget < 0) {
      return `refused: the document expands to more than ${limits.maxExpandedNodes} nodes through YAML aliases (an alias bomb?)`;
    }
    if (typeof node === 'string' && node.includes('\0')) return 'refused: a string holds the NUL character (\\0), which the catalog cannot store';
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if (key === '__proto__') return 'refused: the key "__proto__" is not allowed in a catalog document';
        if (key.includes('\0')) return 'refused: a key holds the NUL character (\\0), which the catalog cannot store';
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return undefined;
}
