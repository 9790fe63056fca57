import { FILTER_FIELDS, type Facets, type FilterField, type Filters } from '../search/entity-index.js';
import type { CatalogView } from './catalog-view.js';
import { specRef } from '../model/entity-ref.js';

export interface FindResult {
  ref: string;
  kind: string;
  title: string;
  description: string | null;
  owner: string | null;
  score: number;
}

export interface FindAnswer {
  query: string;
  text: string;
  filters: Filters;
  total: number;
  offset: number;
  results: FindResult[];
  facets: Facets;
}

const FILTER_ALIASES: Record<string, FilterField> = { tags: 'tag', lang: 'tag', language: 'tag', ns: 'namespace' };

/** Splits `kind:api owner:maps-team geocoding` into filters and free text. Unknown `x:y` words stay text. */
export function parseFindQuery(query: string): { text: string; filters: Filters } {
  const filters: Filters = {};
  const words: string[] = [];
  for (const word of query.trim().split(/\s+/).filter(Boolean)) {
    const match = /^([a-z]+):(.+)$/i.exec(word);
    const field = match ? (FILTER_ALIASES[match[1]!.toLowerCase()] ?? (match[1]!.toLowerCase() as FilterField)) : undefined;
    if (match && field && (FILTER_FIELDS as readonly string[]).includes(field)) {
      (filters[field] ??= []).push(match[2]!.toLowerCase());
    } else {
      words.push(word);
    }
  }
  return { text: words.join(' '), filters };
}

/** Discovery: ranked matches within the filters, with their owners, and facet counts over all matches. */
export function find(view: CatalogView, query: string, options: { limit?: number; offset?: number } = {}): FindAnswer {
  const { text, filters } = parseFindQuery(query);
  const offset = Math.max(0, options.offset ?? 0);
  const { total, hits, facets } = view.index.search(text, filters, { offset, limit: Math.max(1, options.limit ?? 10) });
  const results = hits.map((hit): FindResult => {
    const entity = view.get(hit.ref)!;
    return {
      ref: hit.ref,
      kind: entity.kind,
      title: entity.metadata.title ?? entity.metadata.name,
      description: entity.metadata.description ?? null,
      owner: specRef(entity, 'owner', 'Group') ?? null,
      score: Math.round(hit.score * 1000) / 1000,
    };
  });
  return { query, text, filters, total, offset, results, facets };
}
