import { section } from '../blocks/block-parts.js';
import { entityScorecardMessage, orgScorecardMessage, teamScorecardMessage } from '../blocks/scorecard-answer.js';
import type { SlashCommand } from './registry.js';

/** Best-practice scorecards in chat: an entity's checks, a team's entities, or the organisation. */
export const scorecardCommand: SlashCommand = {
  command: '/scorecard',
  description: 'How does a service, a team or everyone do on the best-practice scorecards?',
  usageHint: 'payments-api | team payments-team | (nothing: everyone)',
  async answer(text, { scorecards }) {
    if (!scorecards) return { text: 'Scorecards are not available here.', blocks: [section('Scorecards are not available here.')] };
    const query = text.trim();
    if (!query) return orgScorecardMessage(await scorecards.org());
    const team = /^team\s+(\S.*)$/i.exec(query);
    if (team) return teamScorecardMessage(await scorecards.team(team[1]!));
    return entityScorecardMessage(await scorecards.entity(query));
  },
};
