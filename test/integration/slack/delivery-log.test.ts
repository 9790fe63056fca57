import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../../src/db/client.js';
import { createDeliveryLog } from '../../../src/slack/delivery-log.js';
import { ENGINES, createTestDatabase } from '../../support/test-database.js';

describe.each(ENGINES)('the Slack delivery log on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  it('lets exactly one of many concurrent claims of a key be first, in batches or not', async () => {
    const deliveries = createDeliveryLog(database.db);
    const keys = Array.from({ length: 60 }, (_, index) => `trigger:${index % 20}`);
    const outcomes = await Promise.all(keys.map((key) => deliveries.claim(key)));
    const firsts = keys.filter((_, index) => outcomes[index]);
    expect(firsts.sort()).toEqual([...new Set(keys)].sort());
    expect(await deliveries.claim('trigger:3')).toBe(false);
    expect(await createDeliveryLog(database.db).claim('trigger:3')).toBe(false);
  });

  it('keeps the records out of the write-ahead log', async () => {
    const [table] = await queryRows<{ relpersistence: string }>(database.db, sql`select relpersistence from pg_class where relname = 'slack_deliveries'`);
    expect(table?.relpersistence).toBe('u');
  });
});
