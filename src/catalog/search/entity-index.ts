import MiniSearch, { type SearchResult } from 'minisearch';
import { DEFAULT_NAMESPACE, specString, type Entity } from '../model/entity.js';
import { compareStrings, specRef } from '../model/entity-ref.js';

/** What one entity contributes to search and facets. Pure data, derived from the entity alone. */
export interface SearchDocument {
  id: string; // the entity ref
  name: string;
  title: string;
  description: string;
  tags: string[];
  kind: string;
  type: string;
  lifecycle: string;
  owner: string;
  system: string;
  namespace: string;
  links: string;
}

export const FILTER_FIELDS = ['kind', 'type', 'lifecycle', 'owner', 'tag', 'system', 'namespace'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type Filters = Partial<Record<FilterField, string[]>>;

export function toSearchDocument(ref: string, entity: Entity): SearchDocument {
  const namespace = entity.metadata.namespace ?? DEFAULT_NAMESPACE;
  return {
    id: ref,
    name: entity.metadata.name,
    title: entity.metadata.title ?? '',
    description: entity.metadata.description ?? '',
    tags: (entity.metadata.tags ?? []).map((tag) => tag.toLowerCase()),
    kind: entity.kind.toLowerCase(),
    type: (specString(entity, 'type') ?? '').toLowerCase(),
    lifecycle: (specString(entity, 'lifecycle') ?? '').toLowerCase(),
    owner: specRef(entity, 'owner', 'Group') ?? '',
    system: specRef(entity, 'system', 'System') ?? '',
    namespace,
    links: (entity.metadata.links ?? []).map((link) => `${link.title ?? ''} ${link.url}`).join(' '),
  };
}

const CAMEL_BOUNDARY = /[a-z0-9][A-Z]/;
const CAMEL_SPLIT = /(?<=[a-z0-9])(?=[A-Z])/;

/** Splits names such as payments-api or PaymentsAPI into words, keeping the whole name too. */
function tokenize(text: string): string[] {
  const words = text.split(/[\s\-_.:/,;()[\]{}"'!?@#+=<>|\\]+/).filter(Boolean);
  const tokens: string[] = [];
  for (const word of words) {
    tokens.push(word);
    // Most words have no inner capital; only those pay for the camel-case split.
    if (CAMEL_BOUNDARY.test(word)) tokens.push(...word.split(CAMEL_SPLIT));
  }
  return tokens;
}

const SEARCH_FIELDS = ['name', 'title', 'description', 'tagText', 'kind', 'type', 'ownerName', 'systemName', 'links'];
const BOOSTS = { name: 6, title: 4, tagText: 3, type: 2, kind: 2, ownerName: 1.5, systemName: 1.5, description: 1, links: 0.5 };

function nameOfRef(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

/** Fewer exact matches than this and the search widens to prefixes and typos. */
const WIDEN_BELOW = 10;

export interface SearchHit {
  ref: string;
  score: number;
}

/**
 * The full-text index over the catalog, with per-field filters and facet counts. Entities are
 * added, replaced and removed one at a time so a refresh only touches what changed.
 */
export class EntityIndex {
  private readonly search = new MiniSearch<SearchDocument & { tagText: string; ownerName: string; systemName: string }>({
    fields: SEARCH_FIELDS,
    storeFields: [],
    tokenize,
    processTerm: (term) => term.toLowerCase(),
    searchOptions: { boost: BOOSTS },
    autoVacuum: { minDirtCount: 1_000, minDirtFactor: 0.1, batchSize: 1_000, batchWait: 10 },
  });
  private readonly documents = new Map<string, SearchDocument>();

  get size(): number {
    return this.documents.size;
  }

  document(ref: string): SearchDocument | undefined {
    return this.documents.get(ref);
  }

  upsert(document: SearchDocument): void {
    const indexed = { ...document, tagText: document.tags.join(' '), ownerName: nameOfRef(document.owner), systemName: nameOfRef(document.system) };
    if (this.documents.has(document.id)) this.search.replace(indexed);
    else this.search.add(indexed);
    this.documents.set(document.id, document);
  }

  upsertAll(documents: SearchDocument[]): void {
    for (const document of documents) this.upsert(document);
  }

  remove(ref: string): void {
    if (!this.documents.has(ref)) return;
    this.search.discard(ref);
    this.documents.delete(ref);
  }

  /** Ranked refs for free text (prefix and typo tolerant) within the filters; every filtered entity when text is empty. */
  query(text: string, filters: Filters = {}): SearchHit[] {
    const accept = (ref: string) => matchesFilters(this.documents.get(ref), filters);
    if (!text.trim()) {
      const hits: SearchHit[] = [];
      for (const ref of this.documents.keys()) if (accept(ref)) hits.push({ ref, score: 0 });
      return hits.sort((a, b) => compareStrings(a.ref, b.ref));
    }
    const filter = hasFilters(filters) ? (result: SearchResult) => accept(result.id as string) : undefined;
    // Prefix and typo expansion multiply the terms to score, so they are only tried when the words
    // as typed (the last one as a prefix, for typeahead) find too little.
    let results = this.search.search(text, {
      prefix: (term, index, terms) => index === terms.length - 1 && term.length >= 2,
      combineWith: 'AND',
      filter,
    });
    if (results.length < WIDEN_BELOW) {
      results = this.search.search(text, {
        prefix: (term) => term.length >= 2,
        fuzzy: (term) => (term.length >= 4 ? 0.2 : false),
        combineWith: 'AND',
        filter,
      });
    }
    return results.map((result) => ({ ref: result.id as string, score: result.score }));
  }

  /** Counts of kind, type, tag and lifecycle among the given refs. */
  facets(refs: Iterable<string>): Record<'kind' | 'type' | 'tag' | 'lifecycle', Record<string, number>> {
    // Null-prototype maps: facet values are user data, and a type named "__proto__" must stay a plain key.
    const facets: Record<'kind' | 'type' | 'tag' | 'lifecycle', Record<string, number>> = {
      kind: Object.create(null),
      type: Object.create(null),
      tag: Object.create(null),
      lifecycle: Object.create(null),
    };
    const count = (facet: Record<string, number>, value: string) => {
      if (value) facet[value] = (facet[value] ?? 0) + 1;
    };
    for (const ref of refs) {
      const document = this.documents.get(ref);
      if (!document) continue;
      count(facets.kind, document.kind);
      count(facets.type, document.type);
      count(facets.lifecycle, document.lifecycle);
      for (const tag of document.tags) count(facets.tag, tag);
    }
    return facets;
  }
}

function hasFilters(filters: Filters): boolean {
  return Object.values(filters).some((values) => values && values.length > 0);
}

function matchesFilters(document: SearchDocument | undefined, filters: Filters): boolean {
  if (!document) return false;
  for (const field of FILTER_FIELDS) {
    const wanted = filters[field];
    if (!wanted || wanted.length === 0) continue;
    const ok = wanted.some((value) => {
      switch (field) {
        case 'tag':
          return document.tags.includes(value);
        case 'owner':
        case 'system':
          return document[field] === value || nameOfRef(document[field]) === value;
        default:
          return document[field] === value;
      }
    });
    if (!ok) return false;
  }
  return true;
}
