import { describe, expect, it } from 'vitest';
import { PackedTexts, type PackedText } from '../../../src/catalog/answers/packed-texts.js';

const text = (index: number) => JSON.stringify({ kind: 'Component', metadata: { name: `service-${index}`, description: 'Handles "quotes" and ünïcode' } });

function stored(count: number): { texts: PackedTexts; records: PackedText[] } {
  const texts = new PackedTexts();
  const records = Array.from({ length: count }, (_, index) => texts.add({ text: text(index), block: undefined, index: 0 }));
  return { texts, records };
}

describe('PackedTexts', () => {
  it('gives back every text as it was, before and after packing, across many blocks', () => {
    const { texts, records } = stored(100);
    expect(texts.pending).toBe(100);
    expect(texts.pack()).toBe(false);
    expect(texts.pending).toBe(0);
    expect(records.every((record) => record.text === undefined && record.block !== undefined)).toBe(true);
    // Read out of order, so blocks leave the recent ones and are inflated again.
    for (const index of [99, 0, 57, 16, 15, 31, 98, 1]) expect(texts.textOf(records[index]!)).toBe(text(index));
    expect(records.map((record) => texts.textOf(record))).toEqual(records.map((_, index) => text(index)));
  });

  it('packs a bounded number of blocks per call and says whether texts remain', () => {
    const { texts } = stored(40);
    expect(texts.pack(1)).toBe(true);
    expect(texts.pending).toBe(24);
    expect(texts.pack(1)).toBe(true);
    expect(texts.pack(1)).toBe(false);
    expect(texts.pending).toBe(0);
  });

  it('unpacks a block left sparse by releases, so its live texts are packed again with others', () => {
    const { texts, records } = stored(16);
    texts.pack();
    for (const record of records.slice(0, 7)) texts.release(record);
    expect(texts.pending).toBe(0);
    texts.release(records[7]!);
    // Half the block is gone: the other half waits to be packed again, still readable.
    expect(texts.pending).toBe(8);
    expect(records.slice(8).map((record) => texts.textOf(record))).toEqual(records.slice(8).map((_, index) => text(index + 8)));
    texts.pack();
    expect(records.slice(8).map((record) => texts.textOf(record))).toEqual(records.slice(8).map((_, index) => text(index + 8)));
  });

  it('refuses to read a released text rather than answering with another', () => {
    const { texts, records } = stored(2);
    texts.release(records[0]!);
    expect(texts.pending).toBe(1);
    expect(() => texts.textOf(records[0]!)).toThrow('released');
  });
});
