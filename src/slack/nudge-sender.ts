import { setTimeout as sleep } from 'node:timers/promises';
import type { webApi } from '@slack/bolt';
import { personOf } from '../catalog/answers/who-owns.js';
import type { CatalogView } from '../catalog/answers/catalog-view.js';
import type { SlackConfig } from '../config/config-schema.js';
import type { Logger } from '../logger.js';
import type { NudgeDelivery, SentMessage } from '../scorecards/nudge-ledger.js';
import { SEND_SETTLES_MS, UndeliverableError, type NudgeSender } from '../scorecards/nudge-run.js';
import { freshStanding } from '../scorecards/nudge-standing.js';
import { nudgeMessage } from './blocks/nudge-message.js';
import { createPeopleDirectory, type PeopleDirectory } from './people.js';
import { backgroundWebClient, platformError, rateLimitedFor } from './web-api.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

export interface SlackNudgeSenderOptions {
  /** A client of its own that is told of rate limits (rejectRateLimitedCalls): the sender waits them out itself, without losing the message. */
  client: WebClient;
  view: CatalogView;
  people: PeopleDirectory;
  logger: Logger;
  /** Slack posts about one message per second to a channel (default 1,000 ms between two to one channel). */
  channelIntervalMs?: number;
  /** How long one message may wait out rate limits in all before it is left for the next run (default 10 minutes). */
  maxRateLimitWaitMs?: number;
}

/** The metadata each nudge carries, so a send cut short can be found in the channel afterwards. */
export const NUDGE_EVENT_TYPE = 'callboard_nudge';

/** Refusals that sending again will not change, with what to do about each. */
const UNDELIVERABLE: Record<string, string> = {
  channel_not_found: 'the channel does not exist, or is private and the app is not in it: fix the slack.com/channel annotation, or invite the app',
  not_in_channel: 'the app is not in the channel: invite it (/invite @Callboard)',
  is_archived: 'the channel is archived: point the slack.com/channel annotation at a live one',
  user_not_found: 'no such Slack user',
  user_disabled: 'the Slack user is deactivated',
  cannot_dm_bot: 'the Slack user is a bot',
  restricted_action: 'the workspace does not let the app post there',
};

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
/** History read back when looking for a send cut short: pages of the channel's messages around the attempt. */
const HISTORY_PAGE = 200;
const HISTORY_PAGES = 5;

/**
 * Nudges through chat.postMessage: to a group's channel, or by direct message to a person found in
 * Slack as cards find them. Messages to one channel are at least a second apart, and a 429 is
 * waited out for its Retry-After and the same message sent again.
 */
