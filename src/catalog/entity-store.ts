import { sql } from 'drizzle-orm';
import { databaseErrorMessage, queryRows, type Db, type Executor } from '../db/client.js';
import { catalogProblems } from '../db/schema.js';
import type { Entity } from './model/entity.js';
import type { StoredRelation } from './model/relations.js';
import type { CatalogProblem } from './processing/catalog-problem.js';
import type { IngestResult } from './ingestion/ingest-locations.js';

/** Rows go over as one JSON parameter per batch: one round trip, no parameter-count limit, same SQL on PostgreSQL and PGlite. */
const BATCH_ROWS = 2_000;

export interface StoredEntityRow {
  ref: string;
  locationKey: string;
  originKey: string;
  contentHash: string;
}

export interface RefreshSummary {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  kept: number;
  /** Refs whose stored row changed (added, updated or removed), for incremental index updates. */
  changedRefs: string[];
  removedRefs: string[];
}

export async function loadStoredRows(db: Executor): Promise<Map<string, StoredEntityRow>> {
  const rows = await queryRows<{ ref: string; location_key: string; origin_key: string; content_hash: string }>(
    db,
    sql`select ref, location_key, origin_key, content_hash from catalog_entities`,
  );
  return new Map(rows.map((row) => [row.ref, { ref: row.ref, locationKey: row.location_key, originKey: row.origin_key, contentHash: row.content_hash }]));
}

export interface ApplyRefreshOptions {
  result: IngestResult;
  /** True when the roots in `result` are every configured root: entities of any other root are removed. */
  complete: boolean;
}

/**
 * Applies one refresh in a single transaction: new and changed entities are written, entities
 * their source no longer holds are removed, relations and problems are replaced. A root that
 * failed transiently keeps the entities of every file it could not read this time.
 */
export async function applyRefresh(db: Db, options: ApplyRefreshOptions): Promise<RefreshSummary> {
  try {
    return await writeRefresh(db, options);
  } catch (error) {
    throw new Error(`storing the catalog refresh failed: ${databaseErrorMessage(error)}; nothing was changed`, { cause: error });
  }
}

async function writeRefresh(db: Db, { result, complete }: ApplyRefreshOptions): Promise<RefreshSummary> {
  return db.transaction(async (tx) => {
    const stored = await loadStoredRows(tx);
    const summary: RefreshSummary = { added: 0, updated: 0, unchanged: 0, removed: 0, kept: 0, changedRefs: [], removedRefs: [] };

    const writes = [...result.entities.values()].filter((processed) => {
      const before = stored.get(processed.ref);
      if (!before) summary.added += 1;
      else if (before.contentHash !== processed.contentHash || before.locationKey !== processed.locationKey) summary.updated += 1;
      else {
        summary.unchanged += 1;
        return false;
      }
      return true;
    });

    const removals: string[] = [];
    for (const row of stored.values()) {
      if (result.entities.has(row.ref)) continue;
      const root = result.roots.get(row.originKey);
      if (!root) {
        if (complete) removals.push(row.ref);
        continue;
      }
      if (root.transientFailure && !result.files.has(row.locationKey)) summary.kept += 1;
      else removals.push(row.ref);
    }
    summary.removed = removals.length;

    for (let start = 0; start < writes.length; start += BATCH_ROWS) {
      const batch = writes.slice(start, start + BATCH_ROWS).map((processed) => ({
        ref: processed.ref,
        kind: processed.entity.kind,
        namespace: processed.entity.metadata.namespace,
        name: processed.entity.metadata.name,
        entity: processed.entity,
        location_key: processed.locationKey,
        origin_key: processed.originKey,
        content_hash: processed.contentHash,
      }));
      await tx.execute(sql`
        insert into catalog_entities (ref, kind, namespace, name, entity, location_key, origin_key, content_hash)
        select ref, kind, namespace, name, entity, location_key, origin_key, content_hash
        from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb)
          as x(ref text, kind text, namespace text, name text, entity jsonb, location_key text, origin_key text, content_hash text)
        on conflict (ref) do update set
          kind = excluded.kind, namespace = excluded.namespace, name = excluded.name, entity = excluded.entity,
          location_key = excluded.location_key, origin_key = excluded.origin_key,
          content_hash = excluded.content_hash, updated_at = now()`);
    }

    const touched = [...writes.map((processed) => processed.ref), ...removals];
    for (let start = 0; start < touched.length; start += BATCH_ROWS) {
      const refs = JSON.stringify(touched.slice(start, start + BATCH_ROWS));
      await tx.execute(sql`delete from catalog_relations where origin_ref in (select jsonb_array_elements_text(${refs}::jsonb))`);
      await tx.execute(sql`delete from catalog_entities where ref in (select jsonb_array_elements_text(${refs}::jsonb))
        and ref not in (select jsonb_array_elements_text(${JSON.stringify(writes.map((w) => w.ref))}::jsonb))`);
    }
    const relationRows = writes.flatMap((processed) =>
      dedupeRelations(processed.relations).map((relation) => ({ ...relation, originRef: processed.ref })),
    );
    for (let start = 0; start < relationRows.length; start += BATCH_ROWS * 4) {
      const batch = relationRows.slice(start, start + BATCH_ROWS * 4);
      await tx.execute(sql`
        insert into catalog_relations (source_ref, type, target_ref, origin_ref)
        select "sourceRef", type, "targetRef", "originRef"
        from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x("sourceRef" text, type text, "targetRef" text, "originRef" text)
        on conflict do nothing`);
    }

    await replaceProblems(tx, result, complete);
    await recordRoots(tx, result, complete);
    summary.changedRefs = writes.map((processed) => processed.ref);
    summary.removedRefs = removals;
    return summary;
  });
}

