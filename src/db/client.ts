import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

export type CopyValue = string | number | null;

/** A column to bulk-load, with its SQL type (rows travel as text and are cast on the server). */
export interface CopyColumn {
  name: string;
  type: 'text' | 'integer' | 'json' | 'jsonb' | 'timestamptz';
}

/**
 * A transaction on the driver itself, for bulk writes: PostgreSQL's COPY loads rows several times
 * faster than INSERT, and both engines speak it (a stream for postgres, a blob for PGlite).
 */
export interface BulkTransaction {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  copyRows(table: string, columns: CopyColumn[], rows: Iterable<CopyValue[]>): Promise<void>;
}

export interface Database {
  db: Db;
  engine: 'postgres' | 'pglite';
  /** Runs `work` in one transaction on the driver, committed when it resolves, rolled back when it throws. */
  bulkTransaction<T>(work: (tx: BulkTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const COPY_CHUNK_ROWS = 1_000;
const PGLITE_COPY_ROWS = 10_000;

/** One row in COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyLine(row: CopyValue[]): string {
  return `${row
    .map((value) =>
      value === null ? '\\N' : String(value).replace(/[\\\t\n\r]/g, (character) => COPY_ESCAPES[character]!),
    )
    .join('\t')}\n`;
}
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function* copyChunks(rows: Iterable<CopyValue[]>): Generator<string> {
  let chunk: string[] = [];
  for (const row of rows) {
    chunk.push(copyLine(row));
    if (chunk.length === COPY_CHUNK_ROWS) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

function copyStatement(table: string, columns: CopyColumn[], source: string): string {
  return `copy ${table} (${columns.map((column) => `"${column.name}"`).join(', ')}) from ${source}`;
}

function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Opens PostgreSQL when a URL is configured, embedded PGlite otherwise; both behind the same drizzle type. */
export async function openDatabase(config: DatabaseConfig, options: { pgliteTemplate?: Blob } = {}): Promise<Database> {
  if (config.url) {
    const settings = {
      max: config.poolSize,
      onnotice: () => {},
      // Without these a stuck query or an unreachable server holds a request for minutes.
      connect_timeout: 10,
      connection: { statement_timeout: config.statementTimeoutMs, application_name: 'callboard' },
    };
    // Parsed by the client itself (which opens no connection before a query): one TCP host gets our sockets.
    const { host, port } = postgres(config.url, settings).options;
    const tcpHost = host.length === 1 && !host[0]!.includes('/') ? { host: host[0]!, port: port[0] ?? 5432 } : undefined;
    const client = postgres(config.url, tcpHost ? { ...settings, ...({ socket: noDelaySockets(tcpHost) } as object) } : settings);
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    const bulkTransaction = <T>(work: (tx: BulkTransaction) => Promise<T>): Promise<T> =>
      client.begin((sql) =>
        work({
          query: async <R>(text: string, params: unknown[] = []) => (await sql.unsafe(text, params as never[])) as unknown as R[],
          async copyRows(table, columns, rows) {
            const copy = sql.unsafe(copyStatement(table, columns, 'stdin'));
            const refused = refusal(copy);
            // A refusal before the stream opens (no such table) rejects the stream's opening instead.
            refused.catch(() => undefined);
            await Promise.race([pipeline(Readable.from(copyChunks(rows)), await copy.writable()), refused]);
          },
        }),
      ) as Promise<T>;
    return { db, engine: 'postgres', bulkTransaction, close: () => client.end({ timeout: 5 }) };
  }
  // Loaded on demand so deployments on PostgreSQL never pay for the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  if (!config.dataDir.startsWith('memory://')) mkdirSync(config.dataDir, { recursive: true });
  const client = await PGlite.create(config.dataDir, options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {});
  await client.exec(`SET statement_timeout = ${Math.trunc(config.statementTimeoutMs)}`);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const bulkTransaction = <T>(work: (tx: BulkTransaction) => Promise<T>): Promise<T> =>
    client.transaction((tx) =>
      work({
        query: async <R>(text: string, params: unknown[] = []) => (await tx.query<R>(text, params)).rows,
        async copyRows(table, columns, rows) {
          // One COPY per batch: PGlite's WebAssembly memory grows to its largest input and never shrinks.
          for (const batch of batches(rows, PGLITE_COPY_ROWS)) {
            await tx.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob([...copyChunks(batch)]) });
          }
        },
      }),
    );
  return { db, engine: 'pglite', bulkTransaction, close: () => client.close() };
}

/**
 * Opens postgres.js's connections to one TCP host with Nagle's algorithm off, as libpq does;
 * postgres.js leaves it on. With it on, a message sent in two writes (a COPY's rows, then its end)
 * waits for the server's delayed acknowledgement, 40 ms on Linux, and the next statement waits
 * again: storing a refresh of one edited file took a quarter of a second that way. Several hosts
 * (failover) and Unix sockets are left to postgres.js, which connects those itself.
 */
function noDelaySockets({ host, port }: { host: string; port: number }): () => net.Socket {
  // postgres.js names the server for TLS (SNI) and in its errors by these properties of the sockets it opens itself.
  return () => Object.assign(net.connect({ host, port, noDelay: true }), { host, port });
}

/**
 * The server's refusal of a COPY. postgres.js 3.4 settles a COPY's query as soon as the server
 * accepts the data stream, and a refusal arriving after the stream has ended (a duplicate key in
 * the last rows, a timeout) reaches only that settled query, so the stream would never finish
 * (porsager/postgres#1173). The refusal is caught where the connection hands it to the query.
 */
function refusal(copy: object): Promise<never> {
  const query = copy as unknown as { reject: (error: unknown) => void };
  const settle = query.reject;
  return new Promise<never>((_, reject) => {
    query.reject = (error) => {
      reject(error);
      settle(error);
    };
  });
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
