import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import type { PersonAnswer } from '../catalog/answers/who-owns.js';
import type { Logger } from '../logger.js';
import { platformError, rateLimitedFor } from './web-api.js';

/** Turns catalog people into Slack users to mention. */
export interface PeopleDirectory {
  /** Catalog user ref → Slack user id, for the people that map to one within the time budget. */
  mentionsFor(people: PersonAnswer[]): Promise<Record<string, string>>;
  /** The Slack user's email (users.info), or null when Slack will not say. */
  emailOf(userId: string): Promise<string | null>;
  /**
   * The person's Slack user and time zone, waiting as long as Slack takes (a message to them
   * depends on it): null when nobody in Slack is that person; a failed lookup throws.
   */
  slackUserOf(person: PersonAnswer): Promise<{ id: string; timezone?: string } | null>;
  /** The person's time zone in their Slack profile: undefined when they are not in Slack or have none; a failed lookup throws. */
  timezoneOf(person: PersonAnswer): Promise<string | undefined>;
  /**
   * Reads every person in the workspace (users.list): until the next listing, people are found
   * without asking Slack, and an email nobody in the workspace has is not asked about either.
   * A listing that fails leaves lookups one by one in place.
   */
  listWorkspace(): Promise<void>;
}

export interface PeopleDirectoryOptions {
  /** How long an answer waits for lookups; slower ones finish in the background and serve the next answer. */
  budgetMs?: number;
  /** How long a found user, or a known miss, is remembered. */
  foundTtlMs?: number;
  missTtlMs?: number;
  /** A large team would spend the budget, and Slack's rate limit, on people few readers look for. */
  maxLookupsPerAnswer?: number;
  now?: () => number;
}

