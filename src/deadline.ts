/**
 * `work`'s outcome, or a rejection with `message` once `ms` have passed; the timer is cleared as
 * soon as the work settles, so a million calls do not leave a million timers behind them.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
