import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { runMigrations } from '../../../src/db/migrate.js';

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('migrations on a real PostgreSQL', () => {
  it('are applied once when several replicas start together', async () => {
    const name = `callboard_migrate_${randomBytes(6).toString('hex')}`;
    const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const replicas = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ url: url.href, dataDir: 'unused', statementTimeoutMs: 30_000, poolSize: 2 })),
    );
    try {
      const applied = await Promise.all(replicas.map((replica) => runMigrations(replica.db)));
      // The advisory lock serialises the runs: the first applies everything, the others find nothing to do.
      expect(applied.filter((count) => count > 0)).toHaveLength(1);
      expect(applied.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(2);
      const check = postgres(url.href, { max: 1, onnotice: () => {} });
      const rows = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(rows[0]!.n).toBe(applied.find((count) => count > 0));
      await check.end();
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
