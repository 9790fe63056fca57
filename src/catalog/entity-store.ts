import { sql } from 'drizzle-orm';
import { databaseErrorMessage, queryRows, type BulkTransaction, type CopyColumn, type Database, type Db, type Executor } from '../db/client.js';
import { catalogProblems, catalogRegisteredLocations } from '../db/schema.js';
import type { StoredEntityText } from './answers/catalog-view.js';
import type { RelationText } from './answers/relation-lists.js';
import type { CatalogProblem } from './processing/catalog-problem.js';
import type { IngestResult } from './ingestion/ingest-locations.js';
import { OverlayMap } from './ingestion/overlay-map.js';
import { hasContent, type IngestedEntity, type ProcessedEntity } from './processing/process-entity.js';

/** Refs go over as one JSON array parameter: same SQL on PostgreSQL and PGlite, no parameter-count limit. */
const REF_BATCH = 10_000;

export interface StoredEntityRow {
  ref: string;
  locationKey: string;
  originKey: string;
  contentHash: string;
  createdAt: string;
}

export interface RefreshSummary {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  kept: number;
  /** Refs added or updated, and refs removed, for incremental updates of the in-memory view. */
  changedRefs: string[];
  removedRefs: string[];
}

const SELECT_STORED_ROWS = 'select ref, location_key, origin_key, content_hash, created_at::text as created_at from catalog_entities';

/** Where every stored entity came from and its content hash (what a refresh compares against), as of one version. */
export interface StoredCatalog {
  /** The stored refreshes' counter when `rows` were read or last written by this process. */
  version: number;
  rows: Map<string, StoredEntityRow>;
}

/** The stored catalog: `known` itself while no refresh was stored since it, else read anew. */
export async function loadStoredCatalog(database: Database, known?: StoredCatalog): Promise<StoredCatalog> {
  return database.bulkTransaction(async (tx) => {
    const version = await readVersion(tx);
    return known?.version === version ? known : { version, rows: await readStoredRows(tx) };
  });
}

async function readStoredRows(tx: BulkTransaction): Promise<Map<string, StoredEntityRow>> {
  const rows = await tx.query<{ ref: string; location_key: string; origin_key: string; content_hash: string; created_at: string }>(SELECT_STORED_ROWS);
  const intern = stringPool();
  return new Map(
    rows.map((row) => [
      row.ref,
      { ref: row.ref, locationKey: intern(row.location_key), originKey: intern(row.origin_key), contentHash: row.content_hash, createdAt: intern(row.created_at) },
    ]),
  );
}

/** Every entity of a file repeats the file's key, of a root the root's, and of a refresh its time: the pool keeps one copy of each. */
function stringPool(): (value: string) => string {
  const pool = new Map<string, string>();
  return (value) => {
    const kept = pool.get(value);
    if (kept !== undefined) return kept;
    pool.set(value, value);
    return value;
  };
}

async function readVersion(tx: BulkTransaction): Promise<number> {
  const [row] = await tx.query<{ version: string }>('select version::text as version from catalog_state where id = 1');
  return row ? Number(row.version) : 0;
}

export interface ApplyRefreshOptions {
  result: IngestResult;
  /** True when the roots in `result` are every configured root: entities of any other root are removed. */
  complete: boolean;
  /** Called with the plan once it is made under the lock, while the rows are still being written. */
  onPlanned?: (summary: RefreshSummary) => void;
}

// Any fixed 64-bit number; the same in every replica.
const REFRESH_LOCK_KEY = '7360134285512';
const TABLES_WITH_INDEXES = ['catalog_entities', 'catalog_relations'];
/** Entities written at once while a first load is still reading files. */
const STREAM_BATCH = 5_000;

/**
 * One refresh's write, in a single transaction: new and changed entities are written, entities
 * their source no longer holds are removed, relations and problems are replaced. A root that
 * failed for any reason but "not found" keeps the entities of every file it could not read this
 * time. `finish` plans and commits and returns what changed and the stored catalog as it now is.
 *
 * A first load of local files (nothing stored, and no one stored since `known`) opens the
 * transaction at once and writes the entities `offer`ed while the files are still being read, the
 * server's work beside the parsing, with the indexes built once at the end; nothing is visible
 * before the commit, and readers of the catalog tables wait for it. Any other refresh (one with
 * GitHub roots, whose reads may take minutes, included) opens the transaction only in `finish`.
 */
