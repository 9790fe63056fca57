import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { scaffolderRuns } from '../db/schema.js';
import type { RunStatus, StepReport, TemplateRunResult } from './run-template.js';

/** A template run as recorded: values masked, logs redacted. */
export interface RecordedRun {
  id: string;
  templateRef: string;
  requestedBy: string | null;
  status: RunStatus;
  values: Record<string, unknown>;
  steps: StepReport[];
  output: TemplateRunResult['output'] | null;
  error: string | null;
  createdAt: Date;
}

type Row = typeof scaffolderRuns.$inferSelect;

function recorded(row: Row): RecordedRun {
  return {
    id: row.id,
    templateRef: row.templateRef,
    requestedBy: row.requestedBy,
    status: row.status as RunStatus,
    values: row.values as Record<string, unknown>,
    steps: row.steps as StepReport[],
    output: (row.output as TemplateRunResult['output'] | null) ?? null,
    error: row.error,
    createdAt: row.createdAt,
  };
}

/**
 * Records a new run, open. With a `requestKey` a request seen before makes no second run: the
 * first one's record comes back, flagged `existing`.
 */
export async function recordRun(
  db: Db,
  run: { id: string; templateRef: string; requestedBy?: string; requestKey?: string; values: Record<string, unknown>; steps: StepReport[] },
): Promise<{ run: RecordedRun; existing: boolean }> {
  const inserted = await db
    .insert(scaffolderRuns)
    .values({ id: run.id, templateRef: run.templateRef, requestedBy: run.requestedBy ?? null, requestKey: run.requestKey ?? null, status: 'open', values: run.values, steps: run.steps })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) return { run: recorded(inserted[0]), existing: false };
  const [first] = await db.select().from(scaffolderRuns).where(eq(scaffolderRuns.requestKey, run.requestKey!));
  return { run: recorded(first!), existing: true };
}

/**
 * Records a run's progress or outcome. Progress (`processing`) never overwrites a cancellation
 * recorded meanwhile (by this replica or another); the outcome does, being what happened.
 */
export async function updateRun(db: Db, id: string, changes: { status: RunStatus; steps: StepReport[]; output?: TemplateRunResult['output']; error?: string }): Promise<void> {
  const progress = changes.status === 'processing';
  await db
    .update(scaffolderRuns)
    .set({ status: changes.status, steps: changes.steps, output: changes.output ?? null, error: changes.error ?? null, updatedAt: new Date() })
    .where(progress ? and(eq(scaffolderRuns.id, id), ne(scaffolderRuns.status, 'cancelled')) : eq(scaffolderRuns.id, id));
}

/** Marks a run of this person's cancelled while it is open or processing; false when it is not (anymore). */
export async function requestCancel(db: Db, id: string, requestedBy: string): Promise<boolean> {
  const cancelled = await db
    .update(scaffolderRuns)
    .set({ status: 'cancelled', updatedAt: new Date() })
    .where(and(eq(scaffolderRuns.id, id), eq(scaffolderRuns.requestedBy, requestedBy), inArray(scaffolderRuns.status, ['open', 'processing'])))
    .returning({ id: scaffolderRuns.id });
  return cancelled.length > 0;
}

export async function findRun(db: Db, id: string): Promise<RecordedRun | undefined> {
  const [row] = await db.select().from(scaffolderRuns).where(eq(scaffolderRuns.id, id));
  return row && recorded(row);
}

/** A person's most recent runs, newest first. */
export async function runsOf(db: Db, requestedBy: string, limit = 10): Promise<RecordedRun[]> {
  const rows = await db.select().from(scaffolderRuns).where(eq(scaffolderRuns.requestedBy, requestedBy)).orderBy(desc(scaffolderRuns.createdAt)).limit(limit);
  return rows.map(recorded);
}
