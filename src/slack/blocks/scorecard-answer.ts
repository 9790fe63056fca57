import type { KnownBlock } from '@slack/types';
import type { CheckStatus } from '../../scorecards/evaluate-scorecards.js';
import type { EntityScorecardAnswer, OrgScorecardAnswer, TeamScorecardAnswer } from '../../scorecards/scorecard-service.js';
import { linesAsSections, section } from './block-parts.js';
import { fitMessage, truncateText, type SlackMessage } from './limits.js';
import { code, escapeText, slackDate } from './mrkdwn.js';
import { nameOfRef } from '../../catalog/model/entity-ref.js';

const STATUS_ICONS: Record<CheckStatus, string> = {
  pass: ':white_check_mark:',
  fail: ':x:',
  unknown: ':grey_question:',
  snoozed: ':zzz:',
  wontfix: ':no_entry_sign:',
};

/** `/scorecard ENTITY`: each scorecard's level, then its checks, failing ones with how to fix them. */
export function entityScorecardMessage(answer: EntityScorecardAnswer): SlackMessage {
  if (!answer.entity) return { text: answer.reasons.join('; '), blocks: [section(escapeText(answer.reasons.join('; ')))] };
  const blocks: KnownBlock[] = [section(`*Scorecards for ${code(answer.entity)}*${answer.owner ? `, owned by ${code(answer.owner)}` : ''}`)];
  for (const reason of answer.reasons) blocks.push(section(escapeText(reason)));
  for (const scorecard of answer.scorecards) {
    blocks.push(section(`*${escapeText(scorecard.title)}*: ${scorecard.level ? `level *${escapeText(scorecard.level)}*` : 'no level yet'} (${scorecard.levels.map(escapeText).join(' → ')})`));
    const lines = scorecard.checks.map((check) => {
      const line = `${STATUS_ICONS[check.status]} ${escapeText(check.title)}`;
      if (check.status === 'pass') return line;
      const detail = check.status === 'fail' ? check.fix : check.message;
      return detail ? `${line}\n\u2003${escapeText(truncateText(detail, 400))}` : line;
    });
    blocks.push(...linesAsSections(lines));
  }
  const failing = answer.scorecards.reduce((count, scorecard) => count + scorecard.checks.filter((check) => check.status === 'fail').length, 0);
  return fitMessage({ text: `${answer.entity}: ${failing} failing check(s)`, blocks }, { moreText: '`callboard scorecard ENTITY --json` has every check.' });
}

/** `/scorecard team GROUP`: each entity the team owns, its level and what fails. */
export function teamScorecardMessage(answer: TeamScorecardAnswer): SlackMessage {
  if (!answer.team) return { text: answer.reasons.join('; '), blocks: [section(escapeText(answer.reasons.join('; ')))] };
  const blocks: KnownBlock[] = [section(`*Scorecards of ${code(answer.team)}*: ${answer.entities.length} entities`)];
  for (const reason of answer.reasons) blocks.push(section(escapeText(reason)));
  const lines = answer.entities.map((entity) => `${entity.failing.length === 0 ? STATUS_ICONS.pass : STATUS_ICONS.fail} ${code(entity.ref)}: ${entity.level ? `*${escapeText(entity.level)}*` : 'no level'}${entity.failing.length > 0 ? `; failing ${entity.failing.map(code).join(', ')}` : ''}`);
  blocks.push(...linesAsSections(lines));
  return fitMessage({ text: `${answer.team}: ${answer.entities.length} entities`, blocks }, { moreText: '`callboard scorecard --team GROUP --json` lists them all.' });
}

/** `/scorecard` alone: the teams that need help first, and the checks failed most. */
export function orgScorecardMessage(answer: OrgScorecardAnswer): SlackMessage {
  if (!answer.evaluatedAt || !answer.scorecard) {
    const text = 'No scorecard evaluation yet: it runs on its schedule, or now with `callboard scorecard --evaluate`.';
    return { text, blocks: [section(text)] };
  }
  const { scorecard } = answer;
  const blocks: KnownBlock[] = [section(`*${escapeText(scorecard.title)}* across the organisation, as evaluated ${slackDate(answer.evaluatedAt)}`)];
  const levels = [...scorecard.levels, 'none'];
  const teamLines = answer.teams.map((team) => `${code(team.team)} (${team.entities}): ${levels.filter((level) => team.levels[level]).map((level) => `${escapeText(level === 'none' ? 'no level' : level)} ${team.levels[level]}`).join(' · ')}`);
  if (teamLines.length > 0) blocks.push(section('*Teams, the most entities below the first level first*'), ...linesAsSections(teamLines));
  const failed = answer.mostFailed.map((item) => `${STATUS_ICONS.fail} ${escapeText(item.title)} (${code(item.check)}): ${item.failing} entities`);
  if (failed.length > 0) blocks.push(section('*Checks failed most*'), ...linesAsSections(failed));
  const wontFix = answer.wontFix.map((item) => `${STATUS_ICONS.wontfix} ${escapeText(item.title)} on ${code(item.entity)}: ${escapeText(truncateText(item.reason, 300))} (${escapeText(nameOfRef(item.decidedBy))})`);
  if (wontFix.length > 0) blocks.push(section("*Won't fix, and why*"), ...linesAsSections(wontFix));
  return fitMessage({ text: `${scorecard.title}: ${answer.teams.length} teams`, blocks }, { moreText: '`/scorecard team GROUP` shows one team.' });
}
