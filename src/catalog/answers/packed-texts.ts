import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Texts deflated a block at a time: entity JSON repeats its keys, annotation names and paths, so
 * sixteen entities deflated together take a fifth of their text (77 MB of JSON at 100k entities
 * became 14 MB), and reading one costs inflating its block, about 20 µs.
 */
const TEXTS_PER_BLOCK = 16;
/** Inflated blocks kept: an answer reads an entity, its owner and a few neighbours, and a scan reads blocks in order. */
const RECENT_BLOCKS = 8;
/** A block with no more live texts than this is unpacked, and its texts packed again with others. */
const SPARSE_BLOCK = TEXTS_PER_BLOCK / 2;

interface Block {
  /** The deflated bytes as a one-byte string: exactly their size, where zlib's own buffer has room for 16 KiB. */
  data: string;
  /** The texts packed in it, in order; one whose `block` is no longer this one was replaced or removed. */
  texts: PackedText[];
  live: number;
}

/** One text, as a store keeps it: as itself until packed, then as its place in a block. */
export interface PackedText {
  text: string | undefined;
  block: Block | undefined;
  index: number;
}

/**
 * Keeps texts and packs them into deflated blocks on request (see `pack`): new texts stay as they
 * are until then, so a bulk load costs no compression while it runs. The caller owns the
 * `PackedText` records and tells this store when one is added or let go.
 */
export class PackedTexts {
  private readonly unpacked = new Set<PackedText>();
  private readonly recent = new Map<Block, string[]>();

  /**
   * Takes a new record (`text` set, `block` undefined), to be packed. The caller writes it as a
   * literal with its own fields: a record copied by spreading gets a hidden class of its own in
   * V8, which for a hundred thousand of them costs more than their texts packed.
   */
  add<Record extends PackedText>(record: Record): Record {
    this.unpacked.add(record);
    return record;
  }

  /** The record's text is no longer needed (replaced or removed). */
  release(record: PackedText): void {
    const { block } = record;
    record.block = undefined;
    record.text = undefined;
    if (!block) {
      this.unpacked.delete(record);
      return;
    }
    block.live -= 1;
    if (block.live > 0 && block.live <= SPARSE_BLOCK) this.unpackBlock(block);
  }

  textOf(record: PackedText): string {
    if (record.text !== undefined) return record.text;
    if (!record.block) throw new Error('PackedTexts: the text was released');
    return this.inflated(record.block)[record.index]!;
  }

  /** Texts added and not yet packed. */
  get pending(): number {
    return this.unpacked.size;
  }

  /** Packs up to `maxBlocks` blocks of the texts added since; true when texts remain to pack. */
  pack(maxBlocks = Infinity): boolean {
    let blocks = 0;
    let texts: PackedText[] = [];
    for (const record of this.unpacked) {
      if (blocks >= maxBlocks) break;
      texts.push(record);
      if (texts.length === TEXTS_PER_BLOCK) {
        this.packBlock(texts);
        texts = [];
        blocks += 1;
      }
    }
    // The last texts, fewer than a block: the store is quiet, so none may come to fill it soon.
    if (texts.length > 0) this.packBlock(texts);
    return this.unpacked.size > 0;
  }

  private packBlock(texts: PackedText[]): void {
    // JSON has no raw line breaks, so a line break parts the texts.
    const joined = texts.map((record) => record.text!).join('\n');
    const block: Block = { data: deflateRawSync(joined, { level: 1 }).toString('latin1'), texts, live: texts.length };
    texts.forEach((record, index) => {
      this.unpacked.delete(record);
      record.text = undefined;
      record.block = block;
      record.index = index;
    });
  }

  /** Puts a sparse block's live texts back among those to pack, and drops the block. */
  private unpackBlock(block: Block): void {
    const texts = this.inflated(block);
    block.texts.forEach((record, index) => {
      if (record.block !== block) return;
      record.block = undefined;
      record.text = texts[index];
      this.unpacked.add(record);
    });
    this.recent.delete(block);
  }

  private inflated(block: Block): string[] {
    let texts = this.recent.get(block);
    if (texts) {
      // Most recently used last.
      this.recent.delete(block);
    } else {
      texts = inflateRawSync(Buffer.from(block.data, 'latin1')).toString('utf8').split('\n');
      if (this.recent.size >= RECENT_BLOCKS) this.recent.delete(this.recent.keys().next().value!);
    }
    this.recent.set(block, texts);
    return texts;
  }
}
