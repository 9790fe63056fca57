import type { KnownBlock, ModalView } from '@slack/types';
import { nameOfRef } from '../../catalog/model/entity-ref.js';
import { isUndecided, type NudgeStanding, type StandingCheck } from '../../scorecards/nudge-standing.js';
import { ACTIONS, VIEWS, WONT_FIX_INPUTS } from './action-ids.js';
import { actions, button, linesAsSections, section } from './block-parts.js';
import { fitMessage, truncateText, type SlackMessage } from './limits.js';
import { code, escapeText, slackDate } from './mrkdwn.js';

/** What a nudge's buttons carry: the delivery (which message) and the entity (which of its sections). */
export interface NudgeButtonValue {
  delivery: string;
  entity: string;
}

/** Entities shown in one message: each takes a section and a row of buttons, within Slack's 50 blocks (the planner lists fewer checks than this anyway). */
const ENTITIES_SHOWN = 20;
const FIX_CHARS = 300;
/** Slack's checkboxes hold at most 10 options, each label at most 75 characters. */
const CHECKBOX_OPTIONS = 10;
const OPTION_CHARS = 75;
const REASON_CHARS = 500;

const day = (iso: string) => slackDate(new Date(iso), '{date_short}', iso.slice(0, 10));

function checkLine(check: StandingCheck): string {
  const title = escapeText(check.title);
  const by = check.exemption ? escapeText(nameOfRef(check.exemption.decidedBy)) : '';
  switch (check.status) {
    case 'pass':
      return `:white_check_mark: ~${title}~ passes now`;
    case 'unknown':
      return `:grey_question: ${title}: cannot be checked now`;
    case 'snoozed':
      return `:zzz: ${title}: snoozed by ${by}${check.exemption?.until ? ` until ${day(check.exemption.until)}` : ''}`;
    case 'wontfix':
      return `:no_entry_sign: ${title}: won't fix (${by}): ${escapeText(truncateText(check.exemption?.reason ?? '', FIX_CHARS))}`;
    case 'fail': {
      const since = `failing since ${day(check.since)}${check.regression ? ', a regression' : ''}`;
      return `:x: *${title}*: ${since}${check.fix ? `\n\u2003${escapeText(truncateText(check.fix, FIX_CHARS))}` : ''}`;
    }
  }
}

function heading(standing: NudgeStanding, failing: number): string {
  const count = `${failing} failing ${failing === 1 ? 'check' : 'checks'}`;
  if (standing.team === 'platform') return `*Entities without an owner in the catalog* have ${count}. Give each a \`spec.owner\`, and its team is nudged instead.`;
  if (standing.individual) {
    return `*You own ${standing.entities.length === 1 ? code(standing.entities[0]!.ref) : `${standing.entities.length} entities`} personally*, and ${count} need you.\nAn entity owned by one person goes unanswered when they are away or move on: hand it to a team by setting \`spec.owner\` to a Group.`;
  }
  return `*Scorecard nudge for ${code(standing.team)}*: ${count} on ${standing.entities.length} ${standing.entities.length === 1 ? 'entity' : 'entities'}, the newest regressions first.`;
}

/**
 * A nudge: per entity, its failing checks with how to fix each, and Snooze / Won't fix / Recheck
 * buttons; after a button, the same message with each check as it stands now.
 */
export function nudgeMessage(standing: NudgeStanding): SlackMessage {
  const failing = standing.entities.reduce((count, entity) => count + entity.checks.filter((check) => check.status === 'fail').length, 0);
  const blocks: KnownBlock[] = [section(heading(standing, failing))];
  for (const entity of standing.entities.slice(0, ENTITIES_SHOWN)) {
    blocks.push(...linesAsSections([`*${escapeText(nameOfRef(entity.ref))}* (${code(entity.ref)})`, ...entity.checks.map(checkLine)]));
    const value = JSON.stringify({ delivery: standing.delivery, entity: entity.ref } satisfies NudgeButtonValue);
    const open = entity.checks.some((check) => check.status === 'fail');
    blocks.push(actions([...(open ? [button('Snooze 1 week', ACTIONS.nudgeSnooze, value), button("Won't fix", ACTIONS.nudgeWontFix, value)] : []), button('Recheck now', ACTIONS.nudgeRecheck, value)]));
  }
  const more = standing.entities.length - ENTITIES_SHOWN;
  const team = standing.team.startsWith('group:') ? ` \`/scorecard team ${escapeText(nameOfRef(standing.team))}\` lists them all.` : '';
  if (more > 0) blocks.push(section(`…and ${more} more ${more === 1 ? 'entity' : 'entities'}.${team}`));
  if (standing.heldBack > 0) blocks.push(section(`${standing.heldBack} more failing ${standing.heldBack === 1 ? 'check waits' : 'checks wait'} for the next nudge, so that this one stays short.${team}`));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: "Snooze sets these checks aside for a week; Won't fix asks why, and everyone sees the reason in `/scorecard`. Only the owners can do either." }] });
  return fitMessage({ text: `${failing} failing scorecard ${failing === 1 ? 'check' : 'checks'} for ${nameOfRef(standing.team)}`, blocks });
}

/** The won't-fix form for one entity of a nudge: which of its failing checks, and why (everyone will see it). */
export function wontFixModal(standing: NudgeStanding, entityRef: string, privateMetadata: string): ModalView {
  const entity = standing.entities.find((item) => item.ref === entityRef);
  const open = (entity?.checks ?? []).filter((check) => isUndecided(check.status)).slice(0, CHECKBOX_OPTIONS);
  const options = open.map((check) => ({ text: { type: 'plain_text' as const, text: truncateText(check.title, OPTION_CHARS) }, value: `${check.scorecard}/${check.check}` }));
  return {
    type: 'modal',
    callback_id: VIEWS.nudgeWontFix,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: "Won't fix" },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Checks of ${code(entityRef)} that its owners will not fix. The reason is shown to everyone in \`/scorecard\`, and these checks are no longer nudged about.`),
      { type: 'input', block_id: WONT_FIX_INPUTS.checks.block, label: { type: 'plain_text', text: 'Checks' }, element: { type: 'checkboxes', action_id: WONT_FIX_INPUTS.checks.action, options, ...(options.length > 0 ? { initial_options: options } : {}) } },
      { type: 'input', block_id: WONT_FIX_INPUTS.reason.block, label: { type: 'plain_text', text: 'Why not' }, element: { type: 'plain_text_input', action_id: WONT_FIX_INPUTS.reason.action, multiline: true, max_length: REASON_CHARS, placeholder: { type: 'plain_text', text: 'For example: a batch job with no users, retired next quarter' } } },
    ],
  };
}
