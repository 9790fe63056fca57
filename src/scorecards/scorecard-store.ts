import { and, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { nudgedChecks, scorecardExemptions, scorecardResults, scorecardTransitions } from '../db/schema.js';
import type { CheckStatus, EntityScore } from './evaluate-scorecards.js';
import type { RuleOutcome } from './rule-evaluator.js';

/** A check as stored: its status, since when, and the last status that was not unknown. */
export interface StoredCheck {
  status: RuleOutcome;
  since: string;
  known?: 'pass' | 'fail';
  /** Failing since it went from passing to failing (a regression), rather than failing from the start. */
  regressed?: boolean;
}

export interface StoredResult {
  entityRef: string;
  scorecardId: string;
  level: string | null;
  checks: Record<string, StoredCheck>;
  evaluatedAt: Date;
}

export interface Transition {
  entityRef: string;
  scorecardId: string;
  checkId: string;
  fromStatus: RuleOutcome | null;
  toStatus: RuleOutcome;
  /** From passing to failing (through any unknown spell in between). */
  regression: boolean;
  at: Date;
}

export interface RecordedEvaluation {
  /** Entity and scorecard pairs whose level or checks changed (new ones included). */
  changed: number;
  removed: number;
  transitions: number;
  regressions: number;
}

/** Rows written per statement. */
const ROWS_PER_INSERT = 500;

/** A check set aside still fails underneath: that is what is stored. */
const outcomeOf = (status: CheckStatus): RuleOutcome => (status === 'snoozed' || status === 'wontfix' ? 'fail' : status);

const keyOf = (entityRef: string, scorecardId: string) => `${entityRef}\u0000${scorecardId}`;

/** The stored standing of a check after this evaluation, and the transition that led there, if any. */
function nextCheck(previous: StoredCheck | undefined, status: RuleOutcome, at: Date): { check: StoredCheck; transition?: { from: RuleOutcome; regression: boolean } } {
  const known = status === 'unknown' ? previous?.known : status;
  const regression = status === 'fail' && previous !== undefined && previous.status !== 'fail' && previous.known === 'pass';
  // A failure stays a regression through unknown spells, until the check passes again.
  const regressed = regression || (status !== 'pass' && previous?.regressed === true);
  const check: StoredCheck = { status, since: previous && previous.status === status ? previous.since : at.toISOString(), ...(known ? { known } : {}), ...(regressed ? { regressed } : {}) };
  if (!previous || previous.status === status) return { check };
  return { check, transition: { from: previous.status, regression } };
}

/** jsonb keeps keys in its own order, so checks are compared field by field. */
function sameChecks(a: Record<string, StoredCheck>, b: Record<string, StoredCheck>): boolean {
  const ids = Object.keys(b);
  return Object.keys(a).length === ids.length && ids.every((id) => a[id] !== undefined && a[id].status === b[id]!.status && a[id].since === b[id]!.since && a[id].known === b[id]!.known && a[id].regressed === b[id]!.regressed);
}

/**
 * Stores a full evaluation (as `evaluateAll` gives it, statuses before any exemption) in one
 * transaction: only the pairs that changed are written, each change of a check's status is a
 * transition with its time, and the pairs no longer scored are removed. A check seen for the
 * first time has no transition: it did not change, it began. With `scope`, only those entities
 * were evaluated, and only their pairs can be removed.
 */
export async function recordEvaluation(db: Db, scores: ReadonlyMap<string, EntityScore[]>, at: Date, scope?: { entities: string[] }): Promise<RecordedEvaluation> {
  return db.transaction(async (tx) => {
    // A partial evaluation (one entity rechecked) leaves every other entity's results alone.
    const previous = scope ? await tx.select().from(scorecardResults).where(inArray(scorecardResults.entityRef, scope.entities)) : await tx.select().from(scorecardResults);
    const existing = new Map(previous.map((row) => [keyOf(row.entityRef, row.scorecardId), row]));
    const rows: (typeof scorecardResults.$inferInsert)[] = [];
    const transitions: (typeof scorecardTransitions.$inferInsert)[] = [];
    for (const [entityRef, entityScores] of scores) {
      for (const score of entityScores) {
        const key = keyOf(entityRef, score.id);
        const before = existing.get(key);
        existing.delete(key);
        const previousChecks = (before?.checks ?? {}) as Record<string, StoredCheck>;
        const checks: Record<string, StoredCheck> = {};
        for (const result of score.checks) {
          const status = outcomeOf(result.status);
          const { check, transition } = nextCheck(previousChecks[result.id], status, at);
          checks[result.id] = check;
          if (transition) transitions.push({ entityRef, scorecardId: score.id, checkId: result.id, fromStatus: transition.from, toStatus: status, regression: transition.regression, at });
        }
        if (before && before.level === score.level && sameChecks(previousChecks, checks)) continue;
        rows.push({ entityRef, scorecardId: score.id, level: score.level, checks, evaluatedAt: at });
      }
    }
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      await tx
        .insert(scorecardResults)
        .values(rows.slice(start, start + ROWS_PER_INSERT))
        .onConflictDoUpdate({ target: [scorecardResults.entityRef, scorecardResults.scorecardId], set: { level: sql`excluded.level`, checks: sql`excluded.checks`, evaluatedAt: sql`excluded.evaluated_at` } });
    }
    for (let start = 0; start < transitions.length; start += ROWS_PER_INSERT) await tx.insert(scorecardTransitions).values(transitions.slice(start, start + ROWS_PER_INSERT));
    const gone = [...existing.values()];
    for (let start = 0; start < gone.length; start += ROWS_PER_INSERT) {
      const batch = gone.slice(start, start + ROWS_PER_INSERT);
      for (const scorecardId of new Set(batch.map((row) => row.scorecardId))) {
        const refs = batch.filter((row) => row.scorecardId === scorecardId).map((row) => row.entityRef);
        await tx.delete(scorecardResults).where(and(eq(scorecardResults.scorecardId, scorecardId), inArray(scorecardResults.entityRef, refs)));
      }
    }
    return { changed: rows.length, removed: gone.length, transitions: transitions.length, regressions: transitions.filter((item) => item.regression).length };
  });
}