export function slackNudgeSender({ client, view, people, logger, channelIntervalMs = 1_000, maxRateLimitWaitMs = 600_000 }: SlackNudgeSenderOptions): NudgeSender {
  const lastPostTo = new Map<string, number>();

  /** The catalog user as cards show people; undefined once they left the catalog. */
  const personIn = (userRef: string) => {
    const entity = view.get(userRef);
    return entity ? personOf(userRef, entity) : undefined;
  };

  const slackUserOf = async (userRef: string): Promise<string> => {
    const person = personIn(userRef);
    if (!person) throw new UndeliverableError(`${userRef} is no longer in the catalog`);
    const user = await withinRateLimits(() => people.slackUserOf(person));
    if (!user) throw new UndeliverableError(`${userRef} is not in Slack: no slack.com/user-id annotation, and no Slack user has ${person.email ? `the email ${person.email}` : 'an email from the catalog (spec.profile.email)'}`);
    return user.id;
  };

  /** Retries the call while Slack says to wait, until the message's wait budget is spent or `signal` aborts. */
  const withinRateLimits = async <T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    let waited = 0;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        const retryAfter = rateLimitedFor(error);
        if (retryAfter === undefined || waited + retryAfter * 1_000 > maxRateLimitWaitMs) throw error;
        logger.info({ retryAfter }, 'Slack rate limit: waiting before sending the nudge again');
        waited += retryAfter * 1_000;
        await sleep(retryAfter * 1_000, undefined, { signal });
      }
    }
  };

  /** The channel id a delivery was posted to: a DM's is opened again, a name is looked up among the app's channels. */
  const channelIdOf = async (delivery: NudgeDelivery): Promise<string | undefined> => {
    if (delivery.channel) return delivery.channel;
    if ('user' in delivery.target) {
      const opened = await client.conversations.open({ users: await slackUserOf(delivery.target.user) });
      return opened.channel?.id;
    }
    const wanted = delivery.target.channel.replace(/^#/, '');
    if (CHANNEL_ID.test(wanted)) return wanted;
    for (let cursor: string | undefined; ; ) {
      const page = await withinRateLimits(() => client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1_000, ...(cursor ? { cursor } : {}) }));
      const found = page.channels?.find((channel) => channel.name === wanted);
      if (found?.id) return found.id;
      cursor = page.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
  };

  return {
    prepare: () => people.listWorkspace(),
    async timezoneOf(userRef) {
      const person = personIn(userRef);
      return person ? withinRateLimits(() => people.timezoneOf(person)) : undefined;
    },
    async send(delivery, signal) {
      const channel = 'user' in delivery.target ? await slackUserOf(delivery.target.user) : delivery.target.channel;
      // `#team` and `team` are one channel to Slack's limit.
      const paced = channel.replace(/^#/, '');
      const wait = (lastPostTo.get(paced) ?? 0) + channelIntervalMs - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal });
      const message = nudgeMessage(freshStanding(delivery));
      try {
        const posted = await withinRateLimits(() => client.chat.postMessage({ channel, ...message, unfurl_links: false, metadata: { event_type: NUDGE_EVENT_TYPE, event_payload: { delivery: delivery.id } } }), signal);
        if (!posted.channel || !posted.ts) throw new Error('chat.postMessage answered without the channel and timestamp of the message');
        return { channel: posted.channel, ts: posted.ts };
      } catch (error) {
        const refusal = platformError(error);
        if (refusal && UNDELIVERABLE[refusal]) throw new UndeliverableError(`${refusal}: ${UNDELIVERABLE[refusal]}`);
        throw error;
      } finally {
        lastPostTo.set(paced, Date.now());
      }
    },
    async findSent(delivery): Promise<SentMessage | null | undefined> {
      const channel = await channelIdOf(delivery);
      if (!channel) return undefined;
      // The message, if it was posted, is from around the attempt: from a minute before it to the longest a send can take after.
      const attempted = delivery.attemptedAt?.getTime();
      const window = attempted ? { oldest: String((attempted - 60_000) / 1_000), latest: String((attempted + SEND_SETTLES_MS) / 1_000) } : {};
      for (let page = 0, cursor: string | undefined; page < HISTORY_PAGES; page++) {
        const history = await withinRateLimits(() => client.conversations.history({ channel, limit: HISTORY_PAGE, include_all_metadata: true, inclusive: true, ...window, ...(cursor ? { cursor } : {}) }));
        const found = history.messages?.find((message) => message.metadata?.event_type === NUDGE_EVENT_TYPE && (message.metadata.event_payload as { delivery?: unknown } | undefined)?.delivery === delivery.id);
        if (found?.ts) return { channel, ts: found.ts };
        cursor = history.response_metadata?.next_cursor || undefined;
        if (!history.has_more || !cursor) return null;
      }
      // A channel too busy around the attempt to read through cannot rule the message out.
      return undefined;
    },
  };
}

/** The sender a replica or `callboard nudge` uses: a Web API client and a people directory of its own, from the Slack settings. */
export function nudgeSenderFromConfig(slack: SlackConfig, view: CatalogView, logger: Logger): NudgeSender {
  if (!slack.botToken) throw new Error('nudges are sent through Slack: set SLACK_BOT_TOKEN (or callboard.slack.botToken), or use --dry-run to see what would be sent');
  // The client must not send a message again by itself after a timeout: the ledger decides, after looking in Slack.
  const client = backgroundWebClient(slack.botToken, { ...slack, webApiRetries: 0 });
  return slackNudgeSender({ client, view, people: createPeopleDirectory(client, logger), logger });
}