interface CachedLookup {
  userId: string | null;
  expiresAt: number;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** users.list's largest page Slack recommends; fewer pages means fewer calls against its rate limit. */
const USERS_PER_PAGE = 200;
/** A listing that Slack keeps refusing gives up; lookups one by one stand in until the next. */
const MAX_RATE_LIMIT_WAITS = 20;

/**
 * Maps people by their `slack.com/user-id` annotation, or by email: through the workspace's
 * listing while it is fresh, else through `users.lookupByEmail`, remembered per email so a busy
 * team's card costs Slack one call per person per day (and Slack users back to an email through
 * `users.info`). A lookup that fails (rate limit, network) is not remembered: the person is named
 * rather than mentioned and asked about again next time. The client should be one of its own that rejects rate-limited
 * calls (web-api.ts): a 429 must not pause the calls that answer people.
 */
export function createPeopleDirectory(client: App['client'], logger: Logger, options: PeopleDirectoryOptions = {}): PeopleDirectory {
  const { budgetMs = 700, foundTtlMs = 24 * 3_600_000, missTtlMs = 3_600_000, maxLookupsPerAnswer = 30, now = Date.now } = options;
  const cache = new Map<string, CachedLookup>();
  /** While a complete listing is fresh, an email it lacks is a known miss. */
  let listedUntil = 0;
  const emails = new Map<string, { email: string | null; expiresAt: number }>();
  /** Time zones by Slack user id, from the listing and lookups: people found by their annotated id are not found by email. */
  const zones = new Map<string, string>();
  const inFlight = new Map<string, Promise<CachedLookup>>();

  /** Rejects when Slack cannot say (rate limit, network); a person Slack does not know is a remembered miss. */
  const lookUpStrictly = (email: string): Promise<CachedLookup> => {
    const running = inFlight.get(email);
    if (running) return running;
    const lookup = client.users
      .lookupByEmail({ email })
      .then(
        (result) => {
          const userId = result.user?.id ?? null;
          const found: CachedLookup = { userId, expiresAt: now() + (userId ? foundTtlMs : missTtlMs) };
          if (userId && result.user?.tz) zones.set(userId, result.user.tz);
          cache.set(email, found);
          return found;
        },
        (error: unknown) => {
          if (platformError(error) !== 'users_not_found') throw error;
          const miss: CachedLookup = { userId: null, expiresAt: now() + missTtlMs };
          cache.set(email, miss);
          return miss;
        },
      )
      .finally(() => inFlight.delete(email));
    inFlight.set(email, lookup);
    return lookup;
  };
  const lookUp = (email: string): Promise<string | null> =>
    lookUpStrictly(email).then(
      (found) => found.userId,
      (error: unknown) => {
        logger.warn({ err: error }, 'users.lookupByEmail failed; naming the person instead of mentioning them');
        return null;
      },
    );

  /** The Slack user with this email: remembered, else nobody while the listing is fresh, else asked. */
  const userIdByEmail = async (email: string): Promise<string | null> => {
    const cached = cache.get(email);
    if (cached && cached.expiresAt > now()) return cached.userId;
    return listedUntil > now() ? null : (await lookUpStrictly(email)).userId;
  };

  const slackUserOf = async (person: PersonAnswer): Promise<{ id: string; timezone?: string } | null> => {
    const email = person.email && emailKey(person.email);
    // An annotated id is trusted as cards trust it.
    const id = person.slackUserId && SLACK_USER_ID.test(person.slackUserId) ? person.slackUserId : email ? await userIdByEmail(email) : null;
    if (!id) return null;
    const timezone = zones.get(id);
    return { id, ...(timezone ? { timezone } : {}) };
  };

  return {
    async mentionsFor(people) {
      const mentions: Record<string, string> = {};
      const pending: Promise<void>[] = [];
      for (const person of people) {
        if (person.slackUserId && SLACK_USER_ID.test(person.slackUserId)) {
          mentions[person.ref] = person.slackUserId;
          continue;
        }
        const email = person.email && emailKey(person.email);
        if (!email) continue;
        const cached = cache.get(email);
        if (cached && cached.expiresAt > now()) {
          if (cached.userId) mentions[person.ref] = cached.userId;
          continue;
        }
        if (listedUntil > now()) continue;
        if (pending.length >= maxLookupsPerAnswer) continue;
        pending.push(
          lookUp(email).then((userId) => {
            if (userId) mentions[person.ref] = userId;
          }),
        );
      }
      if (pending.length > 0) await Promise.race([Promise.all(pending), sleep(budgetMs, undefined, { ref: false })]);
      // A copy: lookups still running must not change a message already being built.
      return { ...mentions };
    },
    async listWorkspace() {
      const found = new Map<string, { id: string; timezone?: string }>();
      try {
        for (let cursor: string | undefined, waits = 0; ; ) {
          let page;
          try {
            page = await client.users.list({ limit: USERS_PER_PAGE, ...(cursor ? { cursor } : {}) });
          } catch (error) {
            // This client is told of rate limits rather than waiting them out; the listing waits, nothing else does.
            const retryAfter = rateLimitedFor(error);
            if (retryAfter === undefined || waits >= MAX_RATE_LIMIT_WAITS) throw error;
            waits += 1;
            await sleep(retryAfter * 1_000, undefined, { ref: false });
            continue;
          }
          for (const member of page.members ?? []) {
            const email = member.profile?.email && emailKey(member.profile.email);
            if (member.id && email && !member.deleted && !member.is_bot) found.set(email, { id: member.id, ...(member.tz ? { timezone: member.tz } : {}) });
          }
          cursor = page.response_metadata?.next_cursor || undefined;
          if (!cursor) break;
        }
      } catch (error) {
        logger.warn({ err: error, listedSoFar: found.size }, 'users.list failed; looking people up one by one instead');
        return;
      }
      const expiresAt = now() + foundTtlMs;
      for (const [email, user] of found) {
        cache.set(email, { userId: user.id, expiresAt });
        if (user.timezone) zones.set(user.id, user.timezone);
      }
      listedUntil = expiresAt;
      logger.info({ people: found.size }, 'workspace people listed');
    },
    slackUserOf,
    async timezoneOf(person) {
      const user = await slackUserOf(person);
      if (!user) return undefined;
      const known = user.timezone;
      if (known) return known;
      const { user: profile } = await client.users.info({ user: user.id });
      if (profile?.tz) zones.set(user.id, profile.tz);
      return profile?.tz;
    },
    async emailOf(userId) {
      const cached = emails.get(userId);
      if (cached && cached.expiresAt > now()) return cached.email;
      try {
        const result = await client.users.info({ user: userId });
        const email = result.user?.profile?.email ?? null;
        emails.set(userId, { email, expiresAt: now() + foundTtlMs });
        return email;
      } catch (error) {
        logger.warn({ err: error }, 'users.info failed; answering without knowing who asked');
        return null;
      }
    },
  };
}

/** Emails as the directory remembers them: Slack and the catalog may spell one differently. */
function emailKey(email: string): string {
  return email.trim().toLowerCase();
}


/** Slack user ids by lower-case email, for people known only by their email (an on-call provider's). */
export function mentionsByEmail(directory: PeopleDirectory, emails: string[]): Promise<Record<string, string>> {
  const unique = [...new Set(emails.map(emailKey))];
  return directory.mentionsFor(unique.map((email) => ({ ref: email, displayName: email, email, slackUserId: null })));
}
