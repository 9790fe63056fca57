import SearchableMap from 'minisearch/SearchableMap';
import { DEFAULT_NAMESPACE, specString, type Entity } from '../model/entity.js';
import { compareStrings, nameOfRef, specRef } from '../model/entity-ref.js';
import { topK } from './top-k.js';

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

/** What the index keeps of a document: what filters, facets and answers read (the long text is only indexed). */
export type IndexedDocument = Omit<SearchDocument, 'description' | 'links'>;

export const FILTER_FIELDS = ['kind', 'type', 'lifecycle', 'owner', 'tag', 'system', 'namespace'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type Filters = Partial<Record<FilterField, string[]>>;

export const FACET_FIELDS = ['kind', 'type', 'tag', 'lifecycle'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];
export type Facets = Record<FacetField, Record<string, number>>;

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

const WORD_SEPARATORS = /[\s\-_.:/,;()[\]{}"'!?@#+=<>|\\]+/;
const CAMEL_BOUNDARY = /[a-z0-9][A-Z]/;
const CAMEL_SPLIT = /(?<=[a-z0-9])(?=[A-Z])/;

/** Lower-case words of a text; names such as payments-api or PaymentsAPI give each word, and the camel-case whole too. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.split(WORD_SEPARATORS)) {
    if (!word) continue;
    tokens.push(word.toLowerCase());
    // Most words have no inner capital; only those pay for the camel-case split.
    if (CAMEL_BOUNDARY.test(word)) for (const part of word.split(CAMEL_SPLIT)) tokens.push(part.toLowerCase());
  }
  return tokens;
}

/**
 * Searched fields, their boosts and the length (in words) a typical value has: a word in a field
 * longer than typical weighs less, as in BM25. Fixed lengths, rather than running averages, keep a
 * document's weights independent of what else is indexed, so an update touches only that document.
 */
interface Field {
  text: (document: SearchDocument) => string;
  boost: number;
  typicalLength: number;
  /**
   * The field's values repeat across the catalog (a kind, an owner): the index keeps each value's
   * postings and weights, worked out once. A field's weights depend on its own text alone, so a
   * kept value is exact.
   */
  repeats?: boolean;
}
const FIELDS: Field[] = [
  { text: (document) => document.name, boost: 6, typicalLength: 3 },
  { text: (document) => document.title, boost: 4, typicalLength: 3 },
  { text: (document) => document.tags.join(' '), boost: 3, typicalLength: 2, repeats: true },
  { text: (document) => document.type, boost: 2, typicalLength: 1, repeats: true },
  { text: (document) => document.kind, boost: 2, typicalLength: 1, repeats: true },
  { text: (document) => nameOfRef(document.owner), boost: 1.5, typicalLength: 3, repeats: true },
  { text: (document) => nameOfRef(document.system), boost: 1.5, typicalLength: 3, repeats: true },
  { text: (document) => document.description, boost: 1, typicalLength: 15 },
  { text: (document) => document.links, boost: 0.5, typicalLength: 8 },
];
/** Values whose terms a field keeps; past this many it starts again, so an odd catalog cannot grow it without end. */
const MAX_KEPT_VALUES = 20_000;
/** Up to this many words, a field's distinct terms are found by a scan rather than a map. */
const SHORT_FIELD_TOKENS = 24;
const SATURATION = 1.2;
const LENGTH_NORMALISATION = 0.7;
/** A word reached by completing a prefix or forgiving a typo counts for less than the word itself. */
const PREFIX_WEIGHT = 0.4;
const FUZZY_WEIGHT = 0.45;
/** Fewer matches than this for the words as typed and the search widens to prefixes and typos. */
const WIDEN_BELOW = 10;
/** Dead postings are purged once they are this share of all postings. */
const COMPACT_RATIO = 0.25;

/** The documents holding one term, as parallel arrays of slot and weight (compact, and fast to scan). */
interface Postings {
  slots: number[];
  weights: number[];
}

/** A repeating field value's terms: each term's postings, and the weight the value gives it. */
interface ValueTerms {
  postings: Postings[];
  weights: number[];
}

/** One way a query word is matched: a term of the index, how much it counts, and its documents. */
interface Expansion {
  postings: Postings;
  factor: number;
}

/** Interned values of one facet field, so counting a facet is indexing an array. */
class FacetValues {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(value, id);
      this.names.push(value);
    }
    return id;
  }
}

