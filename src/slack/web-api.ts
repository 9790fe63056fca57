import { webApi, type AppOptions } from '@slack/bolt';
import type { SlackConfig } from '../config/config-schema.js';

export type WebApiSettings = Pick<SlackConfig, 'apiUrl' | 'webApiTimeoutMs' | 'webApiRetries'>;

/**
 * The Web API client's options: the configured base URL (GovSlack, tests), a timeout and a
 * bounded retry, since the client's own default keeps retrying for about 30 minutes. A 429 is
 * waited out for its Retry-After. Fresh each time: Bolt and the Socket Mode client write into the
 * options object they are given.
 */
export function webApiOptions(settings: WebApiSettings): NonNullable<AppOptions['clientOptions']> {
  return {
    slackApiUrl: settings.apiUrl,
    timeout: settings.webApiTimeoutMs,
    retryConfig: { retries: settings.webApiRetries, factor: 2, minTimeout: 500, maxTimeout: 3_000 },
  };
}

/**
 * A client of its own for background reads (the workspace's people): a 429 pauses every call
 * of the client that received it, so this one is told about rate limits instead of waiting them
 * out, and the answers' client never queues behind a listing.
 */
export function backgroundWebClient(botToken: string, settings: WebApiSettings): InstanceType<typeof webApi.WebClient> {
  return new webApi.WebClient(botToken, { ...webApiOptions(settings), rejectRateLimitedCalls: true });
}

/** Seconds Slack asked to wait, when a client told of rate limits had its call refused for one. */
export function rateLimitedFor(error: unknown): number | undefined {
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  return code === 'slack_webapi_rate_limited_error' && typeof retryAfter === 'number' ? retryAfter : undefined;
}

/** The error Slack's Web API answered a refused call with (`users_not_found`, `channel_not_found`...). */
export function platformError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
