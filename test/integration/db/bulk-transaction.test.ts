import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { createTestDatabase, ENGINES } from '../../support/test-database.js';

const COLUMNS = [
  { name: 'id', type: 'integer' as const },
  { name: 'label', type: 'text' as const },
  { name: 'body', type: 'jsonb' as const },
];

describe.each(ENGINES)('bulk writes on %s', (engine) => {
  let database: Database;
  beforeEach(async () => {
    database = await createTestDatabase(engine);
    await database.bulkTransaction((tx) => tx.query('create table bulk_rows (id integer primary key, label text not null, body jsonb not null)'));
  });
  afterEach(() => database.close());

  const count = async () => (await database.bulkTransaction((tx) => tx.query<{ n: number }>('select count(*)::int as n from bulk_rows')))[0]!.n;

  it('writes many batches of rows, text escapes and JSON intact', async () => {
    const rows = Array.from({ length: 12_345 }, (_, id) => [id, `tab\there\nline "${id}" \\`, JSON.stringify({ id, text: 'ünïcode ✓' })]);
    await database.bulkTransaction((tx) => tx.copyRows('bulk_rows', COLUMNS, rows));
    expect(await count()).toBe(12_345);
    const [row] = await database.bulkTransaction((tx) => tx.query<{ label: string; text: string }>("select label, body->>'text' as text from bulk_rows where id = 777"));
    expect(row).toEqual({ label: 'tab\there\nline "777" \\', text: 'ünïcode ✓' });
  });

  it('fails as a whole when a batch in the middle is refused, and nothing is kept', async () => {
    // Row 7,000 repeats an id: its batch fails while others are still being sent.
    const rows = Array.from({ length: 20_000 }, (_, index) => [index === 7_000 ? 1 : index, 'x', '{}']);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(database.bulkTransaction((tx) => tx.copyRows('bulk_rows', COLUMNS, rows))).rejects.toThrow(/duplicate key/);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(await count()).toBe(0);
  });

  it('fails, rather than waiting for ever, when the server refuses the last rows after all were sent', async () => {
    const rows = [[1, 'a', '{}'], [2, 'b', '{}'], [1, 'c', '{}']];
    await expect(database.bulkTransaction((tx) => tx.copyRows('bulk_rows', COLUMNS, rows))).rejects.toThrow(/duplicate key/);
    expect(await count()).toBe(0);
  });

  it('names the table a write was refused for when it does not exist', async () => {
    await expect(database.bulkTransaction((tx) => tx.copyRows('no_such_rows', COLUMNS, [[1, 'a', '{}']]))).rejects.toThrow(/no_such_rows/);
  });
});
