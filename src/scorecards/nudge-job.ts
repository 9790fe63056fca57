import type { Db } from '../db/client.js';
import type { JobDefinition } from '../jobs/scheduled-job.js';
import type { Logger } from '../logger.js';
import { runNudges, type NudgeRunReport, type NudgeSender } from './nudge-run.js';
import type { ScorecardService } from './scorecard-service.js';

/** The one name replicas agree on for the nudge job. */
export const NUDGE_JOB = 'scorecards.nudge';

export interface NudgeJobOptions {
  db: Db;
  scorecards: ScorecardService;
  sender: NudgeSender;
  /** When it runs: cron, in `timezone`. */
  schedule: string;
  timezone: string;
  logger: Logger;
  /** Each run's report, for `callboard nudge` to print. */
  onReport?: (report: NudgeRunReport) => void;
  now?: () => Date;
}

/**
 * The scheduled nudge run: what the stored evaluation says fails, planned at the time it runs
 * (working hours are the recipients' now, not the slot's), sent through the ledger.
 */
export function nudgeJob({ db, scorecards, sender, schedule, timezone, logger, onReport, now = () => new Date() }: NudgeJobOptions): JobDefinition {
  return {
    name: NUDGE_JOB,
    schedule,
    timezone,
    run: async (slot, signal) => {
      const report = await runNudges({ db, slot, sender, logger, now, signal, plan: (at, inFlight) => scorecards.planNudges(at, { ...(sender.timezoneOf ? { timezoneOf: sender.timezoneOf } : {}), inFlight }) });
      onReport?.(report);
    },
  };
}
