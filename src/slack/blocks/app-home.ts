import type { HomeView, KnownBlock } from '@slack/types';
import type { HomeOverview } from '../../catalog/answers/home-overview.js';
import { nameOfRef } from '../../catalog/model/entity-ref.js';
import { formatProblem } from '../../catalog/processing/catalog-problem.js';
import { ACTIONS } from './action-ids.js';
import { actions, button, section } from './block-parts.js';
import { fitMessage, truncateText } from './limits.js';
import { escapeText } from './mrkdwn.js';
import type { OrgScorecardAnswer } from '../../scorecards/scorecard-service.js';
import { orgScorecardMessage } from './scorecard-answer.js';

const HOME_BLOCKS = 100;
/** Per team: enough to recognise the team's estate; /find owner:<team> lists the rest. */
const OWNED_LISTED = 15;
const PROBLEM_CHARS = 300;

/**
 * App Home for one person: their teams and what each owns, what is wrong in those entities'
 * catalog files, and a way into search. Someone the catalog does not know is told how to be found.
 */
export function appHomeView(overview: HomeOverview, scorecards?: OrgScorecardAnswer): HomeView {
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Callboard' } }, actions([button('Search the catalog', ACTIONS.openSearch, 'home')])];
  if (!overview.user) {
    blocks.push(
      section('The catalog has no User entity for you yet, so this page cannot show your teams. Ask your platform team to add your email to `spec.profile.email`, or a `slack.com/user-id` annotation, on your User entity.'),
      section('Meanwhile, ask in any channel: `/whoowns payments-api`, `/find geocoding kind:api`, or mention Callboard with a question.'),
    );
    return home(blocks);
  }
  const teamNames = overview.teams.map((team) => `*${escapeText(team.displayName)}*`).join(', ');
  blocks.push(section(`Hello, ${escapeText(overview.user.displayName)}. ${overview.teams.length > 0 ? `You are in ${teamNames}.` : 'You are in no team in the catalog.'}`));
  for (const team of overview.teams) {
    blocks.push({ type: 'divider' }, section(`*${escapeText(team.displayName)}* owns ${ownedList(team.owns, team.ref)}`));
  }
  if (overview.owns.length > 0) blocks.push({ type: 'divider' }, section(`*You own personally* ${ownedList(overview.owns)}\nA team as owner keeps these answered when you are away.`));
  blocks.push({ type: 'divider' });
  if (overview.problemCount === 0) {
    blocks.push(section('*Catalog problems:* none in your entities’ files.'));
  } else {
    const heading = `*Catalog problems in your entities’ files: ${overview.problemCount}*${overview.problemCount > overview.problems.length ? ` (the first ${overview.problems.length})` : ''}`;
    blocks.push(section(heading), ...overview.problems.map((problem) => section(`\`${escapeText(truncateText(formatProblem(problem), PROBLEM_CHARS))}\``)));
  }
  // How the organisation stands, as `/scorecard` shows it: the same for everyone.
  if (scorecards) blocks.push({ type: 'divider' }, ...orgScorecardMessage(scorecards).blocks);
  return home(blocks);
}

function ownedList(refs: string[], teamRef?: string): string {
  if (refs.length === 0) return 'nothing in the catalog yet.';
  const names = refs.slice(0, OWNED_LISTED).map((ref) => escapeText(nameOfRef(ref)));
  const more = refs.length > OWNED_LISTED ? ` and ${refs.length - OWNED_LISTED} more${teamRef ? ` (\`/find owner:${escapeText(nameOfRef(teamRef))}\`)` : ''}` : '';
  return `${refs.length} ${refs.length === 1 ? 'entity' : 'entities'}: ${names.join(', ')}${more}`;
}

function home(blocks: KnownBlock[]): HomeView {
  return { type: 'home', blocks: fitMessage({ text: '', blocks }, { maxBlocks: HOME_BLOCKS }).blocks };
}
