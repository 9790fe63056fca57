import type { Db } from '../db/client.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { claimDelivery, knownChannelOf, markSent, markUndeliverable, recordFailedSend, recordPlan, supersedeDelivery, unfinishedDeliveries, type NudgeDelivery, type SentMessage } from './nudge-ledger.js';
import type { NudgePlan } from './nudge-planner.js';
import { checkKey } from './scorecard-store.js';

/** A refusal that sending again will not change: the channel does not exist, the person is not in Slack. */
export class UndeliverableError extends Error {}

/** How nudges reach people (Slack); the run decides what is sent and records it. */
export interface NudgeSender {
  /** Sends one delivery, waiting out rate limits (until `signal` aborts); UndeliverableError when it can never arrive as addressed. */
  send(delivery: NudgeDelivery, signal?: AbortSignal): Promise<SentMessage>;
  /**
   * For a delivery whose send failed or was cut short: the message, if it reached Slack; null
   * when it did not; undefined when that cannot be told.
   */
  findSent(delivery: NudgeDelivery): Promise<SentMessage | null | undefined>;
  /** A catalog user's time zone as the recipient side knows it (Slack's profile): undefined when it has none, a rejection when it cannot be read now. */
  timezoneOf?(userRef: string): Promise<string | undefined>;
  /** Called once before a run's sends: a chance to read who is who in one go rather than per message. */
  prepare?(): Promise<void>;
}

export interface NudgeRunOptions {
  db: Db;
  /** The scheduled time this run is for: the ledger's rows carry it. */
  slot: Date;
  /**
   * What to send at a time, from the stored evaluation, planned once what earlier runs left is
   * settled. `inFlight` holds the checks of sends still under way elsewhere, as if nudged then.
   */
  plan(at: Date, inFlight: ReadonlyMap<string, Date>): Promise<NudgePlan>;
  sender: NudgeSender;
  logger: Logger;
  now?: () => Date;
  /** Aborted when the run must stop (its lease lost, the process stopping): no further message is begun. */
  signal?: AbortSignal;
}

export interface NudgeRunReport {
  at: string;
  slot: string;
  sent: { team: string; recipient: string; channel: string; ts: string }[];
  /** Sends an earlier run failed or was stopped in, found in Slack: recorded as sent, not sent again. */
  confirmed: number;
  /** Deliveries an earlier run left unsent, planned afresh by this one. */
  superseded: number;
  undeliverable: { team: string; recipient: string; reason: string }[];
  /** Not sent by this run (Slack failed, or the run was stopped): the next run plans them again. */
  pending: { team: string; recipient: string; error: string }[];
  skipped: NudgePlan['skipped'];
  orphans: string[];
}

/** After this many failed sends in a row Slack is taken to be down: the rest wait for the next run. */
const FAILURES_BEFORE_STOPPING = 3;
/**
 * A send begun less than this long ago may still be under way in a replica that lost its lease:
 * it is left alone this run, and its checks are not planned again.
 */
export const SEND_SETTLES_MS = 15 * 60 * 1000;

const recipientName = (delivery: NudgeDelivery) => ('channel' in delivery.target ? delivery.target.channel : delivery.target.user);
const checksOf = (delivery: NudgeDelivery) => delivery.message.entities.flatMap((entity) => entity.failing.map((failure) => checkKey(entity.ref, failure.scorecard, failure.check)));

/**
 * One nudge run. Every message is in the ledger before it is sent and marked sent after. What an
 * earlier run left is settled first: a send that failed or was cut short is looked for in Slack
 * (found: recorded as sent), and whatever was not sent is superseded, so this run plans it again
 * from the current results, in its recipients' working hours. Each delivery is claimed before its
 * send, so two runs never send one twice.
 */
export async function runNudges({ db, slot, plan, sender, logger, now = () => new Date(), signal }: NudgeRunOptions): Promise<NudgeRunReport> {
  const log = logger.child({ job: 'nudges', slot });
  const report: NudgeRunReport = { at: now().toISOString(), slot: slot.toISOString(), sent: [], confirmed: 0, superseded: 0, undeliverable: [], pending: [], skipped: [], orphans: [] };
  await sender.prepare?.();

  const inFlight = new Map<string, Date>();
  for (const delivery of await unfinishedDeliveries(db)) {
    if (delivery.status === 'sending' && delivery.attemptedAt && delivery.attemptedAt.getTime() > now().getTime() - SEND_SETTLES_MS) {
      for (const key of checksOf(delivery)) inFlight.set(key, delivery.attemptedAt);
      continue;
    }
    if (delivery.attempts > 0) {
      const channel = delivery.channel ?? (await knownChannelOf(db, delivery.target));
      const found = await sender.findSent({ ...delivery, channel }).catch((error: unknown) => {
        log.warn({ err: error, delivery: delivery.id }, 'could not look in Slack for a nudge whose send failed');
        return undefined;
      });
      if (found) {
        await markSent(db, delivery, found, now());
        report.confirmed += 1;
        continue;
      }
      if (found === undefined) log.warn({ delivery: delivery.id }, 'a nudge may have reached Slack before its send failed, and Slack cannot say: it is planned again');
    }
    await supersedeDelivery(db, delivery.id);
    report.superseded += 1;
  }

  const planned = await plan(now(), inFlight);
  report.skipped = planned.skipped;
  report.orphans = planned.orphans;
  let failuresInARow = 0;
  for (const pending of await recordPlan(db, slot, planned, now())) {
    const recipient = recipientName(pending);
    const stopped = signal?.aborted ? 'not tried: the run was stopped' : failuresInARow >= FAILURES_BEFORE_STOPPING ? 'not tried: Slack failed the sends before it' : undefined;
    if (stopped) {
      await supersedeDelivery(db, pending.id);
      report.pending.push({ team: pending.message.team, recipient, error: stopped });
      continue;
    }
    const delivery = await claimDelivery(db, pending.id, now());
    if (!delivery) continue;
    try {
      const sent = await sender.send(delivery, signal);
      await markSent(db, delivery, sent, now());
      report.sent.push({ team: delivery.message.team, recipient, ...sent });
      failuresInARow = 0;
    } catch (error) {
      const reason = errorMessage(error);
      if (error instanceof UndeliverableError) {
        await markUndeliverable(db, delivery.id, reason);
        report.undeliverable.push({ team: delivery.message.team, recipient, reason });
        continue;
      }
      failuresInARow += 1;
      log.warn({ err: error, delivery: delivery.id }, 'sending a nudge failed; the next run looks for it in Slack, and plans it again if it is not there');
      await recordFailedSend(db, delivery.id, reason);
      report.pending.push({ team: delivery.message.team, recipient, error: reason });
    }
  }
  log.info({ sent: report.sent.length, confirmed: report.confirmed, superseded: report.superseded, undeliverable: report.undeliverable.length, pending: report.pending.length, skipped: report.skipped.length }, 'nudges sent');
  return report;
}
