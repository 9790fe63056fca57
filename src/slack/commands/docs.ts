import { section } from '../blocks/block-parts.js';
import { docsAnswerMessage } from '../blocks/docs-answer.js';
import type { SlashCommand } from './registry.js';

/** TechDocs in chat: an entity's doc links and contents, or the docs sections that answer a question. */
export const docsCommand: SlashCommand = {
  command: '/docs',
  description: "A service's docs and their contents, or the docs that answer a question",
  usageHint: 'payments-api | rotate the api keys',
  answer(text, { docs }) {
    const query = text.trim();
    if (!docs) return { text: 'Docs are not available here.', blocks: [section('Docs are not available here.')] };
    if (!query) return { text: 'Usage: /docs payments-api', blocks: [section('Name a service for its docs (`/docs payments-api`), or ask (`/docs rotate the api keys`).')] };
    return docsAnswerMessage(docs.answer(query));
  },
};
