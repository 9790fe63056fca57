import type { Db } from '../db/client.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { claimDelivery, expireDeliveries, knownChannelOf, markSent, markUndeliverable, recordPlan, releaseDelivery, unfinishedDeliveries, type NudgeDelivery, type SentMessage } from './nudge-ledger.js';
import type { NudgePlan } from './nudge-planner.js';

/** A refusal that sending again will not change: the channel does not exist, the person is not in Slack. */
export class UndeliverableError extends Error {}

/** How nudges reach people (Slack); the run decides what is sent and records it. */
export interface NudgeSender {
  /** Sends one delivery, waiting out rate limits; UndeliverableError when it can never arrive as addressed. */
  send(delivery: NudgeDelivery): Promise<SentMessage>;
  /**
   * For a delivery whose send was cut short (the process died): the message, if it reached
   * Slack; null when it did not; undefined when that cannot be told.
   */
  findSent(delivery: NudgeDelivery): Promise<SentMessage | null | undefined>;
  /** A catalog user's time zone as the recipient side knows it (Slack's profile), for owners with none of their own. */
  timezoneOf?(userRef: string): Promise<string | undefined>;
  /** Called once before a run's sends: a chance to read who is who in one go rather than per message. */
  prepare?(): Promise<void>;
}

export interface NudgeRunOptions {
  db: Db;
  /** The scheduled time this run is for: the ledger's rows carry it. */
  slot: Date;
  /** What to send at a time, from the stored evaluation (planned after the unfinished deliveries are sent). */
  plan(at: Date): Promise<NudgePlan>;
  sender: NudgeSender;
  logger: Logger;
  now?: () => Date;
  /** Unfinished deliveries older than this are expired instead of sent late (default a day). */
  resumeWithinMs?: number;
}

export interface NudgeRunReport {
  at: string;
  slot: string;
  sent: { team: string; recipient: string; channel: string; ts: string }[];
  /** Cut short by a stop in an earlier run, and found in Slack: recorded as sent, not sent again. */
  confirmed: number;
  undeliverable: { team: string; recipient: string; reason: string }[];
  /** Left for the next run: Slack failed or kept refusing. */
  pending: { team: string; recipient: string; error: string }[];
  expired: number;
  skipped: NudgePlan['skipped'];
  orphans: string[];
}

/** After this many failed sends in a row Slack is taken to be down: the rest wait for the next run. */
const FAILURES_BEFORE_STOPPING = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

const recipientName = (delivery: NudgeDelivery) => ('channel' in delivery.target ? delivery.target.channel : delivery.target.user);

/**
 * One nudge run. Every message is in the ledger before it is sent and marked sent after, so a run
 * that stops in the middle is finished by the next: its unfinished deliveries go first (one cut
 * short mid-send is looked for in Slack before it is sent again), then this time's plan is
 * written and sent. Each delivery is claimed before its send, so two runs never send one twice.
 */
export async function runNudges({ db, slot, plan, sender, logger, now = () => new Date(), resumeWithinMs = DAY_MS }: NudgeRunOptions): Promise<NudgeRunReport> {
  const log = logger.child({ job: 'nudges', slot });
  const startedAt = now();
  await sender.prepare?.();
  const report: NudgeRunReport = { at: startedAt.toISOString(), slot: slot.toISOString(), sent: [], confirmed: 0, undeliverable: [], pending: [], expired: 0, skipped: [], orphans: [] };
  report.expired = await expireDeliveries(db, new Date(startedAt.getTime() - resumeWithinMs));
  if (report.expired > 0) log.warn({ expired: report.expired }, 'nudges left unsent for more than a day were dropped; their checks are nudged again');

  const earlier = await unfinishedDeliveries(db, new Date(startedAt.getTime() - resumeWithinMs));
  // A send that failed may still have reached Slack (a timeout after Slack posted it), as may one cut short: each is looked for first.
  for (const delivery of earlier.filter((item) => item.status === 'sending' || item.attempts > 0)) {
    const channel = delivery.channel ?? (await knownChannelOf(db, delivery.target));
    const found = await sender.findSent({ ...delivery, channel }).catch((error: unknown) => {
      log.warn({ err: error, delivery: delivery.id }, 'could not look for an interrupted nudge in Slack');
      return undefined;
    });
    if (found) {
      await markSent(db, delivery, found, now());
      report.confirmed += 1;
      continue;
    }
    if (found === undefined) log.warn({ delivery: delivery.id }, 'a nudge may have been sent before its send failed, and Slack cannot say: sending it again');
    if (delivery.status === 'sending') await releaseDelivery(db, delivery.id, delivery.error);
  }

  let failuresInARow = 0;
  const tried = new Set<string>();
  const deliver = async (deliveries: NudgeDelivery[]) => {
    for (const pending of deliveries) {
      // This slot's rows include any of its own an earlier attempt left: each is tried once a run.
      if (tried.has(pending.id)) continue;
      tried.add(pending.id);
      const recipient = recipientName(pending);
      if (failuresInARow >= FAILURES_BEFORE_STOPPING) {
        report.pending.push({ team: pending.message.team, recipient, error: 'not tried: Slack failed the sends before it' });
        continue;
      }
      const delivery = await claimDelivery(db, pending.id, now());
      if (!delivery) continue;
      try {
        const sent = await sender.send(delivery);
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
        log.warn({ err: error, delivery: delivery.id }, 'sending a nudge failed; the next run sends it');
        await releaseDelivery(db, delivery.id, reason);
        report.pending.push({ team: delivery.message.team, recipient, error: reason });
      }
    }
  };

  // What an earlier run left goes before this run plans: a check it sends is not planned twice.
  await deliver(earlier);
  const planned = await plan(now());
  report.skipped = planned.skipped;
  report.orphans = planned.orphans;
  await deliver(await recordPlan(db, slot, planned, now()));
  log.info({ sent: report.sent.length, confirmed: report.confirmed, undeliverable: report.undeliverable.length, pending: report.pending.length, skipped: report.skipped.length }, 'nudges sent');
  return report;
}
