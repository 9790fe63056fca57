import { section } from '../blocks/block-parts.js';
import { messageProblems, type SlackMessage } from '../blocks/limits.js';
import { ownershipCard } from '../blocks/ownership-card.js';
import { workloadQueryOf } from '../../kubernetes/entity-workloads.js';
import type { CommandContext, SlashCommand } from './registry.js';
import { withDeadline } from '../../deadline.js';
import type { KnownBlock } from '@slack/types';
import type { Entity } from '../../catalog/model/entity.js';
import type { CardSectionContext, CardSectionExtension } from '../../plugins/plugin-api.js';
import { onCallOf } from '../../oncall/oncall-service.js';
import { mentionsByEmail } from '../people.js';

/**
 * The ownership card for a query, its members mentioned where Slack knows them. A card shared in
 * the channel names them instead: a mention there would notify the whole team at once.
 */
export async function ownershipAnswer(query: string, { catalog, people, docs, health, scorecards, oncall, cardSections = [] }: Pick<CommandContext, 'catalog' | 'people' | 'docs' | 'health' | 'scorecards' | 'oncall' | 'cardSections'>, shared = false): Promise<SlackMessage> {
  const answer = catalog.whoOwns(query);
  const entity = answer.match ? catalog.view.get(answer.match.ref) : undefined;
  const [mentions, sections] = await Promise.all([
    !shared && people && answer.owner ? people.mentionsFor(answer.owner.people) : {},
    answer.match && entity ? sectionBlocks(cardSections, { ref: answer.match.ref, entity }, { view: catalog.view, onCall: onCallOf(oncall), mentionsFor: (emails) => (!shared && people ? mentionsByEmail(people, emails) : Promise.resolve({})) }) : [],
  ]);
  const documented = docs && answer.match ? docs.answer(answer.match.ref).links.length > 0 : false;
  const deployed = Boolean(health && entity && typeof workloadQueryOf(entity) === 'object');
  const scored = Boolean(scorecards && entity && scorecards.appliesTo(entity));
  return ownershipCard(answer, { mentions, shared, docs: documented, health: deployed, scorecard: scored, sections });
}

/** A section's budget unless it names its own, and the most one may ask for: every card waits for its slowest section. */
const SECTION_BUDGET_MS = 300;
const MAX_SECTION_BUDGET_MS = 2_000;

/**
 * Every card section at once, each within its budget: one that is slower, or throws, is left
 * out (the card is not), and its work is told to stop.
 */
async function sectionBlocks(sections: CardSectionExtension[], entity: { ref: string; entity: Entity }, context: Omit<CardSectionContext, 'signal'>): Promise<KnownBlock[]> {
  const rendered = await Promise.all(
    sections.map(async (section) => {
      const controller = new AbortController();
      const budget = Math.min(section.budgetMs ?? SECTION_BUDGET_MS, MAX_SECTION_BUDGET_MS);
      const blocks = await withDeadline(Promise.resolve().then(() => section.render(entity, { ...context, signal: controller.signal })), budget, `the ${section.id} section took longer than its budget`).catch((error: unknown) => {
        controller.abort(error);
        return [];
      });
      controller.abort();
      return sectionWithinLimits(blocks);
    }),
  );
  return rendered.flat();
}

/** What a section may show: blocks without buttons (nothing would answer them), no more than a few, each within Block Kit's limits. */
const SECTION_BLOCK_TYPES = new Set(['section', 'context', 'divider', 'header', 'image']);
const BLOCKS_PER_SECTION = 10;

/** A section's blocks as the card can hold them; a section it cannot hold is left out whole, so the card never fails for it. */
function sectionWithinLimits(blocks: unknown): KnownBlock[] {
  if (!Array.isArray(blocks)) return [];
  const kept = blocks
    .filter((block): block is KnownBlock => typeof block === 'object' && block !== null && SECTION_BLOCK_TYPES.has((block as { type?: unknown }).type as string))
    .slice(0, BLOCKS_PER_SECTION)
    .map((block) => {
      // Ids could clash with the card's own or another section's; an accessory could be a button.
      const { block_id: _id, ...rest } = block as KnownBlock & { accessory?: unknown };
      if ('accessory' in rest) delete (rest as { accessory?: unknown }).accessory;
      return rest as KnownBlock;
    });
  try {
    return messageProblems({ text: '', blocks: kept }).length === 0 ? kept : [];
  } catch {
    return [];
  }
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