export interface SearchHit {
  ref: string;
  score: number;
}

export interface SearchPage {
  /** Every match within the filters, of which `hits` is the requested page. */
  total: number;
  hits: SearchHit[];
  facets: Facets;
}

/**
 * The full-text index over the catalog, with per-field filters and facet counts. An inverted index
 * whose term dictionary is minisearch's radix tree (for prefix and typo lookups), with scoring that
 * keeps only the requested page: a common word matches most of a catalog, and ranking every match
 * fully would cost tens of milliseconds at 100k entities. Entities are added, replaced and removed
 * one at a time, so a refresh only touches what changed.
 */
export class EntityIndex {
  private readonly postingsByTerm = new Map<string, Postings>();
  private readonly dictionary = new SearchableMap<Postings>();
  private readonly slotOf = new Map<string, number>();
  /** The one copy of each repeating document value (see indexedDocument). */
  private readonly sharedValues = new Map<string, string>();
  /** Per slot: its document, or undefined once removed (its postings are purged lazily). */
  private documents: (IndexedDocument | undefined)[] = [];
  private postingCount: number[] = [];
  /** Per field whose values repeat, each value's terms (see Field.repeats); emptied when compaction drops postings. */
  private readonly valueTerms = FIELDS.map((field) => (field.repeats ? new Map<string, ValueTerms>() : undefined));
  private readonly facetValues = { kind: new FacetValues(), type: new FacetValues(), lifecycle: new FacetValues(), tag: new FacetValues() };
  /** Per slot: the ids of its kind, type and lifecycle, three entries a slot. */
  private singleFacetIds = new Int32Array(3 * 1_024);
  /** Per slot: where its tag ids start in `tagPool` and how many there are (flat, so counting reads memory in order). */
  private tagStart = new Int32Array(1_024);
  private tagCount = new Int32Array(1_024);
  private tagPool = new Int32Array(4_096);
  private tagPoolUsed = 0;
  private freeSlots: number[] = [];
  private deadSlots: number[] = [];
  private livePostings = 0;
  private deadPostings = 0;
  // Scratch space for scoring, reused across queries (one query at a time: this runs synchronously).
  private mark = new Uint32Array(0);
  private best = new Float64Array(0);
  private total = new Float64Array(0);
  private epoch = 0;

  get size(): number {
    return this.slotOf.size;
  }

  document(ref: string): IndexedDocument | undefined {
    const slot = this.slotOf.get(ref);
    return slot === undefined ? undefined : this.documents[slot];
  }

  upsert(document: SearchDocument): void {
    this.remove(document.id);
    const slot = this.freeSlots.pop() ?? this.documents.length;
    this.slotOf.set(document.id, slot);
    this.documents[slot] = this.indexedDocument(document);
    this.singleFacetIds = withCapacity(this.singleFacetIds, 3 * (slot + 1));
    this.singleFacetIds[3 * slot] = this.facetValues.kind.id(document.kind);
    this.singleFacetIds[3 * slot + 1] = this.facetValues.type.id(document.type);
    this.singleFacetIds[3 * slot + 2] = this.facetValues.lifecycle.id(document.lifecycle);
    this.storeTags(slot, document.tags.map((tag) => this.facetValues.tag.id(tag)));
    let postingCount = 0;
    for (let position = 0; position < FIELDS.length; position++) {
      const field = FIELDS[position]!;
      const text = field.text(document);
      const kept = this.valueTerms[position];
      if (kept) {
        const { postings, weights } = this.termsOfValue(field, kept, text);
        for (let index = 0; index < postings.length; index++) postingCount += post(postings[index]!, slot, weights[index]!);
      } else {
        const { terms, weights } = fieldWeights(field, text);
        for (let index = 0; index < terms.length; index++) postingCount += post(this.postingsOf(terms[index]!), slot, weights[index]!);
      }
    }
    this.postingCount[slot] = postingCount;
    this.livePostings += postingCount;
  }

  /**
   * What the index keeps of a document. Kinds, types, owners, systems, namespaces and tags repeat
   * across the catalog, and each parsed entity brings its own copy: the index keeps one of each.
   */
  private indexedDocument({ id, name, title, tags, kind, type, lifecycle, owner, system, namespace }: SearchDocument): IndexedDocument {
    const shared = this.sharedValues;
    const one = (value: string) => {
      const kept = shared.get(value);
      if (kept !== undefined) return kept;
      shared.set(value, value);
      return value;
    };
    return { id, name, title, tags: tags.map(one), kind: one(kind), type: one(type), lifecycle: one(lifecycle), owner: one(owner), system: one(system), namespace: one(namespace) };
  }

