import type { KnownBlock } from '@slack/types';
import type { QuestionAnswer, TeamMembersAnswer } from '../../catalog/answers/question.js';
import { nameOfRef } from '../../catalog/model/entity-ref.js';
import { section } from './block-parts.js';
import { findResults } from './find-results.js';
import { fitMessage, type SlackMessage } from './limits.js';
import { escapeText } from './mrkdwn.js';
import { ownershipCard } from './ownership-card.js';

/** Questions the help shows, each answerable by the catalog's own examples. */
export const EXAMPLE_QUESTIONS = ['who owns payments-api?', 'is there a geocoding API?', 'what does the payments team own?', 'who is on payments-team?'];

/** A large team's full list would crowd out the rest of the message. */
const MAX_MEMBERS_LISTED = 40;

/**
 * The answer to a plain question, for a thread or a direct message. Everyone in the conversation
 * sees it already, so no answer carries a Share button; results keep their paging buttons.
 */
export function questionAnswerMessage(answer: QuestionAnswer, { pageSize }: { pageSize: number }): SlackMessage {
  switch (answer.type) {
    case 'ownership':
      return ownershipCard(answer.ownership, { shared: true });
    case 'results':
      return findResults(answer.results, { query: answer.query, offset: 0, pageSize, shared: true });
    case 'members':
      return teamMembersMessage(answer.members);
    case 'help':
      return questionHelp(answer.notFound);
  }
}

function teamMembersMessage({ team, displayName, members, subteams }: TeamMembersAnswer): SlackMessage {
  const title = displayName.replace(/\s+/g, ' ').trim() || team.name;
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: title } }];
  if (members.length === 0) {
    blocks.push(section('No members are listed in the catalog.'));
  } else {
    const listed = members.slice(0, MAX_MEMBERS_LISTED).map(({ displayName: name, email }) => `• ${escapeText(name)}${email ? ` (${escapeText(email)})` : ''}`);
    if (members.length > MAX_MEMBERS_LISTED) listed.push(`and ${members.length - MAX_MEMBERS_LISTED} more`);
    blocks.push(section(`*${members.length} ${members.length === 1 ? 'member' : 'members'}:*\n${listed.join('\n')}`));
  }
  if (subteams.length > 0) blocks.push(section(`*Teams:* ${subteams.map((ref) => escapeText(nameOfRef(ref))).join(', ')}`));
  const count = `${members.length} ${members.length === 1 ? 'member' : 'members'}`;
  return fitMessage({ text: escapeText(`${title}: ${count}`), blocks });
}

/** What Callboard can be asked, with examples; after a search that found nothing, what it searched for first. */
function questionHelp(notFound: string | null): SlackMessage {
  const lead = notFound === null ? 'Ask me about the software catalog, in a direct message or by mentioning me.' : `I found nothing for *${escapeText(notFound.replace(/\s+/g, ' '))}*.`;
  const examples = EXAMPLE_QUESTIONS.map((question) => `• ${question}`).join('\n');
  const text = notFound === null ? 'Ask me about the software catalog' : `I found nothing for ${escapeText(notFound)}`;
  return fitMessage({
    text,
    blocks: [
      section(`${lead}\nTry:\n${examples}`),
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Also `/whoowns payments-api` and `/find kind:api geocoding`, with filters `kind:` `owner:` `tag:` `lifecycle:`.' }] },
    ],
  });
}
