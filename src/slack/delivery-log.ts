import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.js';

/**
 * Which Slack deliveries were taken already, in PostgreSQL so it holds across replicas: Slack
 * retries events, and a captured request can be replayed while its signature is still fresh.
 */
export interface DeliveryLog {
  /** True for the first claim of a key anywhere; false for every later one. */
  claim(key: string): Promise<boolean>;
  /** Forgets deliveries older than Slack would ever repeat (its retries end within minutes). */
  purge(olderThanHours?: number): Promise<void>;
}

export function createDeliveryLog(db: Db): DeliveryLog {
  return {
    async claim(key) {
      const rows = await queryRows<{ key: string }>(db, sql`insert into slack_deliveries (key) values (${key}) on conflict do nothing returning key`);
      return rows.length === 1;
    },
    async purge(olderThanHours = 24) {
      await db.execute(sql`delete from slack_deliveries where received_at < now() - make_interval(hours => ${olderThanHours})`);
    },
  };
}

/** The id Slack repeats when it sends the same delivery again: the event's, else the interaction's trigger, else the view's. */
export function deliveryKey(body: Record<string, unknown>): string | undefined {
  if (typeof body.event_id === 'string') return `event:${body.event_id}`;
  if (typeof body.trigger_id === 'string') return `trigger:${body.trigger_id}`;
  const view = body.view as { id?: unknown; hash?: unknown } | undefined;
  if (typeof view?.id === 'string') return `view:${view.id}:${String(view.hash ?? '')}`;
  return undefined;
}
