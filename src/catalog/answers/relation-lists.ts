import { RELATION_PAIRS, reverseRelation } from '../model/relations.js';

/** One entity's relations as the store groups them: `type\tref\ttype\tref...`, each type as stated by the source. */
export interface RelationText {
  ref: string;
  pairs: string;
}

/** Each relation type once, so lists share these strings rather than hold copies cut from the store's text. */
const TYPES = new Map<string, string>(Object.entries(RELATION_PAIRS).flatMap((pair) => pair.map((type) => [type, type] as const)));

/**
 * Flat [type, ref, type, ref, ...] relation lists by entity ref. A list loaded from the store stays
 * the text the database grouped until it is first read: a start then costs one map entry per
 * entity rather than work per relation, and most lists are never read at all.
 */
export class RelationLists {
  private readonly lists = new Map<string, string | string[]>();
  /** Refs whose lists were loaded as text, in load order; `decodeLoaded` works through them. */
  private loaded: string[] = [];

  /**
   * `reversed`: the stored types are those the other entity states, so each is read as its reverse.
   * `share` gives the view's own copy of a ref, so a decoded list holds no copy cut from the text.
   */
  constructor(private readonly options: { reversed: boolean; share: (ref: string) => string }) {}

  loadText(ref: string, pairs: string): void {
    this.lists.set(ref, pairs);
    this.loaded.push(ref);
  }

  /**
   * Reads up to `max` loaded lists not yet read, so the store's text they were cut from can go;
   * true when some remain.
   */
  decodeLoaded(max: number): boolean {
    let decoded = 0;
    while (this.loaded.length > 0 && decoded < max) {
      this.decoded(this.loaded.pop()!);
      decoded += 1;
    }
    return this.loaded.length > 0;
  }

  get(ref: string): readonly string[] | undefined {
    return this.decoded(ref);
  }

  set(ref: string, pairs: string[]): void {
    this.lists.set(ref, pairs);
  }

  delete(ref: string): void {
    this.lists.delete(ref);
  }

  add(ref: string, type: string, other: string): void {
    const pairs = this.decoded(ref);
    if (pairs) pairs.push(type, other);
    else this.lists.set(ref, [type, other]);
  }

  /** Removes one pair; a list left empty goes. */
  remove(ref: string, type: string, other: string): void {
    const pairs = this.decoded(ref);
    if (!pairs) return;
    for (let index = 0; index < pairs.length; index += 2) {
      if (pairs[index] === type && pairs[index + 1] === other) {
        pairs.splice(index, 2);
        break;
      }
    }
    if (pairs.length === 0) this.lists.delete(ref);
  }

  private decoded(ref: string): string[] | undefined {
    const list = this.lists.get(ref);
    if (typeof list !== 'string') return list;
    const fields = list.split('\t');
    const pairs = new Array<string>(fields.length);
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const type = TYPES.get(fields[index]!);
      if (type === undefined) throw new TypeError(`Unknown relation type ${fields[index]}`);
      pairs[index] = this.options.reversed ? reverseRelation(type) : type;
      pairs[index + 1] = this.options.share(fields[index + 1]!);
    }
    this.lists.set(ref, pairs);
    return pairs;
  }
}
