import { setTimeout as sleep } from 'node:timers/promises';
import type { PersonKey } from '../catalog/answers/home-overview.js';
import type { PeopleDirectory } from './people.js';

/** Slack may be slow to say who someone is (rate limited, say); past this the asker is known by Slack id alone. */
const EMAIL_BUDGET_MS = 1_000;

/** Who a Slack user is, as the catalog matches people: their Slack id and, when Slack says in time, their email. */
export async function askerKey(userId: string, people: PeopleDirectory): Promise<PersonKey> {
  const email = await Promise.race([people.emailOf(userId), sleep(EMAIL_BUDGET_MS, null, { ref: false })]);
  return { slackUserId: userId, email };
}
