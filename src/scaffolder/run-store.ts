import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.js';
import { scaffolderRuns } from '../db/schema.js';
import type { RunStatus, StepReport, TemplateRunResult } from './run-template.js';

/** A run's approval: the group whose members decide, and their decision once made. */
export interface RunApproval {
  approvers: string;
  /** The template as it was asked about (templateDigest): a template changed since does not run on this approval. */
  template: string;
  state: 'pending' | 'approved' | 'rejected';
  decidedBy?: string;
  reason?: string;
}

/** A Slack message, by channel and timestamp. */
export interface SlackPlace {
  channel: string;
  ts: string;
}

/** Where a run is shown: the requester's report, and the approval requests, updated by whichever replica decides or runs it. */
export interface RunReportPlace extends SlackPlace {
  requests?: SlackPlace[];
}

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
  approval: RunApproval | null;
  report: RunReportPlace | null;
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
    approval: (row.approval as RunApproval | null) ?? null,
    report: (row.report as RunReportPlace | null) ?? null,
    createdAt: row.createdAt,
  };
}

/**
 * Records a new run, open. With a `requestKey` a request seen before makes no second run: the
 * first one's record comes back, flagged `existing`.
 */
export async function recordRun(
  db: Db,
  run: {
    id: string;
    templateRef: string;
    requestedBy?: string;
    requestKey?: string;
    values: Record<string, unknown>;
    steps: StepReport[];
    /** The run waits for these approvers, keeping `pendingValues` (unmasked) until it starts. */
    approval?: { approvers: string; template: string; pendingValues: Record<string, unknown> };
  },
): Promise<{ run: RecordedRun; existing: boolean }> {
  const approval = run.approval ? { approval: { approvers: run.approval.approvers, template: run.approval.template, state: 'pending' } satisfies RunApproval, pendingValues: run.approval.pendingValues } : {};
  const inserted = await db
    .insert(scaffolderRuns)
    .values({ id: run.id, templateRef: run.templateRef, requestedBy: run.requestedBy ?? null, requestKey: run.requestKey ?? null, status: 'open', values: run.values, steps: run.steps, ...approval })
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
    .set({ status: 'cancelled', pendingValues: null, updatedAt: new Date() })
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

/**
 * Records an approver's decision on a run still waiting for one; undefined when it is not (decided
 * already, by someone faster on any replica, or cancelled). A rejection ends the run, cancelled,
 * and drops its values.
 */
export async function decideApproval(db: Db, id: string, decision: { approved: boolean; decidedBy: string; reason?: string }): Promise<RecordedRun | undefined> {
  const approval = { state: decision.approved ? 'approved' : 'rejected', decidedBy: decision.decidedBy, ...(decision.reason ? { reason: decision.reason } : {}) };
  const rejected = decision.approved ? {} : { status: 'cancelled', pendingValues: null, error: `rejected by ${decision.decidedBy}${decision.reason ? `: ${decision.reason}` : ''}` };
  const [row] = await db
    .update(scaffolderRuns)
    .set({ approval: sql`${scaffolderRuns.approval} || ${JSON.stringify(approval)}::jsonb`, updatedAt: new Date(), ...rejected })
    .where(and(eq(scaffolderRuns.id, id), eq(scaffolderRuns.status, 'open'), sql`${scaffolderRuns.approval}->>'state' = 'pending'`))
    .returning();
  return row && recorded(row);
}

/**
 * Takes the values an approved run kept, once, and marks it processing: the replica that gets them
 * runs it, and they are gone from the record from then on. Undefined when someone took them already.
 */
export async function takePendingValues(db: Db, id: string): Promise<Record<string, unknown> | undefined> {
  const [taken] = await queryRows<{ values: Record<string, unknown> }>(
    db,
    sql`update scaffolder_runs set pending_values = null, status = 'processing', updated_at = now()
        from (select id, pending_values from scaffolder_runs where id = ${id} and pending_values is not null and approval->>'state' = 'approved' and status = 'open' for update) as kept
        where scaffolder_runs.id = kept.id
        returning kept.pending_values as values`,
  );
  return taken?.values;
}

/** Where the requester follows the run, for whichever replica updates it later. */
export async function recordReportPlace(db: Db, id: string, place: RunReportPlace): Promise<void> {
  await db.update(scaffolderRuns).set({ report: place }).where(eq(scaffolderRuns.id, id));
}

/** Runs approved but not started (the replica that approved stopped before it took their values). */
export async function approvedWaiting(db: Db): Promise<RecordedRun[]> {
  const rows = await db
    .select()
    .from(scaffolderRuns)
    .where(and(eq(scaffolderRuns.status, 'open'), sql`${scaffolderRuns.approval}->>'state' = 'approved'`, sql`${scaffolderRuns.pendingValues} is not null`));
  return rows.map(recorded);
}