function dedupeRelations(relations: StoredRelation[]): StoredRelation[] {
  const seen = new Set<string>();
  return relations.filter((relation) => {
    const key = `${relation.sourceRef}\u0000${relation.type}\u0000${relation.targetRef}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function replaceProblems(tx: Executor, result: IngestResult, complete: boolean): Promise<void> {
  const roots = JSON.stringify([...result.roots.keys()]);
  await tx.execute(
    complete
      ? sql`delete from catalog_problems`
      : sql`delete from catalog_problems where origin_key in (select jsonb_array_elements_text(${roots}::jsonb))`,
  );
  const originOf = (problem: CatalogProblem): string => {
    const file = result.files.get(`file:${problem.file}`) ?? result.files.get(`url:${problem.file}`);
    return file?.originKey ?? [...result.roots.keys()][0] ?? '';
  };
  const rows = result.problems.map((problem) => ({
    origin_key: originOf(problem),
    file: problem.file,
    line: problem.line ?? null,
    document: problem.document ?? null,
    ref: problem.ref ?? null,
    severity: problem.severity,
    message: problem.message,
  }));
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    await tx.execute(sql`
      insert into catalog_problems (origin_key, file, line, document, ref, severity, message)
      select origin_key, file, line, document, ref, severity, message
      from jsonb_to_recordset(${JSON.stringify(rows.slice(start, start + BATCH_ROWS))}::jsonb)
        as x(origin_key text, file text, line integer, document integer, ref text, severity text, message text)`);
  }
}

async function recordRoots(tx: Executor, result: IngestResult, complete: boolean): Promise<void> {
  const rows = [...result.roots.entries()].map(([key, status]) => {
    const [type, ...target] = key.split(':');
    return { key, type, target: target.join(':'), status: status.status, last_error: status.error ?? null, entity_count: status.entityCount };
  });
  if (complete) {
    await tx.execute(sql`delete from catalog_locations where key not in (select jsonb_array_elements_text(${JSON.stringify(rows.map((r) => r.key))}::jsonb))`);
  }
  await tx.execute(sql`
    insert into catalog_locations (key, type, target, status, last_error, entity_count, refreshed_at)
    select key, type, target, status, last_error, entity_count, now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(key text, type text, target text, status text, last_error text, entity_count integer)
    on conflict (key) do update set status = excluded.status, last_error = excluded.last_error,
      entity_count = excluded.entity_count, refreshed_at = now()`);
}

export interface LoadedEntity {
  ref: string;
  entity: Entity;
  locationKey: string;
}

/** Stored entities (all, or just `refs`) with their relations attached, for the in-memory catalog answers are served from. */
export async function loadCatalog(db: Executor, refs?: string[]): Promise<LoadedEntity[]> {
  const only = refs ? sql`where ref in (select jsonb_array_elements_text(${JSON.stringify(refs)}::jsonb))` : sql``;
  const onlySources = refs ? sql`where source_ref in (select jsonb_array_elements_text(${JSON.stringify(refs)}::jsonb))` : sql``;
  const rows = await queryRows<{ ref: string; entity: Entity | string; location_key: string }>(
    db,
    sql`select ref, entity, location_key from catalog_entities ${only} order by ref`,
  );
  const relations = await queryRows<{ source_ref: string; type: string; target_ref: string }>(
    db,
    sql`select distinct source_ref, type, target_ref from catalog_relations ${onlySources} order by source_ref, type, target_ref`,
  );
  const bySource = new Map<string, { type: string; targetRef: string }[]>();
  for (const relation of relations) {
    const list = bySource.get(relation.source_ref) ?? [];
    list.push({ type: relation.type, targetRef: relation.target_ref });
    bySource.set(relation.source_ref, list);
  }
  return rows.map((row) => {
    const entity = typeof row.entity === 'string' ? (JSON.parse(row.entity) as Entity) : row.entity;
    return { ref: row.ref, locationKey: row.location_key, entity: { ...entity, relations: bySource.get(row.ref) ?? [] } };
  });
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
