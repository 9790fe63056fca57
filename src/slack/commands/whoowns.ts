import { section } from '../blocks/block-parts.js';
import type { SlackMessage } from '../blocks/limits.js';
import { ownershipCard } from '../blocks/ownership-card.js';
import { workloadQueryOf } from '../../kubernetes/entity-workloads.js';
import type { CommandContext, SlashCommand } from './registry.js';

/**
 * The ownership card for a query, its members mentioned where Slack knows them. A card shared in
 * the channel names them instead: a mention there would notify the whole team at once.
 */
export async function ownershipAnswer(query: string, { catalog, people, docs, health, scorecards }: Pick<CommandContext, 'catalog' | 'people' | 'docs' | 'health' | 'scorecards'>, shared = false): Promise<SlackMessage> {
  const answer = catalog.whoOwns(query);
  const mentions = !shared && people && answer.owner ? await people.mentionsFor(answer.owner.people) : {};
  const documented = docs && answer.match ? docs.answer(answer.match.ref).links.length > 0 : false;
  const entity = answer.match ? catalog.view.get(answer.match.ref) : undefined;
  const deployed = Boolean(health && entity && typeof workloadQueryOf(entity) === 'object');
  const scored = Boolean(scorecards && entity && scorecards.appliesTo(entity));
  return ownershipCard(answer, { mentions, shared, docs: documented, health: deployed, scorecard: scored });
}

export const whoOwnsCommand: SlashCommand = {
  command: '/whoowns',
  description: 'Who owns a service, API, system or team, with members, on-call and links',
  usageHint: 'payments-api',
  scopes: { 'users:read': 'users.list: the workspace people members are mentioned as', 'users:read.email': 'users.list emails and users.lookupByEmail: matching members to Slack users' },
  answer(text, context) {
    const name = text.trim();
    if (!name) return { text: 'Usage: /whoowns payments-api', blocks: [section('Name a service, API, system or team: `/whoowns payments-api`')] };
    return ownershipAnswer(name, context);
  },
};
