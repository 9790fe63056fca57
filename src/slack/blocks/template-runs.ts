import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { RecordedRun } from '../../scaffolder/run-store.js';
import type { RunStatus, StepReport } from '../../scaffolder/run-template.js';
import type { TemplateDefinition } from '../../scaffolder/template-definition.js';
import { ACTIONS, APPROVAL_REASON, TEMPLATE_CHOICE, VIEWS } from './action-ids.js';
import { actions, button, linesAsSections, section } from './block-parts.js';
import { fitMessage, LIMITS, truncateText, type SlackMessage } from './limits.js';
import { escapeText, link, mention, slackDate } from './mrkdwn.js';

/** A static select offers at most 100 options, each text and description at most 75 characters. */
const PICKER = { options: 100, optionText: 75, optionValue: 150 } as const;
/** The last lines of a failed step's log that the report shows. */
const LOG_LINES_SHOWN = 3;

const plain = (text: string, max = 24) => ({ type: 'plain_text' as const, text: truncateText(text, max) });

const STATUS_ICONS: Record<RunStatus, string> = {
  open: ':white_circle:',
  processing: ':hourglass_flowing_sand:',
  completed: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  skipped: ':fast_forward:',
};

const STATUS_WORDS: Record<RunStatus, string> = { open: 'waiting to start', processing: 'running', completed: 'done', failed: 'failed', cancelled: 'cancelled', skipped: 'skipped' };

/** The first modal of /create-service: the templates this person may run, each with its description. */
export function templatePickerModal(templates: TemplateDefinition[]): ModalView {
  const options: PlainTextOption[] = templates.slice(0, PICKER.options).map((template) => ({
    text: plain(template.title, PICKER.optionText),
    value: template.ref.slice(0, PICKER.optionValue),
    ...(template.description ? { description: plain(template.description, PICKER.optionText) } : {}),
  }));
  const more = templates.length > PICKER.options ? `\nThe first ${PICKER.options} of ${templates.length} are listed; \`/create-service NAME\` starts any of them.` : '';
  return {
    type: 'modal',
    callback_id: VIEWS.pickTemplate,
    title: plain('Create from a template'),
    submit: plain('Next'),
    close: plain('Cancel'),
    blocks: [
      section(`Pick what to create. Its form follows, a page at a time.${more}`),
      { type: 'input', block_id: TEMPLATE_CHOICE.block, label: plain('Template', 2000), element: { type: 'static_select', action_id: TEMPLATE_CHOICE.action, options, focus_on_load: true } },
    ],
  };
}

/** What the modal becomes once the last page is submitted: the run goes on in a direct message. */
export function runStartedModal(template: TemplateDefinition): ModalView {
  return {
    type: 'modal',
    callback_id: VIEWS.runStarted,
    title: plain(template.title),
    close: plain('Done'),
    blocks: [section(`Creating from *${escapeText(template.title)}*. I will message you as each step finishes.`)],
  };
}

/** A page submitted for a form that is gone: submitted already (its run is under way), or a day old. */
export function formGoneModal(): ModalView {
  return {
    type: 'modal',
    callback_id: VIEWS.runStarted,
    title: plain('Create from a template'),
    close: plain('Close'),
    blocks: [section('This form was submitted already, or has expired. `/create-service status` lists your runs; `/create-service` starts again.')],
  };
}

function stepLine(step: StepReport): string {
  const line = `${STATUS_ICONS[step.status]} ${escapeText(step.name)}${step.status === 'skipped' ? ' (skipped)' : ''}`;
  if (step.status !== 'failed') return line;
  const log = step.log.slice(-LOG_LINES_SHOWN).map((entry) => `> ${escapeText(truncateText(entry, 300))}`);
  return [line, ...log].join('\n');
}

/**
 * A run as its requester follows it: each step's state, then how it ended, with the template's
 * output links and texts. The same message is updated as the run goes.
 */
export function runReport(run: Pick<RecordedRun, 'id' | 'status' | 'steps' | 'output' | 'error' | 'approval'>, templateTitle: string): SlackMessage {
  const title = escapeText(templateTitle);
  const awaiting = run.status === 'open' && run.approval?.state === 'pending';
  const headline = `${STATUS_ICONS[run.status]} *${title}*: ${awaiting ? 'waiting for approval' : STATUS_WORDS[run.status]}`;
  const blocks: KnownBlock[] = [section(headline)];
  if (awaiting) blocks.push(section(`Members of \`${escapeText(run.approval!.approvers)}\` have been asked to approve it; it starts once one does.`));
  if (run.approval?.state === 'approved') blocks.push(section(`Approved by \`${escapeText(run.approval.decidedBy ?? '')}\`${run.approval.reason ? `: ${escapeText(run.approval.reason)}` : ''}`));
  if (run.steps.length > 0) blocks.push(section(truncateText(run.steps.map(stepLine).join('\n'), LIMITS.sectionText)));
  if (run.error) blocks.push(section(truncateText(`*Why:* ${escapeText(run.error)}`, LIMITS.sectionText)));
  const links = (run.output?.links ?? []).map((output) => {
    if (!output.url) return `${escapeText(output.title)}: \`${escapeText(output.entityRef ?? '')}\``;
    // publish:local's repositories are folders on the server: shown, not linked.
    return /^https?:/.test(output.url) ? link(output.url, output.title) : `${escapeText(output.title)}: \`${escapeText(output.url)}\``;
  });
  if (links.length > 0) blocks.push(section(truncateText(links.join('\n'), LIMITS.sectionText)));
  for (const text of run.output?.text ?? []) blocks.push(section(truncateText(`*${escapeText(text.title)}*\n${escapeText(text.content)}`, LIMITS.sectionText)));
  const stillRunning = run.status === 'open' || run.status === 'processing';
  if (stillRunning) blocks.push(actions([button('Cancel', ACTIONS.cancelRun, run.id)]));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Run \`${run.id}\`` }] });
  return fitMessage({ text: `${templateTitle}: ${STATUS_WORDS[run.status]}`, blocks });
}

