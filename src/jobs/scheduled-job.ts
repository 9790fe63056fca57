import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import cron from 'node-cron';
import type { Db } from '../db/client.js';
import { scheduledJobs } from '../db/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

export interface JobDefinition {
  /** Unique across the app: replicas agree on the job by this name. */
  name: string;
  /** A cron expression (five fields, or six with seconds), in `timezone` (default UTC). */
  schedule: string;
  timezone?: string;
  /** A job that has never run runs at the first start (an evaluation), rather than waiting for its time (a nudge). */
  runAtFirstStart?: boolean;
  /**
   * The work for one scheduled time; it throws to fail (the time still counts as run). `signal`
   * aborts when the replica loses the lease or stops: the work ends as soon as it safely can.
   */
  run(slot: Date, signal: AbortSignal): Promise<void>;
}

/** What asking a job to run came to. */
export type JobOutcome = 'ran' | 'failed' | 'already-ran' | 'busy';

export interface JobRunner {
  /** Runs the job for `slot` unless another replica holds it or has run that time already. */
  runFor(slot: Date): Promise<JobOutcome>;
  /** At start: the latest scheduled time since the last run, if one was missed (when it never ran: now, or nothing, as `runAtFirstStart` says). */
  missedSlot(now: Date): Promise<Date | undefined>;
  /** Runs a missed time now, then follows the schedule until stopped. */
  start(): Promise<void>;
  /** Stops the schedule, and a run under way at its next safe point, waiting for it to finish. */
  stop(): Promise<void>;
}

export interface JobRunnerOptions {
  db: Db;
  logger: Logger;
  /** A holder that stops renewing its lease loses it after this long (default 2 minutes). */
  leaseMs?: number;
  now?: () => Date;
  /** Who this replica is, in the lease (default a fresh id). */
  holder?: string;
}

/** How far back a missed time is looked for: a job idle longer than this runs at its next time. */
const MISSED_LOOKBACK_MINUTES = 8 * 24 * 60;
const MINUTE_MS = 60_000;

/**
 * One scheduled job across every replica on one database: a time is run by the one replica that
 * takes the job's lease (a row in scheduled_jobs, renewed while it runs and left to lapse if its
 * holder dies), and never again once recorded as run.
 */
export function jobRunner(job: JobDefinition, { db, logger, leaseMs = 120_000, now = () => new Date(), holder = randomUUID() }: JobRunnerOptions): JobRunner {
  const log = logger.child({ job: job.name });
  const task = cron.createTask(job.schedule, (context) => void runFor(new Date(Math.floor(context.date.getTime() / 1000) * 1000)), { timezone: job.timezone ?? 'UTC', noOverlap: true, name: job.name });

  // Leases are timed by the database's clock: replicas whose clocks disagree still agree on who holds one.
  const leaseEnd = sql`now() + make_interval(secs => ${leaseMs / 1000})`;
  const takeLease = async (slot: Date): Promise<boolean> => {
    await db.insert(scheduledJobs).values({ job: job.name }).onConflictDoNothing();
    const taken = await db
      .update(scheduledJobs)
      .set({ leaseHolder: holder, leaseUntil: leaseEnd })
      .where(
        and(
          eq(scheduledJobs.job, job.name),
          sql`(${scheduledJobs.leaseUntil} is null or ${scheduledJobs.leaseUntil} < now() or ${scheduledJobs.leaseHolder} = ${holder})`,
          sql`(${scheduledJobs.lastSlot} is null or ${scheduledJobs.lastSlot} < ${slot.toISOString()}::timestamptz)`,
        ),
      )
      .returning({ job: scheduledJobs.job });
    return taken.length > 0;
  };

  let running: { controller: AbortController; done: Promise<JobOutcome> } | undefined;
  const runFor = async (slot: Date): Promise<JobOutcome> => {
    if (!(await takeLease(slot))) {
      const [row] = await db.select().from(scheduledJobs).where(eq(scheduledJobs.job, job.name));
      return row?.lastSlot && row.lastSlot >= slot ? 'already-ran' : 'busy';
    }
    const controller = new AbortController();
    const done = holdWhileRunning(slot, controller);
    running = { controller, done };
    try {
      return await done;
    } finally {
      if (running?.done === done) running = undefined;
    }
  };

  const holdWhileRunning = async (slot: Date, controller: AbortController): Promise<JobOutcome> => {
    // A renewal that finds the lease gone (it lapsed while the database was unreachable, and another replica took it) stops the work.
    const renew = setInterval(() => {
      db.update(scheduledJobs)
        .set({ leaseUntil: leaseEnd })
        .where(and(eq(scheduledJobs.job, job.name), eq(scheduledJobs.leaseHolder, holder)))
        .returning({ job: scheduledJobs.job })
        .then(
          (held) => {
            if (held.length > 0) return;
            log.error({ slot }, 'the job lease was lost to another replica: stopping the work');
            controller.abort(new Error('the job lease was lost'));
          },
          (error: unknown) => log.warn({ err: error }, 'renewing the job lease failed'),
        );
    }, leaseMs / 3);
    renew.unref();
    let failure: string | null = null;
    try {
      await job.run(slot, controller.signal);
    } catch (error) {
      failure = errorMessage(error);
      log.error({ err: error, slot }, 'the scheduled job failed');
    } finally {
      clearInterval(renew);
    }
    await db.update(scheduledJobs).set({ leaseHolder: null, leaseUntil: null, lastSlot: slot, lastFinishedAt: now(), lastError: failure }).where(and(eq(scheduledJobs.job, job.name), eq(scheduledJobs.leaseHolder, holder)));
    return failure ? 'failed' : 'ran';
  };

  const missedSlot = async (at: Date): Promise<Date | undefined> => {
    const [row] = await db.select().from(scheduledJobs).where(eq(scheduledJobs.job, job.name));
    if (!row?.lastSlot) return job.runAtFirstStart ? new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS) : undefined;
    const since = Math.max(row.lastSlot.getTime(), at.getTime() - MISSED_LOOKBACK_MINUTES * MINUTE_MS);
    // The latest scheduled minute after the last run: the schedule's own matcher, minute by minute back.
    for (let minute = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS; minute > since; minute -= MINUTE_MS) {
      if (task.match(new Date(minute))) return new Date(minute);
    }
    return undefined;
  };

  return {
    runFor,
    missedSlot,
    async start() {
      const missed = await missedSlot(now());
      if (missed) {
        log.info({ slot: missed }, 'running a scheduled time missed while no replica was up');
        await runFor(missed);
      }
      await task.start();
    },
    async stop() {
      await task.stop();
      await task.destroy();
      // A run under way stops at its next safe point and records what it did before the database closes.
      running?.controller.abort(new Error('the replica is stopping'));
      await running?.done;
    },
  };
}