/** A score as an evaluation at `at` would store it, for a database that has none yet. */
export function asStored(entityRef: string, score: EntityScore, at: Date): StoredResult {
  const checks = Object.fromEntries(score.checks.map((check) => [check.id, nextCheck(undefined, outcomeOf(check.status), at).check]));
  return { entityRef, scorecardId: score.id, level: score.level, checks, evaluatedAt: at };
}

/** The stored standing of these entities (all of them when `refs` is absent). */
export async function storedResults(db: Db, refs?: string[]): Promise<StoredResult[]> {
  const rows = refs ? (refs.length === 0 ? [] : await db.select().from(scorecardResults).where(inArray(scorecardResults.entityRef, refs))) : await db.select().from(scorecardResults);
  return rows.map((row) => ({ ...row, checks: row.checks as Record<string, StoredCheck> }));
}

/** An entity's check history, newest first. */
export async function transitionsOf(db: Db, entityRef: string, limit = 100): Promise<Transition[]> {
  const rows = await db.select().from(scorecardTransitions).where(eq(scorecardTransitions.entityRef, entityRef)).orderBy(desc(scorecardTransitions.at), desc(scorecardTransitions.id)).limit(limit);
  return rows.map((row) => ({ entityRef: row.entityRef, scorecardId: row.scorecardId, checkId: row.checkId, fromStatus: row.fromStatus as RuleOutcome | null, toStatus: row.toStatus as RuleOutcome, regression: row.regression, at: row.at }));
}

/** How exemptions and nudges name one check of one entity: `entity/scorecard/check`. */
export const checkKey = (entityRef: string, scorecardId: string, checkId: string) => `${entityRef}/${scorecardId}/${checkId}`;

/** A failing check its owners set aside: snoozed until a time, or won't fix with a reason. */
export interface StoredExemption {
  entityRef: string;
  scorecardId: string;
  checkId: string;
  kind: 'snooze' | 'wontfix';
  until: Date | null;
  reason: string | null;
  decidedBy: string;
  decidedAt: Date;
}

const inForce = (at: Date) => or(eq(scorecardExemptions.kind, 'wontfix'), isNull(scorecardExemptions.until), gt(scorecardExemptions.until, at));

/** The exemptions in force at `at` (won't fix, or snoozed until after it) for these entities (every entity's when `refs` is absent), newest decision first. */
export async function exemptionsInForce(db: Db, at: Date, refs?: string[]): Promise<StoredExemption[]> {
  if (refs?.length === 0) return [];
  const rows = await db
    .select()
    .from(scorecardExemptions)
    .where(refs ? and(inForce(at), inArray(scorecardExemptions.entityRef, refs)) : inForce(at))
    .orderBy(desc(scorecardExemptions.decidedAt));
  return rows.map((row) => ({ ...row, kind: row.kind as StoredExemption['kind'] }));
}

/** Sets checks aside, replacing what was decided about them before (a snooze can become won't fix, and back). */
export async function saveExemptions(db: Db, exemptions: StoredExemption[]): Promise<void> {
  if (exemptions.length === 0) return;
  await db
    .insert(scorecardExemptions)
    .values(exemptions)
    .onConflictDoUpdate({
      target: [scorecardExemptions.entityRef, scorecardExemptions.scorecardId, scorecardExemptions.checkId],
      set: { kind: sql`excluded.kind`, until: sql`excluded.until`, reason: sql`excluded.reason`, decidedBy: sql`excluded.decided_by`, decidedAt: sql`excluded.decided_at` },
    });
}

/** When each `entity/scorecard/check` was last nudged about. */
export async function lastNudges(db: Db): Promise<Map<string, Date>> {
  const rows = await db.select().from(nudgedChecks);
  return new Map(rows.map((row) => [checkKey(row.entityRef, row.scorecardId, row.checkId), row.lastNudgedAt]));
}
