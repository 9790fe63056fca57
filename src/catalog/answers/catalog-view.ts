import type { Entity } from '../model/entity.js';
import { EntityIndex, toSearchDocument } from '../search/entity-index.js';

/**
 * The catalog as answers see it: every entity in memory with its relations, a name lookup and the
 * search index. It is loaded from the store at start and patched after each refresh, so questions
 * never wait on the database.
 */
export class CatalogView {
  readonly index = new EntityIndex();
  private readonly entities = new Map<string, Entity>();
  private readonly byName = new Map<string, Set<string>>();

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

  upsert(ref: string, entity: Entity): void {
    const previous = this.entities.get(ref);
    if (previous) this.forgetName(ref, previous);
    this.entities.set(ref, entity);
    const key = entity.metadata.name.toLowerCase();
    const refs = this.byName.get(key) ?? new Set<string>();
    refs.add(ref);
    this.byName.set(key, refs);
    this.index.upsert(toSearchDocument(ref, entity));
  }

  remove(ref: string): void {
    const previous = this.entities.get(ref);
    if (!previous) return;
    this.forgetName(ref, previous);
    this.entities.delete(ref);
    this.index.remove(ref);
  }

  private forgetName(ref: string, entity: Entity): void {
    const key = entity.metadata.name.toLowerCase();
    const refs = this.byName.get(key);
    refs?.delete(ref);
    if (refs?.size === 0) this.byName.delete(key);
  }
}
