import { mkdirSync } from 'node:fs';
import postgres from 'postgres';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseConfig {
  /** A PostgreSQL connection URL; without one Callboard uses embedded PGlite. */
  url?: string;
  /** PGlite's data folder, or `memory://` for a throw-away in-memory database. */
  dataDir: string;
  statementTimeoutMs: number;
  poolSize: number;
}

export interface Database {
  db: Db;
  engine: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/** Opens PostgreSQL when a URL is configured, embedded PGlite otherwise; both behind the same drizzle type. */
export async function openDatabase(config: DatabaseConfig, options: { pgliteTemplate?: Blob } = {}): Promise<Database> {
  if (config.url) {
    const client = postgres(config.url, {
      max: config.poolSize,
      onnotice: () => {},
      // Without these a stuck query or an unreachable server holds a request for minutes.
      connect_timeout: 10,
      connection: { statement_timeout: config.statementTimeoutMs, application_name: 'callboard' },
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    return { db, engine: 'postgres', close: () => client.end({ timeout: 5 }) };
  }
  // Loaded on demand so deployments on PostgreSQL never pay for the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  if (!config.dataDir.startsWith('memory://')) mkdirSync(config.dataDir, { recursive: true });
  const client = await PGlite.create(config.dataDir, options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {});
  await client.exec(`SET statement_timeout = ${Math.trunc(config.statementTimeoutMs)}`);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return { db, engine: 'pglite', close: () => client.close() };
}

/** Anything that can run a statement: the database or an open transaction. */
export type Executor = Pick<Db, 'execute'>;

/** Rows of a raw statement; postgres-js returns an array, PGlite an object holding `rows`. */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await executor.execute(query);
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/**
 * The database's own message for a failed statement. drizzle wraps driver errors in one whose
 * message holds the SQL and every parameter (entity content), which must not reach users or logs.
 */
export function databaseErrorMessage(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
