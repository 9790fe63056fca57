/**
 * A map read as `base` with `changes` laid over it: what an incremental refresh changed, handed on
 * without copying the tens of thousands of entries it did not change. `settle` writes the changes
 * into the base once the refresh is stored.
 */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly changes = new Map<K, V>();

  constructor(readonly base: Map<K, V>) {}

  get size(): number {
    let added = 0;
    for (const key of this.changes.keys()) if (!this.base.has(key)) added += 1;
    return this.base.size + added;
  }

  set(key: K, value: V): void {
    this.changes.set(key, value);
  }

  get(key: K): V | undefined {
    return this.changes.has(key) ? this.changes.get(key) : this.base.get(key);
  }

  has(key: K): boolean {
    return this.changes.has(key) || this.base.has(key);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.base) yield [key, this.changes.has(key) ? this.changes.get(key)! : value];
    for (const [key, value] of this.changes) if (!this.base.has(key)) yield [key, value];
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(visit: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) visit(value, key, this);
  }

  /** Writes the changes into the base (each through `as`, when given) and returns the base. */
  settle(as: (value: V) => V = (value) => value): Map<K, V> {
    for (const [key, value] of this.changes) this.base.set(key, as(value));
    this.changes.clear();
    return this.base;
  }
}
