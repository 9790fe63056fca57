import { section } from '../blocks/block-parts.js';
import { healthMessage } from '../blocks/health-answer.js';
import type { SlashCommand } from './registry.js';

/** Kubernetes health in chat: the entity's workloads in every configured cluster, and what is wrong with them. */
export const healthCommand: SlashCommand = {
  command: '/health',
  description: "Is it healthy? A service's workloads in Kubernetes, and what is wrong with them",
  usageHint: 'payments-api',
  async answer(text, { health }) {
    const query = text.trim();
    if (!health) return { text: 'Health is not available here.', blocks: [section('Health is not available here.')] };
    if (!query) return { text: 'Usage: /health payments-api', blocks: [section('Name a service: `/health payments-api`')] };
    return healthMessage(await health.health(query));
  },
};
