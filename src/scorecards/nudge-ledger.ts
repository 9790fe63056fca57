import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { nudgeDeliveries, nudgedChecks } from '../db/schema.js';
import type { NudgePlan, PlannedMessage } from './nudge-planner.js';

/** Where one nudge goes: a channel (by name or id), or a catalog user by direct message. */
export type NudgeTarget = { channel: string } | { user: string };

/**
 * `pending` waits to be sent; `sending` was handed to Slack and not yet confirmed; `sent` is done;
 * `undeliverable` cannot reach anyone as addressed (no such channel, nobody in Slack by that email);
 * `superseded` was not sent and never will be: a later run planned afresh what it held.
 */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'undeliverable' | 'superseded';

export interface NudgeDelivery {
  id: string;
  slot: Date;
  target: NudgeTarget;
  message: PlannedMessage;
  status: DeliveryStatus;
  /** The Slack channel id and message timestamp once sent: where "Recheck now" updates it. */
  channel: string | null;
  messageTs: string | null;
  error: string | null;
  attempts: number;
  attemptedAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** The message Slack holds for a sent delivery. */
export interface SentMessage {
  channel: string;
  ts: string;
}

const recipientOf = (target: NudgeTarget) => ('channel' in target ? `channel:${target.channel}` : target.user);
const targetOf = (recipient: string): NudgeTarget => (recipient.startsWith('channel:') ? { channel: recipient.slice('channel:'.length) } : { user: recipient });

function deliveryOf(row: typeof nudgeDeliveries.$inferSelect): NudgeDelivery {
  const { recipient, message, status, ...rest } = row;
  return { ...rest, target: targetOf(recipient), message: message as PlannedMessage, status: status as DeliveryStatus };
}

/** Each planned message's deliveries: one to its channel, else one direct message per person. */
export function deliveriesFor(message: PlannedMessage): NudgeTarget[] {
  return message.channel ? [{ channel: message.channel }] : message.users.map((user) => ({ user }));
}

/**
 * Writes a run's plan into the ledger before anything is sent, one row per delivery. Ids are made
 * of the slot, team and recipient, so writing the same slot's plan again adds what is new and
 * takes up again what was superseded; a delivery sent or under way stays as it is.
 */
export async function recordPlan(db: Db, slot: Date, plan: NudgePlan, at: Date): Promise<NudgeDelivery[]> {
  const rows = plan.messages.flatMap((message) =>
    deliveriesFor(message).map((target) => ({ id: `${slot.toISOString()} ${message.team} ${recipientOf(target)}`, slot, recipient: recipientOf(target), message, status: 'pending' as const, createdAt: at })),
  );
  if (rows.length === 0) return [];
  return db.transaction(async (tx) => {
    for (let start = 0; start < rows.length; start += 500) {
      await tx
        .insert(nudgeDeliveries)
        .values(rows.slice(start, start + 500))
        .onConflictDoUpdate({ target: nudgeDeliveries.id, set: { message: sql`excluded.message`, status: 'pending', error: null, createdAt: sql`excluded.created_at` }, setWhere: eq(nudgeDeliveries.status, 'superseded') });
    }
    const written = await tx
      .select()
      .from(nudgeDeliveries)
      .where(and(eq(nudgeDeliveries.slot, slot), eq(nudgeDeliveries.status, 'pending')))
      .orderBy(asc(nudgeDeliveries.id));
    return written.map(deliveryOf);
  });
}

/** Takes a pending delivery for sending; undefined when another run took it first. */
export async function claimDelivery(db: Db, id: string, at: Date): Promise<NudgeDelivery | undefined> {
  const [row] = await db
    .update(nudgeDeliveries)
    .set({ status: 'sending', attemptedAt: at, attempts: sql`${nudgeDeliveries.attempts} + 1` })
    .where(and(eq(nudgeDeliveries.id, id), eq(nudgeDeliveries.status, 'pending')))
    .returning();
  return row && deliveryOf(row);
}

/** Marks a delivery sent and its checks nudged about, together: a check is nudged once it is in a sent message. */
export async function markSent(db: Db, delivery: NudgeDelivery, sent: SentMessage, at: Date): Promise<void> {
  const checks = delivery.message.entities.flatMap((entity) => entity.failing.map((failure) => ({ entityRef: entity.ref, scorecardId: failure.scorecard, checkId: failure.check, lastNudgedAt: at })));
  await db.transaction(async (tx) => {
    await tx.update(nudgeDeliveries).set({ status: 'sent', channel: sent.channel, messageTs: sent.ts, sentAt: at, error: null }).where(and(eq(nudgeDeliveries.id, delivery.id), inArray(nudgeDeliveries.status, ['pending', 'sending'])));
    for (let start = 0; start < checks.length; start += 500) {
      await tx
        .insert(nudgedChecks)
        .values(checks.slice(start, start + 500))
        .onConflictDoUpdate({ target: [nudgedChecks.entityRef, nudgedChecks.scorecardId, nudgedChecks.checkId], set: { lastNudgedAt: sql`excluded.last_nudged_at` } });
    }
  });
}

/** A send that failed: kept as attempted, with why, for the next run to look for in Slack before it plans afresh. */
export async function recordFailedSend(db: Db, id: string, error: string): Promise<void> {
  await db.update(nudgeDeliveries).set({ status: 'pending', error }).where(and(eq(nudgeDeliveries.id, id), eq(nudgeDeliveries.status, 'sending')));
}

export async function markUndeliverable(db: Db, id: string, reason: string): Promise<void> {
  await db.update(nudgeDeliveries).set({ status: 'undeliverable', error: reason }).where(eq(nudgeDeliveries.id, id));
}

/** Every delivery not finished (pending, or cut short while sending), oldest first. */
export async function unfinishedDeliveries(db: Db): Promise<NudgeDelivery[]> {
  const rows = await db
    .select()
    .from(nudgeDeliveries)
    .where(inArray(nudgeDeliveries.status, ['pending', 'sending']))
    .orderBy(asc(nudgeDeliveries.createdAt), asc(nudgeDeliveries.id));
  return rows.map(deliveryOf);
}

/** A delivery that will not be sent: what it held is planned afresh, in its recipients' working hours, by the run that supersedes it. */
export async function supersedeDelivery(db: Db, id: string): Promise<void> {
  await db.update(nudgeDeliveries).set({ status: 'superseded' }).where(and(eq(nudgeDeliveries.id, id), inArray(nudgeDeliveries.status, ['pending', 'sending'])));
}

export async function deliveryById(db: Db, id: string): Promise<NudgeDelivery | undefined> {
  const [row] = await db.select().from(nudgeDeliveries).where(eq(nudgeDeliveries.id, id));
  return row && deliveryOf(row);
}

/** Every delivery of one slot, in id order (tests and `callboard nudge --json` report them). */
export async function deliveriesOfSlot(db: Db, slot: Date): Promise<NudgeDelivery[]> {
  return (await db.select().from(nudgeDeliveries).where(eq(nudgeDeliveries.slot, slot)).orderBy(asc(nudgeDeliveries.id))).map(deliveryOf);
}

/** The channel id an earlier nudge to the same recipient was posted in: where to look for one cut short. */
export async function knownChannelOf(db: Db, target: NudgeTarget): Promise<string | null> {
  const [row] = await db
    .select({ channel: nudgeDeliveries.channel })
    .from(nudgeDeliveries)
    .where(and(eq(nudgeDeliveries.recipient, recipientOf(target)), isNotNull(nudgeDeliveries.channel)))
    .orderBy(desc(nudgeDeliveries.sentAt))
    .limit(1);
  return row?.channel ?? null;
}