  /**
   * Gives back the spare room of postings grown one document at a time: after a bulk build, lists
   * grown by push held up to half their length again, a third of the index at 100k entities.
   */
  private fit(): void {
    for (const postings of this.postingsByTerm.values()) {
      postings.slots = postings.slots.slice();
      postings.weights = postings.weights.slice();
    }
  }

  private postingsOf(term: string): Postings {
    let postings = this.postingsByTerm.get(term);
    if (!postings) {
      postings = { slots: [], weights: [] };
      this.postingsByTerm.set(term, postings);
      this.dictionary.set(term, postings);
    }
    return postings;
  }

  private termsOfValue(field: Field, kept: Map<string, ValueTerms>, text: string): ValueTerms {
    let terms = kept.get(text);
    if (!terms) {
      if (kept.size >= MAX_KEPT_VALUES) kept.clear();
      const { terms: words, weights } = fieldWeights(field, text);
      terms = { postings: words.map((word) => this.postingsOf(word)), weights };
      kept.set(text, terms);
    }
    return terms;
  }

  /** A bulk build: every document upserted, then the postings fitted (see `fit`). */
  upsertAll(documents: Iterable<SearchDocument>): void {
    for (const document of documents) this.upsert(document);
    this.fit();
  }

  remove(ref: string): void {
    const slot = this.slotOf.get(ref);
    if (slot === undefined) return;
    this.slotOf.delete(ref);
    this.documents[slot] = undefined;
    this.deadSlots.push(slot);
    this.livePostings -= this.postingCount[slot]!;
    this.deadPostings += this.postingCount[slot]!;
    if (this.deadPostings > 1_000 && this.deadPostings > COMPACT_RATIO * (this.livePostings + this.deadPostings)) this.compact();
  }

  /**
   * Ranked matches for free text within the filters, one page of them, with the total and facet
   * counts over every match. The words as typed are tried first (the last as a prefix, for
   * typeahead); prefixes and typos widen the search only when that finds too little. Empty text
   * lists every entity within the filters, by ref.
   */
  search(text: string, filters: Filters = {}, page: { offset?: number; limit?: number } = {}): SearchPage {
    const offset = Math.max(0, page.offset ?? 0);
    const wanted = offset + Math.max(1, page.limit ?? 10);
    const words = [...new Set(tokenize(text))];
    const accept = compileFilters(filters);
    let matches: { slots: number[]; scores?: Float64Array };
    if (words.length === 0) {
      const slots: number[] = [];
      for (const slot of this.slotOf.values()) if (accept(this.documents[slot]!)) slots.push(slot);
      matches = { slots };
    } else {
      matches = this.match(words, accept, false);
      if (matches.slots.length < WIDEN_BELOW) matches = this.match(words, accept, true);
    }
    const { slots, scores } = matches;
    const ref = (slot: number) => this.documents[slot]!.id;
    const order = scores
      ? (a: number, b: number) => scores[b]! - scores[a]! || compareStrings(ref(a), ref(b))
      : (a: number, b: number) => compareStrings(ref(a), ref(b));
    const hits = topK(slots, wanted, order)
      .slice(offset)
      .map((slot) => ({ ref: ref(slot), score: scores ? scores[slot]! : 0 }));
    return { total: slots.length, hits, facets: this.countFacets(slots) };
  }

