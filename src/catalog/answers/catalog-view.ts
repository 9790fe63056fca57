import type { Entity, EntityRelation } from '../model/entity.js';
import { compareStrings } from '../model/entity-ref.js';
import { emitRelations, reverseRelation } from '../model/relations.js';
import { EntityIndex, toSearchDocument } from '../search/entity-index.js';

/**
 * The catalog as answers see it: every entity in memory, its relations in both directions, a
 * name lookup and the search index. It is loaded from the store at start and patched entity by
 * entity after each refresh, so questions never wait on the database and an edit costs only the
 * entity and its neighbours.
 */
export class CatalogView {
  readonly index = new EntityIndex();
  private readonly entities = new Map<string, Entity>();
  private readonly byName = new Map<string, Set<string>>();
  /** Relations as each entity states them. */
  private readonly outgoing = new Map<string, EntityRelation[]>();
  /** The reverse of other entities' relations, keyed by the entity they point at. */
  private readonly incoming = new Map<string, Map<string, EntityRelation>>();

  get size(): number {
    return this.entities.size;
  }

  get(ref: string): Entity | undefined {
    return this.entities.get(ref.toLowerCase());
  }

  refsNamed(name: string): string[] {
    return [...(this.byName.get(name.toLowerCase()) ?? [])];
  }

  all(): IterableIterator<[string, Entity]> {
    return this.entities.entries();
  }

  /** Every relation of the entity, both those it states and those others state about it, sorted. */
  relations(ref: string): EntityRelation[] {
    const merged = new Map<string, EntityRelation>();
    for (const relation of this.outgoing.get(ref) ?? []) merged.set(`${relation.type}\u0000${relation.targetRef}`, relation);
    for (const [key, relation] of this.incoming.get(ref) ?? []) merged.set(key, relation);
    return [...merged.values()].sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.targetRef, b.targetRef));
  }

  /** Targets of the entity's relations of one type. */
  related(ref: string, type: string): string[] {
    return this.relations(ref)
      .filter((relation) => relation.type === type)
      .map((relation) => relation.targetRef);
  }

  upsert(ref: string, entity: Entity): void {
    const previous = this.entities.get(ref);
    if (previous) this.forget(ref, previous);
    this.entities.set(ref, entity);
    const key = entity.metadata.name.toLowerCase();
    const refs = this.byName.get(key) ?? new Set<string>();
    refs.add(ref);
    this.byName.set(key, refs);
    const outgoing = emitRelations(entity).relations.filter((relation) => relation.sourceRef === ref);
    this.outgoing.set(ref, outgoing.map(({ type, targetRef }) => ({ type, targetRef })));
    for (const relation of outgoing) {
      let pointing = this.incoming.get(relation.targetRef);
      if (!pointing) this.incoming.set(relation.targetRef, (pointing = new Map()));
      const reverse = reverseRelation(relation.type);
      pointing.set(`${reverse}\u0000${ref}`, { type: reverse, targetRef: ref });
    }
    this.index.upsert(toSearchDocument(ref, entity));
  }

  remove(ref: string): void {
    const previous = this.entities.get(ref);
    if (!previous) return;
    this.forget(ref, previous);
    this.entities.delete(ref);
    this.index.remove(ref);
  }

  private forget(ref: string, entity: Entity): void {
    const key = entity.metadata.name.toLowerCase();
    const refs = this.byName.get(key);
    refs?.delete(ref);
    if (refs?.size === 0) this.byName.delete(key);
    for (const relation of this.outgoing.get(ref) ?? []) {
      const pointing = this.incoming.get(relation.targetRef);
      pointing?.delete(`${reverseRelation(relation.type)}\u0000${ref}`);
      if (pointing?.size === 0) this.incoming.delete(relation.targetRef);
    }
    this.outgoing.delete(ref);
  }
}
