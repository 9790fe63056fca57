import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Entity, EntityRelation } from '../model/entity.js';
import { compareStrings } from '../model/entity-ref.js';
import { statedRelations, reverseRelation } from '../model/relations.js';
import { EntityIndex, toSearchDocument, type SearchDocument } from '../search/entity-index.js';
import { PackedTexts, type PackedText } from './packed-texts.js';
import { RelationLists, type RelationText } from './relation-lists.js';

/**
 * The catalog as answers see it: every entity in memory, its relations in both directions, name
 * and title lookups and the search index. It is loaded from the store at start and patched entity
 * by entity after each refresh, so questions never wait on the database and an edit costs only the
 * entity and its neighbours.
 *
 * Entities are kept as their stored JSON and parsed when asked for: a string takes a third of the
 * memory of the object it encodes, and an answer parses only the two or three entities it shows.
 * Relations are kept as flat [type, ref, type, ref, ...] lists, read from the store's text on first use.
 * Once changes stop for a moment (`compactAfterMs`), the view compacts itself a slice at a time:
 * the JSON is deflated in blocks (see `PackedTexts`) and the store's relation text is read into
 * lists, so the texts a load or a refresh brought are let go. Until then it answers from them.
 */
export class CatalogView {
  /** Undefined after a bulk load until a search needs it: a start that only looks names up skips building it. */
  private searchIndex: EntityIndex | undefined = new EntityIndex();
  /** By ref: the entity's JSON, and the ref itself, so relations hold this one copy of each ref rather than their own. */
  private readonly entries = new Map<string, ViewEntry>();
  private readonly texts = new PackedTexts();
  private readonly byName = new RefsByKey();
  private readonly byTitle = new RefsByKey();
  /** Relations as each entity states them. */
  private readonly outgoing = new RelationLists({ reversed: false, share: (ref) => this.sharedRef(ref) });
  /** The reverse of other entities' relations, keyed by the entity they point at. */
  private readonly incoming = new RelationLists({ reversed: true, share: (ref) => this.sharedRef(ref) });
  private readonly watchers = new Set<ViewWatcher>();
  private compaction: NodeJS.Timeout | undefined;
  private lastChange = 0;

  /** `compactAfterMs`: how long changes must have stopped before the view compacts itself; undefined leaves it to `compact()`. */
  constructor(private readonly options: { compactAfterMs?: number } = { compactAfterMs: COMPACT_AFTER_MS }) {}

  get size(): number {
    return this.entries.size;
  }

  /** From now on, `watcher` hears of every entity the view adds, replaces or removes, and of a bulk load. */
  watch(watcher: ViewWatcher): void {
    this.watchers.add(watcher);
  }

  get index(): EntityIndex {
    if (!this.searchIndex) {
      const index = new EntityIndex();
      index.upsertAll(this.searchDocuments());
      this.searchIndex = index;
    }
    return this.searchIndex;
  }

  private *searchDocuments(): Generator<SearchDocument> {
    for (const entry of this.entries.values()) yield toSearchDocument(entry.ref, this.entityOf(entry));
  }

  /**
   * Fills an empty view from stored rows without parsing a single entity: names and titles come
   * from their columns, relations from the store's per-entity text, each list read when first asked
   * for. The search index is built on first use.
   */
  load(entities: Iterable<StoredEntityText>, relations: { outgoing: Iterable<RelationText>; incoming: Iterable<RelationText> }): void {
    if (this.entries.size > 0) throw new Error('CatalogView.load fills an empty view only');
    for (const { ref, name, title, json } of entities) {
      this.entries.set(ref, this.texts.add({ ref, text: json, block: undefined, index: 0 }));
      this.byName.add(name.toLowerCase(), ref);
      if (title) this.byTitle.add(title.toLowerCase(), ref);
    }
    for (const { ref, pairs } of relations.outgoing) this.outgoing.loadText(this.sharedRef(ref), pairs);
    for (const { ref, pairs } of relations.incoming) this.incoming.loadText(this.sharedRef(ref), pairs);
    this.invalidateDerived();
    this.changed();
  }

  /**
   * Compacts what changed since the last compaction: at most `maxSteps` blocks of JSON packed and
   * relation lists read (unbounded: all of it); true when some remains.
   */
  compact(maxSteps = Infinity): boolean {
    const texts = this.texts.pack(maxSteps);
    const outgoing = this.outgoing.decodeLoaded(maxSteps * RELATION_LISTS_PER_STEP);
    const incoming = this.incoming.decodeLoaded(maxSteps * RELATION_LISTS_PER_STEP);
    return texts || outgoing || incoming;
  }