  private match(words: string[], accept: (document: IndexedDocument) => boolean, widen: boolean): { slots: number[]; scores: Float64Array } {
    const live = this.slotOf.size;
    const perWord = words.map((word, position) => this.expand(word, widen || position === words.length - 1, widen));
    // The rarest word first: it bounds the candidates every later word is intersected with.
    perWord.sort((a, b) => postingTotal(a) - postingTotal(b));
    this.ensureScratch(this.documents.length);
    // Marks of one query must not wrap around between its words.
    if (this.epoch > 0xffff_ffff - words.length - 1) {
      this.mark.fill(0);
      this.epoch = 0;
    }
    const { mark, best, total, documents } = this;
    let candidates: number[] = [];
    let previous = 0;
    for (const [position, expansions] of perWord.entries()) {
      const current = this.nextEpoch();
      const next: number[] = [];
      for (const { postings, factor } of expansions) {
        // Postings of removed documents linger until compaction; never count more holders than live documents.
        const documentCount = Math.min(postings.slots.length, live);
        // BM25's inverse document frequency: a word most entities share says little.
        const weight = factor * Math.log(1 + (live - documentCount + 0.5) / (documentCount + 0.5));
        const { slots, weights } = postings;
        for (let index = 0; index < slots.length; index++) {
          const slot = slots[index]!;
          const seen = mark[slot];
          if (seen === current) {
            const score = weights[index]! * weight;
            if (score > best[slot]!) best[slot] = score;
          } else if ((position === 0 || seen === previous) && documents[slot] !== undefined) {
            mark[slot] = current;
            best[slot] = weights[index]! * weight;
            next.push(slot);
          }
        }
      }
      for (const slot of next) total[slot] = (position === 0 ? 0 : total[slot]!) + best[slot]!;
      candidates = next;
      previous = current;
      if (candidates.length === 0) break;
    }
    return { slots: accept === ACCEPT_ALL ? candidates : candidates.filter((slot) => accept(documents[slot]!)), scores: total };
  }

  /** The index terms a query word matches: itself, and when asked, its completions and near misses. */
  private expand(word: string, prefix: boolean, fuzzy: boolean): Expansion[] {
    const expansions = new Map<string, Expansion>();
    const exact = this.postingsByTerm.get(word);
    if (exact) expansions.set(word, { postings: exact, factor: 1 });
    if (prefix && word.length >= 2) {
      for (const [term, postings] of this.dictionary.atPrefix(word)) {
        if (term !== word) expansions.set(term, { postings, factor: (PREFIX_WEIGHT * word.length) / term.length });
      }
    }
    if (fuzzy && word.length >= 4) {
      for (const [term, [postings, distance]] of this.dictionary.fuzzyGet(word, Math.round(word.length * 0.2))) {
        const factor = (FUZZY_WEIGHT * word.length) / (word.length + distance);
        if (!expansions.has(term) || expansions.get(term)!.factor < factor) expansions.set(term, { postings, factor });
      }
    }
    return [...expansions.values()];
  }

  private countFacets(slots: number[]): Facets {
    const kind = new Int32Array(this.facetValues.kind.names.length);
    const type = new Int32Array(this.facetValues.type.names.length);
    const lifecycle = new Int32Array(this.facetValues.lifecycle.names.length);
    const tag = new Int32Array(this.facetValues.tag.names.length);
    // Locals, not fields, in the loop: it runs over every match.
    const { singleFacetIds: ids, tagStart, tagCount, tagPool } = this;
    for (let index = 0; index < slots.length; index++) {
      const slot = slots[index]!;
      kind[ids[3 * slot]!]! += 1;
      type[ids[3 * slot + 1]!]! += 1;
      lifecycle[ids[3 * slot + 2]!]! += 1;
      const end = tagStart[slot]! + tagCount[slot]!;
      for (let position = tagStart[slot]!; position < end; position++) tag[tagPool[position]!]! += 1;
    }
    const named = (field: FacetField, counts: Int32Array): Record<string, number> => {
      // Null-prototype maps: facet values are user data, and a type named "__proto__" must stay a plain key.
      const facet: Record<string, number> = Object.create(null);
      const names = this.facetValues[field].names;
      counts.forEach((count, id) => {
        if (count > 0 && names[id]) facet[names[id]] = count;
      });
      return facet;
    };
    return { kind: named('kind', kind), type: named('type', type), tag: named('tag', tag), lifecycle: named('lifecycle', lifecycle) };
  }

  private storeTags(slot: number, ids: number[]): void {
    this.tagStart = withCapacity(this.tagStart, slot + 1);
    this.tagCount = withCapacity(this.tagCount, slot + 1);
    this.tagPool = withCapacity(this.tagPool, this.tagPoolUsed + ids.length);
    this.tagStart[slot] = this.tagPoolUsed;
    this.tagCount[slot] = ids.length;
    this.tagPool.set(ids, this.tagPoolUsed);
    this.tagPoolUsed += ids.length;
  }

