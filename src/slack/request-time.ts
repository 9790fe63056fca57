/** Slack's replay window: a request stamped further than this from now, either way, is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * Why a request's `X-Slack-Request-Timestamp` is unacceptable, or undefined when it is fine. Bolt
 * refuses only old timestamps; one from the future would let a captured request live longer.
 */
export function requestTimeProblem(header: string | string[] | undefined, nowSeconds = Date.now() / 1000): string | undefined {
  if (typeof header !== 'string' || !/^\d+$/.test(header)) return 'missing or malformed X-Slack-Request-Timestamp';
  const skew = Number(header) - nowSeconds;
  if (Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) return `request timestamp is ${Math.round(Math.abs(skew))} s in the ${skew > 0 ? 'future' : 'past'}`;
  return undefined;
}
