import type { Entity } from '../model/entity.js';
import type { CatalogView, ViewWatcher } from './catalog-view.js';

/** One entity's contribution under a key. */
export interface KeyedEntry<T> {
  ref: string;
  value: T;
}

/**
 * Entities by keys they contribute (an email, a URL path), derived from the view: built on first
 * use from the entities `considers` admits, then kept current through the view's changes, so a
 * change costs the changed entity and a lookup one map access, never a pass over the catalog.
 * Under each key, entries keep the order they were contributed in.
 */
export class KeyedIndex<T> implements ViewWatcher {
  private byKey: Map<string, KeyedEntry<T>[]> | undefined;
  /** The keys each entity contributed, to withdraw when it changes. */
  private readonly keysByRef = new Map<string, string[]>();

  constructor(
    private readonly view: CatalogView,
    private readonly entriesOf: (ref: string, entity: Entity) => Iterable<[key: string, value: T]>,
    private readonly considers: (ref: string) => boolean = () => true,
  ) {
    view.watch(this);
  }

  get(key: string): KeyedEntry<T>[] {
    return this.indexed().get(key) ?? [];
  }

  upserted(ref: string, entity: Entity): void {
    if (this.byKey && this.considers(ref)) this.add(this.byKey, ref, entity);
  }

  removed(ref: string): void {
    if (!this.byKey) return;
    for (const key of this.keysByRef.get(ref) ?? []) {
      const rest = this.byKey.get(key)!.filter((entry) => entry.ref !== ref);
      if (rest.length > 0) this.byKey.set(key, rest);
      else this.byKey.delete(key);
    }
    this.keysByRef.delete(ref);
  }

  loaded(): void {
    this.byKey = undefined;
    this.keysByRef.clear();
  }

  /** Indexes the view now, unless it is indexed already. */
  build(): void {
    this.indexed();
  }

  private indexed(): Map<string, KeyedEntry<T>[]> {
    if (!this.byKey) {
      const byKey = new Map<string, KeyedEntry<T>[]>();
      for (const ref of this.view.refs()) {
        if (!this.considers(ref)) continue;
        const entity = this.view.get(ref);
        if (entity) this.add(byKey, ref, entity);
      }
      this.byKey = byKey;
    }
    return this.byKey;
  }

  private add(byKey: Map<string, KeyedEntry<T>[]>, ref: string, entity: Entity): void {
    const keys: string[] = [];
    for (const [key, value] of this.entriesOf(ref, entity)) {
      const existing = byKey.get(key);
      if (existing) existing.push({ ref, value });
      else byKey.set(key, [{ ref, value }]);
      if (!keys.includes(key)) keys.push(key);
    }
    if (keys.length > 0) this.keysByRef.set(ref, keys);
  }
}
