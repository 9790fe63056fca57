import { section } from '../blocks/block-parts.js';
import { onCallMessage } from '../blocks/oncall-answer.js';
import type { SlashCommand } from './registry.js';
import type { OnCallService } from '../../oncall/oncall-service.js';
import type { SlackMessage } from '../blocks/limits.js';
import { mentionsByEmail, type PeopleDirectory } from '../people.js';

/** Who is on call for a service, now and next, from the on-call plugins (PagerDuty, Opsgenie...). */
export const oncallCommand: SlashCommand = {
  command: '/oncall',
  description: 'Who is on call for a service, now and next',
  usageHint: 'payments-api',
  async answer(text, { oncall, people }) {
    const query = text.trim();
    if (!oncall) return { text: 'On-call is not available here.', blocks: [section('On-call is not available here.')] };
    if (!query) return { text: 'Usage: /oncall payments-api', blocks: [section('Name a service: `/oncall payments-api`')] };
    return onCallAnswer(query, oncall, people);
  },
};

/** Who is on call for `query`, as a message: the people on call mentioned where Slack knows their email. */
export async function onCallAnswer(query: string, oncall: OnCallService, people: PeopleDirectory | undefined): Promise<SlackMessage> {
  const report = await oncall.oncall(query);
  const mentions = people ? await mentionsByEmail(people, report.providers.flatMap((answer) => answer.oncall.flatMap((who) => (who.email ? [who.email] : [])))) : {};
  return onCallMessage(report, mentions);
}
