import { answerQuestion } from '../catalog/answers/question.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { DocsService } from '../docs/docs-service.js';
import { docsAnswerMessage } from './blocks/docs-answer.js';
import type { SlackMessage } from './blocks/limits.js';
import { questionAnswerMessage } from './blocks/question-answer.js';
import { FIND_PAGE_SIZE } from './commands/find.js';

/** "How do I rotate the API keys?": a question for the docs rather than for the catalog. */
const HOW_TO = /^\s*how\s+(do|can|should|would|to)\b/i;

/**
 * A plain question, in a DM, a mention or the console: a how-to goes to the docs (when they answer
 * it), everything else to the catalog (who owns, is there, what does a team own).
 */
export function answerPlainQuestion(question: string, { catalog, docs }: { catalog: CatalogService; docs?: DocsService }): SlackMessage {
  if (docs && HOW_TO.test(question)) {
    const answer = docs.answer(question);
    if (answer.sections.length > 0) return docsAnswerMessage(answer);
  }
  return questionAnswerMessage(answerQuestion(catalog, question, { limit: FIND_PAGE_SIZE }), { pageSize: FIND_PAGE_SIZE });
}