  /** Schedules compaction for when changes have stopped for `compactAfterMs`; the timer never keeps a process alive. */
  private changed(): void {
    const { compactAfterMs } = this.options;
    if (compactAfterMs === undefined) return;
    this.lastChange = performance.now();
    if (this.compaction) return;
    const run = (delayMs: number) => {
      this.compaction = setTimeout(() => {
        const quietMs = performance.now() - this.lastChange;
        if (quietMs < compactAfterMs) run(compactAfterMs - quietMs);
        else if (this.compact(COMPACT_STEPS_PER_TURN)) run(0);
        else this.compaction = undefined;
      }, delayMs).unref();
    };
    run(compactAfterMs);
  }

  /** What is derived from whole entities is stale: the search index and the watchers' indexes are built again on use. */
  private invalidateDerived(): void {
    this.searchIndex = undefined;
    for (const watcher of this.watchers) watcher.loaded();
  }

  get(ref: string): Entity | undefined {
    const entry = this.entries.get(ref.toLowerCase());
    return entry === undefined ? undefined : this.entityOf(entry);
  }

  has(ref: string): boolean {
    return this.entries.has(ref.toLowerCase());
  }

  private entityOf(entry: ViewEntry): Entity {
    return JSON.parse(this.texts.textOf(entry)) as Entity;
  }

  refs(): IterableIterator<string> {
    return this.entries.keys();
  }

  /**
   * The view's own copy of a ref when it holds that entity. Otherwise (a dangling reference) a copy
   * of its own: a ref cut out of a larger text would keep that whole text alive.
   */
  private sharedRef(ref: string): string {
    return this.entries.get(ref)?.ref ?? Buffer.from(ref).toString();
  }

  refsNamed(name: string): string[] {
    return this.byName.get(name.toLowerCase());
  }

  refsTitled(title: string): string[] {
    return this.byTitle.get(title.toLowerCase());
  }

  /** Every distinct lower-case name, with the refs bearing it. */
  names(): IterableIterator<[string, string[]]> {
    return this.byName.entries();
  }

  /** Every relation of the entity, both those it states and those others state about it, sorted and once each. */
  relations(ref: string): EntityRelation[] {
    const merged = new Map<string, EntityRelation>();
    for (const pairs of [this.outgoing.get(ref) ?? [], this.incoming.get(ref) ?? []]) {
      for (let index = 0; index < pairs.length; index += 2) {
        const type = pairs[index]!;
        const targetRef = pairs[index + 1]!;
        merged.set(`${type}\u0000${targetRef}`, { type, targetRef });
      }
    }
    return [...merged.values()].sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.targetRef, b.targetRef));
  }

  /** Targets of the entity's relations of one type, sorted and once each. */
  related(ref: string, type: string): string[] {
    const targets = new Set<string>();
    for (const pairs of [this.outgoing.get(ref) ?? [], this.incoming.get(ref) ?? []]) {
      for (let index = 0; index < pairs.length; index += 2) if (pairs[index] === type) targets.add(pairs[index + 1]!);
    }
    return [...targets].sort(compareStrings);
  }

  /**
   * Adds or replaces an entity. `json` is its serialised form when the caller has it already (the
   * store's copy, shared rather than duplicated); `relations` those it states, when already derived.
   */
  upsert(ref: string, entity: Entity, json = JSON.stringify(entity), relations = statedRelations(entity)): void {
    this.put({ ref, name: entity.metadata.name, title: entity.metadata.title ?? null, json, relations });
    this.searchIndex?.upsert(toSearchDocument(ref, entity));
    for (const watcher of this.watchers) watcher.upserted(ref, entity);
  }

  /** Adds or replaces an entity from its columns alone; a bulk patch stops here and invalidates what derives from entities. */
  private put({ ref, name, title, json, relations }: PatchedEntity): void {
    this.remove(ref);
    this.entries.set(ref, this.texts.add({ ref, text: json, block: undefined, index: 0 }));
    this.changed();
    this.byName.add(name.toLowerCase(), ref);
    if (title) this.byTitle.add(title.toLowerCase(), ref);
    this.link(ref, relations);
  }

  /** Records the relations an entity states, and their reverses on the entities they point at. */
  private link(ref: string, relations: EntityRelation[]): void {
    const pairs: string[] = [];
    for (const relation of relations) {
      const { type } = relation;
      const targetRef = this.sharedRef(relation.targetRef);
      pairs.push(type, targetRef);
      this.incoming.add(targetRef, reverseRelation(type), ref);
    }
    this.outgoing.set(ref, pairs);
  }

  /**
   * Applies a refresh's removals and upserts a slice at a time, yielding between slices so the
   * store's writes proceed meanwhile. Resolves to an undo that puts back what was there before,
   * for a refresh whose store then fails: answers may show the new entities while the commit is
   * pending, never after it failed.
   */
  async patch(removed: string[], upserted: PatchedEntity[]): Promise<() => void> {
    const previous = new Map<string, string | undefined>();
    // A large patch (a first load, a mass change) costs less as a bulk change: nothing is parsed,
    // and what is derived from whole entities (the search index, the watchers') is built again on use.
    const bulk = upserted.length >= BULK_PATCH_MIN && upserted.length >= BULK_PATCH_SHARE * (this.entries.size + upserted.length);
    const work: (() => void)[] = [
      ...removed.map((ref) => () => this.remove(ref)),
      ...upserted.map((patched) => (bulk ? () => this.put(patched) : () => this.upsert(patched.ref, JSON.parse(patched.json) as Entity, patched.json, patched.relations))),
    ];
    if (bulk) this.invalidateDerived();
    for (const ref of [...removed, ...upserted.map((entry) => entry.ref)]) {
      const entry = this.entries.get(ref);
      if (!previous.has(ref)) previous.set(ref, entry && this.texts.textOf(entry));
    }
    for (let start = 0; start < work.length; start += PATCH_SLICE) {
      for (const step of work.slice(start, start + PATCH_SLICE)) step();
      if (start + PATCH_SLICE < work.length) await nextTurn();
    }
    // Again at the end: a search between two slices built what it needed from a half-patched view.
    if (bulk) this.invalidateDerived();
    return () => {
      for (const [ref, json] of previous) {
        if (json === undefined) this.remove(ref);
        else this.upsert(ref, JSON.parse(json) as Entity, json);
      }
    };
  }

  remove(ref: string): void {
    const entry = this.entries.get(ref);
    if (entry === undefined) return;
    const previous = this.entityOf(entry);
    this.byName.remove(previous.metadata.name.toLowerCase(), ref);
    if (previous.metadata.title) this.byTitle.remove(previous.metadata.title.toLowerCase(), ref);
    const pairs = this.outgoing.get(ref) ?? [];
    for (let index = 0; index < pairs.length; index += 2) this.incoming.remove(pairs[index + 1]!, reverseRelation(pairs[index]!), ref);
    this.outgoing.delete(ref);
    this.entries.delete(ref);
    this.texts.release(entry);
    this.searchIndex?.remove(ref);
    for (const watcher of this.watchers) watcher.removed(ref);
  }
}