export interface RefreshWrite {
  /** Entities that are final (the winners of their refs); written now on a first load. */
  offer(entities: ProcessedEntity[]): void;
  finish(options: ApplyRefreshOptions): Promise<{ summary: RefreshSummary; stored: StoredCatalog }>;
  /** The reading failed: roll back whatever was written. */
  abandon(): Promise<void>;
}

export function openRefreshWrite(database: Database, known: StoredCatalog, options: { streamWhileReading: boolean }): RefreshWrite {
  const now = new Date().toISOString();
  const firstLoad = options.streamWhileReading && known.rows.size === 0;
  const offered: ProcessedEntity[] = [];
  let finishing: ApplyRefreshOptions | 'abandon' | undefined;
  let wake: (() => void) | undefined;
  const nudge = () => {
    wake?.();
    wake = undefined;
  };
  let streaming = firstLoad;
  const store = (readUntilFinished: (tx: BulkTransaction) => Promise<{ streamed: Set<string>; rebuildIndexes: () => Promise<void> } | undefined>) =>
    database.bulkTransaction(async (tx) => {
      // Replicas storing at once take turns, and each plans against what the one before committed.
      await tx.query('select pg_advisory_xact_lock($1::bigint)', [REFRESH_LOCK_KEY]);
      const version = await readVersion(tx);
      streaming &&= version === known.version;
      const streamed = await readUntilFinished(tx);
      if (finishing === 'abandon' || !finishing) throw new Error('the refresh was abandoned');
      const rows = known.version === version ? known.rows : await readStoredRows(tx);
      const summary = planRefresh(finishing, rows, rows === known.rows);
      finishing.onPlanned?.(summary);
      await writeRefresh(tx, finishing, rows, summary, now, streamed);
      const [bumped] = await tx.query<{ version: string }>(
        `insert into catalog_state (id, version) values (1, 1)
         on conflict (id) do update set version = catalog_state.version + 1 returning version::text as version`,
      );
      return { summary, stored: { version: Number(bumped!.version), rows } };
    });
  const streamWhileReading = async (tx: BulkTransaction) => {
    if (!streaming) {
      offered.length = 0;
      while (!finishing) await new Promise<void>((resolve) => (wake = resolve));
      return undefined;
    }
    const rebuildIndexes = await dropIndexes(tx, TABLES_WITH_INDEXES);
    const streamed = new Set<string>();
    for (;;) {
      if (finishing === 'abandon') return undefined;
      if (offered.length >= STREAM_BATCH || (finishing && offered.length > 0)) {
        const batch = offered.splice(0, STREAM_BATCH);
        await writeEntities(tx, batch, known.rows, now);
        for (const entity of batch) streamed.add(entity.ref);
      } else if (finishing) {
        return { streamed, rebuildIndexes };
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  };
  // Opened at once only for a first load; settled (and its failure reported) by finish or abandon.
  const openedAtOnce = firstLoad ? store(streamWhileReading) : undefined;
  openedAtOnce?.catch(() => undefined);
  return {
    offer(entities) {
      if (!streaming) return;
      offered.push(...entities);
      if (offered.length >= STREAM_BATCH) nudge();
    },
    async finish(options) {
      finishing = options;
      nudge();
      let committed: { summary: RefreshSummary; stored: StoredCatalog };
      try {
        committed = await (openedAtOnce ?? store(async () => undefined));
      } catch (error) {
        throw new Error(`storing the catalog refresh failed: ${databaseErrorMessage(error)}; nothing was changed`, { cause: error });
      }
      // Only once committed: after a failure the map still holds what the store holds.
      const { summary, stored } = committed;
      for (const ref of summary.removedRefs) stored.rows.delete(ref);
      const intern = stringPool();
      for (const ref of summary.changedRefs) {
        const { locationKey, originKey, contentHash } = options.result.entities.get(ref)!;
        stored.rows.set(ref, { ref, locationKey: intern(locationKey), originKey: intern(originKey), contentHash, createdAt: stored.rows.get(ref)?.createdAt ?? now });
      }
      return committed;
    },
    async abandon() {
      finishing = 'abandon';
      nudge();
      await openedAtOnce?.catch(() => undefined);
    },
  };
}

/** `sameRows`: the store holds what the refresh was read against, so an incremental result need only be checked where it changed. */
function planRefresh({ result, complete }: ApplyRefreshOptions, stored: Map<string, StoredEntityRow>, sameRows: boolean): RefreshSummary {
  const summary: RefreshSummary = { added: 0, updated: 0, unchanged: 0, removed: 0, kept: 0, changedRefs: [], removedRefs: [] };
  // The rest of an incremental result is what the previous refresh stored, checked against these very rows.
  const changes = sameRows && result.entities instanceof OverlayMap ? (result.entities as OverlayMap<string, IngestedEntity>).changes : undefined;
  if (changes) summary.unchanged = result.entities.size - changes.size;
  for (const processed of (changes ?? result.entities).values()) {
    const before = stored.get(processed.ref);
    if (before && before.contentHash === processed.contentHash && before.locationKey === processed.locationKey) {
      summary.unchanged += 1;
      continue;
    }
    // Only a fingerprint, and the row changed since this refresh began (another replica wrote it
    // meanwhile): that row stays, and the next refresh, seeing the difference, reads the file again.
    if (!hasContent(processed)) {
      summary.kept += 1;
      continue;
    }
    if (before) summary.updated += 1;
    else summary.added += 1;
    summary.changedRefs.push(processed.ref);
  }
  for (const row of stored.values()) {
    if (result.entities.has(row.ref)) continue;
    const root = result.roots.get(row.originKey);
    if (!root) {
      if (complete) summary.removedRefs.push(row.ref);
    } else if (root.keepUnread && !result.files.has(row.locationKey)) {
      summary.kept += 1;
    } else {
      summary.removedRefs.push(row.ref);
    }
  }
  summary.removed = summary.removedRefs.length;
  return summary;
}

async function writeRefresh(
  tx: BulkTransaction,
  { result, complete }: ApplyRefreshOptions,
  stored: Map<string, StoredEntityRow>,
  summary: RefreshSummary,
  now: string,
  /** What a first load wrote while reading, and how to build the indexes it dropped. */
  streamedLoad: { streamed: Set<string>; rebuildIndexes: () => Promise<void> } | undefined,
): Promise<void> {
  const pending = streamedLoad ? summary.changedRefs.filter((ref) => !streamedLoad.streamed.has(ref)) : summary.changedRefs;
  const touched = [...pending, ...summary.removedRefs];
  for (let start = 0; start < touched.length; start += REF_BATCH) {
    const refs = JSON.stringify(touched.slice(start, start + REF_BATCH));
    await tx.query('delete from catalog_relations where source_ref in (select jsonb_array_elements_text($1::jsonb))', [refs]);
    await tx.query('delete from catalog_entities where ref in (select jsonb_array_elements_text($1::jsonb))', [refs]);
  }
  const written = pending.map((ref) => result.entities.get(ref)!).filter(hasContent);
  const write = () => writeEntities(tx, written, stored, now);
  if (streamedLoad) {
    await write();
    await streamedLoad.rebuildIndexes();
  } else {
    const finalSize = stored.size - summary.removed + summary.added;
    const bulk = written.length >= BULK_MIN_ROWS && written.length >= BULK_SHARE * finalSize;
    if (bulk) await withIndexesRebuilt(tx, ['catalog_entities', 'catalog_relations'], write);
    else await write();
  }
  await replaceProblems(tx, result, complete);
  await recordRoots(tx, result, complete);
}

/** A refresh writing at least this many rows, and this share of the catalog, rebuilds the indexes instead of maintaining them. */
const BULK_MIN_ROWS = 10_000;
const BULK_SHARE = 0.5;

/**
 * Drops the tables' indexes and unique constraints, runs `work`, and builds them again: for
 * writing most of a table (a first load, a mass change), building an index by sorting once is
 * several times faster than maintaining it row by row. The definitions are read from the
 * database, so they stay exactly what the migrations made. Inside the transaction, readers wait
 * for the commit rather than see a table without its indexes.
 */
async function withIndexesRebuilt(tx: BulkTransaction, tables: string[], work: () => Promise<void>): Promise<void> {
  const rebuild = await dropIndexes(tx, tables);
  await work();
  await rebuild();
}

/** Drops the tables' indexes and unique constraints; resolves to the function that builds them again and analyzes the tables. */
async function dropIndexes(tx: BulkTransaction, tables: string[]): Promise<() => Promise<void>> {
  const definitions: { table: string; constraints: NamedDefinition[]; indexes: NamedDefinition[] }[] = [];
  for (const table of tables) {
    const constraints = await tx.query<NamedDefinition>(
      `select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = $1::regclass and contype in ('p', 'u')`,
      [table],
    );
    const indexes = await tx.query<NamedDefinition>(
      `select index.relname as name, pg_get_indexdef(index.oid) as definition
       from pg_index x join pg_class index on index.oid = x.indexrelid
       where x.indrelid = $1::regclass and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)`,
      [table],
    );
    definitions.push({ table, constraints, indexes });
  }
  for (const { table, constraints, indexes } of definitions) {
    for (const constraint of constraints) await tx.query(`alter table ${table} drop constraint "${constraint.name}"`);
    for (const index of indexes) await tx.query(`drop index "${index.name}"`);
  }
  return async () => {
    for (const { table, constraints, indexes } of definitions) {
      for (const constraint of constraints) await tx.query(`alter table ${table} add constraint "${constraint.name}" ${constraint.definition}`);
      for (const index of indexes) await tx.query(index.definition);
    }
    // Statistics for what was written in bulk, at once: without them the planner guesses a handful of
    // rows and groups a start's relations in a hash spilling to disk, rather than along the indexes.
    await tx.query(`analyze ${tables.join(', ')}`);
  };
}

interface NamedDefinition {
  name: string;
  definition: string;
}

async function writeEntities(tx: BulkTransaction, written: ProcessedEntity[], stored: Map<string, StoredEntityRow>, now: string): Promise<void> {
  await tx.copyRows(
    'catalog_entities',
    [
      ...columns('text', 'ref', 'kind', 'namespace', 'name', 'title'),
      { name: 'entity', type: 'json' },
      ...columns('text', 'location_key', 'origin_key', 'content_hash'),
      ...columns('timestamptz', 'created_at', 'updated_at'),
    ],
    written.map((processed) => [
      processed.ref,
      processed.kind,
      processed.namespace,
      processed.name,
      processed.title,
      processed.json,
      processed.locationKey,
      processed.originKey,
      processed.contentHash,
      stored.get(processed.ref)?.createdAt ?? now,
      now,
    ]),
  );
  await tx.copyRows('catalog_relations', columns('text', 'source_ref', 'type', 'target_ref'), forwardRelations(written));
}

function columns(type: CopyColumn['type'], ...names: string[]): CopyColumn[] {
  return names.map((name) => ({ name, type }));
}

/** The relations as each entity states them; the reverse rows are implied. */
function* forwardRelations(written: ProcessedEntity[]): Generator<string[]> {
  for (const processed of written) {
    for (const relation of processed.relations) yield [processed.ref, relation.type, relation.targetRef];
  }
}

async function replaceProblems(tx: BulkTransaction, result: IngestResult, complete: boolean): Promise<void> {
  if (complete) await tx.query('delete from catalog_problems');
  else await tx.query('delete from catalog_problems where origin_key in (select jsonb_array_elements_text($1::jsonb))', [JSON.stringify([...result.roots.keys()])]);
  const originOf = (problem: CatalogProblem): string => result.problemOrigins.get(problem) ?? '';
  await tx.copyRows(
    'catalog_problems',
    [...columns('text', 'origin_key', 'file'), ...columns('integer', 'line', 'document'), ...columns('text', 'ref', 'severity', 'message')],
    result.problems.map((problem) => [originOf(problem), problem.file, problem.line ?? null, problem.document ?? null, problem.ref ?? null, problem.severity, problem.message]),
  );
}

async function recordRoots(tx: BulkTransaction, result: IngestResult, complete: boolean): Promise<void> {
  const rows = [...result.roots.entries()].map(([key, status]) => ({
    key,
    type: key.slice(0, key.indexOf(':')),
    target: key.slice(key.indexOf(':') + 1),
    status: status.status,
    last_error: status.error ?? null,
    entity_count: status.entityCount,
  }));
  if (complete) {
    await tx.query('delete from catalog_locations where key not in (select jsonb_array_elements_text($1::jsonb))', [JSON.stringify(rows.map((row) => row.key))]);
  }
  await tx.query(
    `insert into catalog_locations (key, type, target, status, last_error, entity_count, refreshed_at)
     select key, type, target, status, last_error, entity_count, now()
     from jsonb_to_recordset($1::jsonb) as x(key text, type text, target text, status text, last_error text, entity_count integer)
     on conflict (key) do update set status = excluded.status, last_error = excluded.last_error,
       entity_count = excluded.entity_count, refreshed_at = now()`,
    [JSON.stringify(rows)],
  );
}

/** Every stored entity and relation, for the in-memory view answers are served from. */
export async function loadCatalog(db: Executor): Promise<{ entities: Iterable<StoredEntityText>; relations: { outgoing: Iterable<RelationText>; incoming: Iterable<RelationText> } }> {
  // Three statements at once: on PostgreSQL each runs on its own connection. Every result is a few
  // texts of lines rather than a row per entity or relation: PGlite pays for each row it hands over
  // (a hundred thousand entity rows took twice as long as 256 texts), PostgreSQL no less for texts.
  // Entities come in 256 texts, so an entity's JSON, cut out of one, keeps a few hundred others'
  // company rather than the whole catalog's until the view packs it. Each line's ref, name and
  // title come first as a JSON array: parsed, they are strings of their own, which the view keeps
  // for good without keeping the text. JSON holds no raw tabs or newlines. Relations come grouped
  // by entity, each direction as one text of `ref\tpairs` lines, which the view reads a list at a
  // time when asked.
  const [entities, [outgoing], [incoming]] = await Promise.all([
    queryRows<{ lines: string }>(db, sql`select string_agg(json_build_array(ref, name, title)::text || E'\t' || entity::text, E'\n') as lines
      from catalog_entities group by hashtext(ref) & 255`),
    queryRows<{ lines: string | null }>(db, sql`select string_agg(ref || E'\t' || pairs, E'\n') as lines from (
      select source_ref as ref, string_agg(type || E'\t' || target_ref, E'\t') as pairs from catalog_relations group by source_ref) as grouped`),
    queryRows<{ lines: string | null }>(db, sql`select string_agg(ref || E'\t' || pairs, E'\n') as lines from (
      select target_ref as ref, string_agg(type || E'\t' || source_ref, E'\t') as pairs from catalog_relations group by target_ref) as grouped`),
  ]);
  return {
    entities: entityTexts(entities.map((chunk) => chunk.lines)),
    relations: { outgoing: relationTexts(outgoing?.lines ?? ''), incoming: relationTexts(incoming?.lines ?? '') },
  };
}

function* entityTexts(chunks: string[]): Generator<StoredEntityText> {
  for (const lines of chunks) {
    for (const line of textLines(lines)) {
      const tab = line.indexOf('\t');
      const [ref, name, title] = JSON.parse(line.slice(0, tab)) as [string, string, string | null];
      yield { ref, name, title, json: line.slice(tab + 1) };
    }
  }
}

function* relationTexts(lines: string): Generator<RelationText> {
  for (const line of textLines(lines)) {
    const tab = line.indexOf('\t');
    yield { ref: line.slice(0, tab), pairs: line.slice(tab + 1) };
  }
}

/** A text's lines, cut out of it without splitting it all at once. */
function* textLines(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    yield text.slice(start, end);
    start = end + 1;
  }
}

/** A location registered at run time (see catalogRegisteredLocations). */
export interface RegisteredLocation {
  type: 'file' | 'url';
  target: string;
}

export async function registeredLocations(db: Db): Promise<RegisteredLocation[]> {
  const rows = await db.select().from(catalogRegisteredLocations).orderBy(catalogRegisteredLocations.createdAt, catalogRegisteredLocations.key);
  return rows.map((row) => ({ type: row.type === 'url' ? 'url' : 'file', target: row.target }));
}

/** Records a registered location under its root key; registering it again changes nothing. */
export async function recordRegisteredLocation(db: Db, key: string, location: RegisteredLocation, registeredBy: string | undefined): Promise<void> {
  await db.insert(catalogRegisteredLocations).values({ key, type: location.type, target: location.target, registeredBy: registeredBy ?? null }).onConflictDoNothing();
}

export async function listProblems(db: Db): Promise<CatalogProblem[]> {
  const rows = await db.select().from(catalogProblems).orderBy(catalogProblems.file, catalogProblems.line, catalogProblems.id);
  return rows.map((row) => ({
    severity: row.severity,
    file: row.file,
    ...(row.line !== null ? { line: row.line } : {}),
    ...(row.document !== null ? { document: row.document } : {}),
    ...(row.ref !== null ? { ref: row.ref } : {}),
    message: row.message,
  }));
}
