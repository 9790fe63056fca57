import yaml from 'js-yaml';
import { errorMessage } from '../../errors.js';
import { CATALOG_YAML_SCHEMA } from '../ingestion/parse-catalog-yaml.js';

const PLACEHOLDER_KEYS = new Set(['$text', '$json', '$yaml']);

/** Reads a placeholder target relative to the file the entity came from. */
export type PlaceholderReader = (target: string) => Promise<string>;

function placeholderOf(value: unknown): { key: string; target: unknown } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !PLACEHOLDER_KEYS.has(keys[0]!)) return undefined;
  return { key: keys[0]!, target: (value as Record<string, unknown>)[keys[0]!] };
}

export function hasPlaceholders(value: unknown): boolean {
  if (placeholderOf(value)) return true;
  if (Array.isArray(value)) return value.some(hasPlaceholders);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasPlaceholders);
  return false;
}

/**
 * Replaces every `{ $text | $json | $yaml: target }` with the target's content. One that cannot be
 * read or parsed becomes an empty string and a warning, so the entity itself still ingests.
 */
export async function resolvePlaceholders(
  value: unknown,
  read: PlaceholderReader,
  warnings: string[],
  at = '',
): Promise<unknown> {
  const placeholder = placeholderOf(value);
  if (placeholder) {
    const { key, target } = placeholder;
    if (typeof target !== 'string' || target.length === 0) {
      warnings.push(`${at}: ${key} needs a file path or URL`);
      return '';
    }
    try {
      const content = await read(target);
      if (content.includes('\0')) throw new Error('it holds NUL characters (a binary file?)');
      if (key === '$text') return content;
      return key === '$json' ? JSON.parse(content) : yaml.load(content, { schema: CATALOG_YAML_SCHEMA, maxDepth: 64 } as yaml.LoadOptions);
    } catch (error) {
      warnings.push(`${at}: could not read ${key} ${target}: ${errorMessage(error)}`);
      return '';
    }
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map((item, index) => resolvePlaceholders(item, read, warnings, `${at}[${index}]`)));
  }
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, item]) => [key, await resolvePlaceholders(item, read, warnings, at ? `${at}.${key}` : key)]),
    );
    // fromEntries defines own properties, so even a "__proto__" key stays plain data.
    return Object.fromEntries(entries);
  }
  return value;
}