/**
 * An index derived from the view and kept current by it, so a change costs the changed entity
 * rather than a rebuild. A replaced entity is removed, then upserted.
 */
export interface ViewWatcher {
  /** Read what is needed from `entity`; the object itself is the caller's and must not be kept. */
  upserted(ref: string, entity: Entity): void;
  removed(ref: string): void;
  /** The view was filled in bulk without a call per entity: whatever was derived before is stale. */
  loaded(): void;
}

/** An entity as a refresh hands it to the view: serialised, with the relations it states. */
export interface PatchedEntity {
  ref: string;
  name: string;
  title: string | null;
  json: string;
  relations: EntityRelation[];
}

/** An entity as the store holds it, with the two fields lookups need read out by the database. */
export interface StoredEntityText {
  ref: string;
  name: string;
  title: string | null;
  json: string;
}

type ViewEntry = PackedText & { ref: string };

/** Quiet time after a change before the view compacts itself. */
const COMPACT_AFTER_MS = 1_000;
/** Compaction steps (a block of JSON packed, a few hundred relation lists read) per turn of the event loop: a few milliseconds. */
const COMPACT_STEPS_PER_TURN = 64;
const RELATION_LISTS_PER_STEP = 32;

/** Entities patched between two yields: small enough to keep the store's pipeline fed. */
const PATCH_SLICE = 2_000;
/** A patch of at least this many entities, and this share of the view after it, is applied in bulk. */
const BULK_PATCH_MIN = 5_000;
const BULK_PATCH_SHARE = 0.25;

/** Refs by a lower-case key; most keys name one entity, so a lone ref is kept as itself, not in a collection. */
class RefsByKey {
  private readonly refs = new Map<string, string | string[]>();

  get(key: string): string[] {
    const found = this.refs.get(key);
    return found === undefined ? [] : typeof found === 'string' ? [found] : [...found];
  }

  add(key: string, ref: string): void {
    const found = this.refs.get(key);
    if (found === undefined) this.refs.set(key, ref);
    else if (typeof found === 'string') {
      if (found !== ref) this.refs.set(key, [found, ref]);
    } else if (!found.includes(ref)) found.push(ref);
  }

  remove(key: string, ref: string): void {
    const found = this.refs.get(key);
    if (found === ref) this.refs.delete(key);
    else if (Array.isArray(found)) {
      const rest = found.filter((candidate) => candidate !== ref);
      this.refs.set(key, rest.length === 1 ? rest[0]! : rest);
    }
  }

  *entries(): IterableIterator<[string, string[]]> {
    for (const [key, found] of this.refs) yield [key, typeof found === 'string' ? [found] : found];
  }
}
