import { createHash } from 'node:crypto';
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

interface PendingClaim {
  key: string;
  resolve(first: boolean): void;
  reject(error: unknown): void;
}

/** Statements in flight at once; claims arriving meanwhile wait and go together in the next one. */
const CONCURRENT_INSERTS = 1;

/**
 * Claims are inserted in batches: under load, one statement (and one commit) takes every claim
 * that arrived while the previous one ran, instead of one round trip and commit each; one
 * statement at a time measured faster than two, which only add server processes competing for
 * the cores. A claim waits for the rest of its turn of the event loop, which matters most for
 * PGlite: it runs on this thread, so no request is read while a statement runs.
 */
export function createDeliveryLog(db: Db): DeliveryLog {
  let waiting: PendingClaim[] = [];
  let inFlight = 0;

  const flush = () => {
    if (inFlight >= CONCURRENT_INSERTS || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    inFlight++;
    const keys = [...new Set(batch.map((claim) => claim.key))];
    queryRows<{ key: string }>(db, sql`insert into slack_deliveries (key) select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) on conflict do nothing returning key`)
      .then(
        (rows) => {
          const inserted = new Set(rows.map((row) => row.key));
          // A key twice in one batch is a repeat too: only its first claim is first.
          for (const claim of batch) claim.resolve(inserted.delete(claim.key));
        },
        (error: unknown) => {
          for (const claim of batch) claim.reject(error);
        },
      )
      .finally(() => {
        inFlight--;
        flush();
      });
  };

  return {
    claim(key) {
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ key, resolve, reject });
        // After the requests read in this turn of the event loop have all queued their claims.
        if (waiting.length === 1) setImmediate(flush);
      });
    },
    async purge(olderThanHours = 24) {
      await db.execute(sql`delete from slack_deliveries where received_at < now() - make_interval(hours => ${olderThanHours})`);
    },
  };
}

/** The parts of a delivery that say which one it is. */
export interface DeliveryIds {
  event_id?: unknown;
  type?: unknown;
  trigger_id?: unknown;
  view?: unknown;
}

/**
 * The id Slack repeats when it sends the same delivery again: the event's; for a modal's
 * submission the view's state (each submit has its own trigger, but submitting the same view
 * twice is still one submission); else the interaction's trigger.
 */
export function deliveryKey(body: DeliveryIds): string | undefined {
  if (typeof body.event_id === 'string') return `event:${body.event_id}`;
  const view = body.view as { id?: unknown; hash?: unknown; state?: unknown } | undefined;
  // A view answered with errors keeps its id and hash: what was entered tells a corrected submission from a repeat.
  if (body.type === 'view_submission' && typeof view?.id === 'string') {
    const entered = createHash('sha256').update(JSON.stringify(view.state ?? null)).digest('hex').slice(0, 16);
    return `view:${view.id}:${String(view.hash ?? '')}:${entered}`;
  }
  if (typeof body.trigger_id === 'string') return `trigger:${body.trigger_id}`;
  return undefined;
}
