/** The work did not finish in the time it was given. */
export class DeadlineError extends Error {}

/**
 * `work`'s outcome, or a DeadlineError with `message` once `ms` have passed; the timer is cleared
 * as soon as the work settles, so a million calls do not leave a million timers behind them.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(message)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

interface Streak {
  inARow: number;
  restUntil: number;
}

/**
 * Callees (plugins' processors, fact collectors) that keep missing their deadline: after `limit`
 * misses in a row one rests for `restMs`, so a callee that hangs costs one deadline, not one per
 * call. Kept in `store`, a WeakMap where the callees are objects that come and go.
 */
export class RestAfterTimeouts<Key> {
  constructor(
    readonly limit: number,
    private readonly restMs: number,
    private readonly store: { get(key: Key): Streak | undefined; set(key: Key, streak: Streak): unknown; delete(key: Key): unknown } = new Map<Key, Streak>(),
  ) {}

  /** When the callee may be called again, while it rests. */
  restingUntil(key: Key): number | undefined {
    const restUntil = this.store.get(key)?.restUntil ?? 0;
    return restUntil > Date.now() ? restUntil : undefined;
  }

  /** Counted as they happen: calls running at once miss their deadlines together. */
  missed(key: Key): void {
    const inARow = (this.store.get(key)?.inARow ?? 0) + 1;
    this.store.set(key, { inARow, restUntil: inARow >= this.limit ? Date.now() + this.restMs : 0 });
  }

  answered(key: Key): void {
    this.store.delete(key);
  }
}