/** `/create-service status`: the person's recent runs, newest first, each still running with a Cancel button. */
export function runList(runs: RecordedRun[], titleOf: (templateRef: string) => string): SlackMessage {
  if (runs.length === 0) return { text: 'No template runs yet', blocks: [section('You have not run a template yet. `/create-service` starts one.')] };
  const blocks: KnownBlock[] = [section(`*Your recent template runs*`)];
  for (const run of runs) {
    const when = slackDate(run.createdAt);
    const line = `${STATUS_ICONS[run.status]} *${escapeText(titleOf(run.templateRef))}*: ${STATUS_WORDS[run.status]}, ${when}\nRun \`${run.id}\`${run.error ? `\n${escapeText(truncateText(run.error, 300))}` : ''}`;
    const running = run.status === 'open' || run.status === 'processing';
    blocks.push(running ? { ...section(line), accessory: button('Cancel', ACTIONS.cancelRun, run.id) } : section(line));
  }
  return fitMessage({ text: `Your recent template runs (${runs.length})`, blocks });
}

/** Who asked to run what, as the approvers see it. */
export interface ApprovalRequest {
  runId: string;
  templateTitle: string;
  approvers: string;
  /** The requester's Slack user, to mention, or their catalog ref. */
  requesterUserId?: string;
  requesterRef: string;
  /** The values as recorded (secrets masked). */
  values: Record<string, unknown>;
}

/** A value longer than this is shown cut, saying how long it is. */
const VALUE_SHOWN = 300;

/**
 * Each value on a line of its own, as inert text: backticks and line breaks would let a value
 * close its code span or forge lines of its own, so they are shown as what they are.
 */
function valueLines(values: Record<string, unknown>): string[] {
  return Object.entries(values).map(([name, value]) => {
    const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/`/g, 'ˋ').replace(/\r?\n/g, ' ⏎ ');
    const shown = text.length > VALUE_SHOWN ? `${truncateText(text, VALUE_SHOWN)} (${text.length} characters)` : text;
    return `• ${escapeText(name.replace(/[`\n]/g, ' '))}: \`${escapeText(shown)}\``;
  });
}


/** The message asking a group to approve a run: what would be created, a reason box, Approve and Reject. */
export function approvalRequestMessage(request: ApprovalRequest): SlackMessage {
  const who = request.requesterUserId ? mention(request.requesterUserId) : `\`${escapeText(request.requesterRef)}\``;
  const values = linesAsSections(valueLines(request.values));
  // The buttons and the reason box come first: a message too long for Slack loses its end, never them.
  const blocks: KnownBlock[] = [
    section(`:raised_hand: ${who} asks to run *${escapeText(request.templateTitle)}*. Members of \`${escapeText(request.approvers)}\` approve it.`),
    { type: 'input', block_id: APPROVAL_REASON.block, optional: true, label: plain('Reason (the requester sees it; needed to reject)', 2000), element: { type: 'plain_text_input', action_id: APPROVAL_REASON.action } },
    actions([
      { ...button('Approve', ACTIONS.approveRun, request.runId), style: 'primary' },
      { ...button('Reject', ACTIONS.rejectRun, request.runId), style: 'danger' },
    ]),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Run \`${request.runId}\`` }] },
    ...values,
  ];
  return fitMessage({ text: `Approve ${request.templateTitle}?`, blocks }, { moreText: 'More values than a message holds: ask the requester for the rest before you approve.' });
}

/** The approval request once decided: the buttons go, the decision stays for the channel to see. */
export function approvalDecidedMessage(request: ApprovalRequest, approved: boolean, deciderUserId: string, reason: string | undefined): SlackMessage {
  const who = request.requesterUserId ? mention(request.requesterUserId) : `\`${escapeText(request.requesterRef)}\``;
  const decision = `${approved ? STATUS_ICONS.completed : STATUS_ICONS.failed} ${approved ? 'Approved' : 'Rejected'} by ${mention(deciderUserId)}${reason ? `: ${escapeText(reason)}` : ''}`;
  return fitMessage({
    text: `${request.templateTitle}: ${approved ? 'approved' : 'rejected'}`,
    blocks: [section(`${who} asked to run *${escapeText(request.templateTitle)}*.`), section(decision), { type: 'context', elements: [{ type: 'mrkdwn', text: `Run \`${request.runId}\`` }] }],
  });
}
