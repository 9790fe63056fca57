/** What the benchmark's scenario processes share: their own database and the percentiles they report. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { openConfiguredDatabase } from '../src/db/pglite-template.js';

export type BenchEngine = 'postgres' | 'pglite';

export interface BenchDatabase {
  /** Where the database lives, for other processes: PostgreSQL's URL, or PGlite's data folder. */
  location: { url: string } | { dataDir: string };
  /** Drops whatever the last call made and opens an empty, migrated database in its place. */
  fresh(poolSize: number): Promise<Database>;
  /** Opens the database as another process left it. */
  open(poolSize: number): Promise<Database>;
  /** Removes the database for good (the caller has closed it). */
  drop(): Promise<void>;
}

/**
 * A database of this process's own: one created on the PostgreSQL server (which must let us
 * create and drop databases), or a PGlite data folder opened as the app opens it.
 */
export function benchDatabase(engine: BenchEngine, serverUrl: string): BenchDatabase {
  const name = `callboard_bench_${process.pid}`;
  if (engine === 'pglite') {
    const dataDir = path.join(tmpdir(), `callboard-bench-pglite-${process.pid}`);
    return {
      location: { dataDir },
      async fresh(poolSize) {
        rmSync(dataDir, { recursive: true, force: true });
        // A new data folder starts from the migrated template (cached after first use).
        const database = await openConfiguredDatabase({ dataDir, statementTimeoutMs: 600_000, poolSize });
        await runMigrations(database.db);
        return database;
      },
      open: (poolSize) => openConfiguredDatabase({ dataDir, statementTimeoutMs: 600_000, poolSize }),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    location: { url: url.href },
    async fresh(poolSize) {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`create database ${name}`);
      const database = await openDatabase({ url: url.href, dataDir: '', statementTimeoutMs: 600_000, poolSize });
      await runMigrations(database.db);
      return database;
    },
    open: (poolSize) => openDatabase({ url: url.href, dataDir: '', statementTimeoutMs: 600_000, poolSize }),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
