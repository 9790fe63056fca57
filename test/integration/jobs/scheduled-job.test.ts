import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../src/db/client.js';
import { scheduledJobs } from '../../../src/db/schema.js';
import { jobRunner, type JobDefinition } from '../../../src/jobs/scheduled-job.js';
import { createLogger } from '../../../src/logger.js';
import { createTestDatabase, ENGINES } from '../../support/test-database.js';

const logger = createLogger({ level: 'silent' });
const utc = (text: string) => new Date(`${text}Z`);

describe.each(ENGINES)('a scheduled job across replicas on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  const job = (name: string, runs: Date[], work: () => Promise<void> = async () => {}): JobDefinition => ({ name, schedule: '0 9 * * 1-5', run: async (slot) => { runs.push(slot); await work(); } });

  it('runs a time once when two replicas race for it, and the loser says why', async () => {
    const runs: Date[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const definition = job('race', runs, () => slow);
    const [first, second] = [jobRunner(definition, { db: database.db, logger, holder: 'replica-a' }), jobRunner(definition, { db: database.db, logger, holder: 'replica-b' })];
    const slot = utc('2026-12-01T09:00:00');
    const running = first.runFor(slot);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await second.runFor(slot)).toBe('busy');
    release();
    expect(await running).toBe('ran');
    expect(await second.runFor(slot)).toBe('already-ran');
    expect(runs).toEqual([slot]);
  });

  it('takes over the lease of a holder that died, and records a failed run as run', async () => {
    const runs: Date[] = [];
    await database.db.insert(scheduledJobs).values({ job: 'orphaned', leaseHolder: 'dead-replica', leaseUntil: utc('2026-12-01T08:00:00'), lastSlot: utc('2026-11-30T09:00:00') });
    const runner = jobRunner(job('orphaned', runs, async () => Promise.reject(new Error('Slack is down'))), { db: database.db, logger, holder: 'replica-c', now: () => utc('2026-12-01T09:00:30') });
    expect(await runner.runFor(utc('2026-12-01T09:00:00'))).toBe('failed');
    const [row] = await database.db.select().from(scheduledJobs).where(eq(scheduledJobs.job, 'orphaned'));
    expect(row).toMatchObject({ leaseHolder: null, lastSlot: utc('2026-12-01T09:00:00'), lastError: 'Slack is down' });
  });

  it('finds the time missed while no replica was up, and nothing when none was missed', async () => {
    const runs: Date[] = [];
    const runner = jobRunner(job('missed', runs), { db: database.db, logger });
    expect(await runner.missedSlot(utc('2026-12-01T10:30:00'))).toBeUndefined();
    await runner.runFor(utc('2026-11-27T09:00:00'));
    // Friday 09:00 ran; the replicas were down over the weekend and Monday morning.
    expect(await runner.missedSlot(utc('2026-11-30T08:59:00'))).toBeUndefined();
    expect(await runner.missedSlot(utc('2026-12-01T10:30:00'))).toEqual(utc('2026-12-01T09:00:00'));
    const firstStart = jobRunner({ ...job('evaluate', runs), runAtFirstStart: true }, { db: database.db, logger });
    expect(await firstStart.missedSlot(utc('2026-12-01T10:30:40'))).toEqual(utc('2026-12-01T10:30:00'));
  });

  it('stops a run under way at stop(), and waits for it to record what it did', async () => {
    const order: string[] = [];
    const runner = jobRunner(
      {
        name: 'stoppable',
        schedule: '0 9 * * 1-5',
        run: async (_slot, signal) => {
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          order.push(`aborted: ${String((signal.reason as Error).message)}`);
        },
      },
      { db: database.db, logger },
    );
    const running = runner.runFor(utc('2026-12-01T09:00:00'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runner.stop();
    order.push('stopped');
    expect(order).toEqual(['aborted: the replica is stopping', 'stopped']);
    expect(await running).toBe('ran');
  });

  it('stops the work when its lease is found taken by another replica, and times leases by the database clock', async () => {
    let aborted: unknown;
    const runner = jobRunner(
      {
        name: 'lost',
        schedule: '0 9 * * 1-5',
        run: (_slot, signal) =>
          new Promise<void>((resolve) =>
            signal.addEventListener('abort', () => {
              aborted = signal.reason;
              resolve();
            }),
          ),
      },
      // This replica's clock is an hour fast: its lease still ends by the database's clock.
      { db: database.db, logger, leaseMs: 300, holder: 'replica-slow', now: () => new Date(Date.now() + 3_600_000) },
    );
    const running = runner.runFor(utc('2026-12-01T09:00:00'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const [held] = await database.db.select().from(scheduledJobs).where(eq(scheduledJobs.job, 'lost'));
    expect(held!.leaseUntil!.getTime() - Date.now()).toBeLessThan(1_000);
    await database.db.update(scheduledJobs).set({ leaseHolder: 'replica-other' }).where(eq(scheduledJobs.job, 'lost'));
    await running;
    expect((aborted as Error).message).toBe('the job lease was lost');
  });
});
