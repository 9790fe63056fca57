import { answerQuestion } from '../catalog/answers/question.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { DocsService } from '../docs/docs-service.js';
import { docsAnswerMessage } from './blocks/docs-answer.js';
import type { SlackMessage } from './blocks/limits.js';
import { questionAnswerMessage } from './blocks/question-answer.js';
import { FIND_PAGE_SIZE } from './commands/find.js';
import { onCallAnswer } from './commands/oncall.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import type { PeopleDirectory } from './people.js';

/** "How do I rotate the API keys?": a question for the docs rather than for the catalog. */
const HOW_TO = /^\s*how\s+(do|can|should|would|to)\b/i;

/** "Who is on call for payments-api?": a question for the on-call providers. */
const WHO_IS_ON_CALL = /^\s*who(?:'s|\s+is)\s+on[\s-]?call\s+(?:for\s+|on\s+)?(.+?)[\s?!.]*$/i;

/**
 * A plain question, in a DM, a mention or the console: who is on call goes to the on-call
 * providers, a how-to to the docs (when they answer it), everything
 * else to the catalog (who owns, is there, what does a team own).
 */
export async function answerPlainQuestion(question: string, { catalog, docs, oncall, people }: { catalog: CatalogService; docs?: DocsService; oncall?: OnCallService; people?: PeopleDirectory }): Promise<SlackMessage> {
  // Without a provider the on-call answer says which plugin to add, which helps more than a catalog search.
  const onCallFor = oncall ? WHO_IS_ON_CALL.exec(question)?.[1] : undefined;
  if (oncall && onCallFor) return onCallAnswer(onCallFor, oncall, people);
  if (docs && HOW_TO.test(question)) {
    const answer = docs.answer(question);
    if (answer.sections.length > 0) return docsAnswerMessage(answer);
  }
  return questionAnswerMessage(answerQuestion(catalog, question, { limit: FIND_PAGE_SIZE }), { pageSize: FIND_PAGE_SIZE });
}
