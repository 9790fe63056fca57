import { section } from '../blocks/block-parts.js';
import { ownershipCard } from '../blocks/ownership-card.js';
import type { SlashCommand } from './registry.js';

export const whoOwnsCommand: SlashCommand = {
  command: '/whoowns',
  description: 'Who owns a service, API, system or team, with members, on-call and links',
  usageHint: 'payments-api',
  answer(text, { catalog }) {
    const name = text.trim();
    if (!name) return { text: 'Usage: /whoowns payments-api', blocks: [section('Name a service, API, system or team: `/whoowns payments-api`')] };
    return ownershipCard(catalog.whoOwns(name), {});
  },
};
