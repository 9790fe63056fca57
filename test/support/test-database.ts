import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/client.js';
import { openEphemeralDatabase } from '../../src/db/pglite-template.js';
import { runMigrations } from '../../src/db/migrate.js';

export type Engine = 'pglite' | 'postgres';

/**
 * The engines the store tests run on: always in-memory PGlite, and the real PostgreSQL named by
 * TEST_DATABASE_URL (set by .ci/run). Without it the PostgreSQL cases are skipped with a message.
 */
export const ENGINES: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
if (!process.env.TEST_DATABASE_URL) {
  console.warn('TEST_DATABASE_URL is not set: store tests run on PGlite only (.ci/run sets it to the local PostgreSQL).');
}

/** A fresh, migrated database: in-memory PGlite, or a new database on the test server, dropped on close. */
export async function createTestDatabase(engine: Engine): Promise<Database> {
  if (engine === 'pglite') {
    return openEphemeralDatabase({ dataDir: 'memory://', statementTimeoutMs: 30_000, poolSize: 1 });
  }
  const serverUrl = process.env.TEST_DATABASE_URL!;
  const name = `callboard_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.href, dataDir: 'unused', statementTimeoutMs: 30_000, poolSize: 4 });
  await runMigrations(database.db);
  return {
    ...database,
    async close() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