  /** Drops the postings of removed documents and frees their slots; amortised over many removals. */
  private compact(): void {
    const dead = new Set(this.deadSlots);
    for (const [term, postings] of this.postingsByTerm) {
      const slots: number[] = [];
      const weights: number[] = [];
      for (let index = 0; index < postings.slots.length; index++) {
        if (dead.has(postings.slots[index]!)) continue;
        slots.push(postings.slots[index]!);
        weights.push(postings.weights[index]!);
      }
      if (slots.length === 0) {
        this.postingsByTerm.delete(term);
        this.dictionary.delete(term);
        for (const kept of this.valueTerms) kept?.clear();
      } else {
        postings.slots = slots;
        postings.weights = weights;
      }
    }
    // The tag pool keeps the tags of replaced documents until now: rewrite it with the live ones only.
    const pool = this.tagPool;
    this.tagPool = new Int32Array(pool.length);
    this.tagPoolUsed = 0;
    for (const slot of this.slotOf.values()) this.storeTags(slot, [...pool.subarray(this.tagStart[slot]!, this.tagStart[slot]! + this.tagCount[slot]!)]);
    this.freeSlots.push(...this.deadSlots);
    this.deadSlots = [];
    this.deadPostings = 0;
  }

  private ensureScratch(slots: number): void {
    if (this.mark.length >= slots) return;
    const capacity = Math.max(slots, this.mark.length * 2, 1_024);
    this.mark = new Uint32Array(capacity);
    this.best = new Float64Array(capacity);
    this.total = new Float64Array(capacity);
    this.epoch = 0;
  }

  private nextEpoch(): number {
    return ++this.epoch;
  }
}

/**
 * Adds a field's weight for a term to the slot's posting: a term found in several fields of one
 * document has one posting, the sum of their weights. Resolves to the postings added (0 or 1).
 */
function post(postings: Postings, slot: number, weight: number): number {
  const last = postings.slots.length - 1;
  if (last >= 0 && postings.slots[last] === slot) {
    postings.weights[last]! += weight;
    return 0;
  }
  postings.slots.push(slot);
  postings.weights.push(weight);
  return 1;
}

/** The distinct terms of one field's text, each with its weight, as parallel arrays. */
function fieldWeights(field: Field, text: string): { terms: string[]; weights: number[] } {
  const tokens = tokenize(text);
  const terms: string[] = [];
  const counts: number[] = [];
  if (tokens.length <= SHORT_FIELD_TOKENS) {
    // A handful of words (a name, a title): a scan is cheaper than a map made for each.
    next: for (const token of tokens) {
      for (let index = 0; index < terms.length; index++) {
        if (terms[index] === token) {
          counts[index]! += 1;
          continue next;
        }
      }
      terms.push(token);
      counts.push(1);
    }
  } else {
    const positions = new Map<string, number>();
    for (const token of tokens) {
      const position = positions.get(token);
      if (position === undefined) {
        positions.set(token, terms.length);
        terms.push(token);
        counts.push(1);
      } else {
        counts[position]! += 1;
      }
    }
  }
  const lengthFactor = 1 - LENGTH_NORMALISATION + (LENGTH_NORMALISATION * tokens.length) / field.typicalLength;
  const weights = counts.map((count) => (field.boost * count * (SATURATION + 1)) / (count + SATURATION * lengthFactor));
  return { terms, weights };
}

/** What the index keeps of a document, as a plain object of one shape (a rest copy would not be). */

/** The array itself when it holds `needed` entries, else a copy with at least double the room. */
function withCapacity(array: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (array.length >= needed) return array;
  const grown = new Int32Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

function postingTotal(expansions: Expansion[]): number {
  let sum = 0;
  for (const { postings } of expansions) sum += postings.slots.length;
  return sum;
}

const ACCEPT_ALL = () => true;

function compileFilters(filters: Filters): (document: IndexedDocument) => boolean {
  const checks: ((document: IndexedDocument) => boolean)[] = [];
  for (const field of FILTER_FIELDS) {
    const wanted = filters[field];
    if (!wanted || wanted.length === 0) continue;
    if (field === 'tag') checks.push((document) => wanted.some((value) => document.tags.includes(value)));
    else if (field === 'owner' || field === 'system') checks.push((document) => wanted.some((value) => document[field] === value || nameOfRef(document[field]) === value));
    else checks.push((document) => wanted.includes(document[field]));
  }
  return checks.length === 0 ? ACCEPT_ALL : (document) => checks.every((check) => check(document));
}
