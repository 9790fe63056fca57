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
