import type { App, BlockAction, BlockSuggestion, GlobalShortcut, RespondFn, ViewOutput, ViewResponseAction, ViewSubmitAction } from '@slack/bolt';
import { peopleOf, personOf } from '../../catalog/answers/who-owns.js';
import { ANNOTATIONS, annotationOf } from '../../catalog/model/entity.js';
import type { ModalView } from '@slack/types';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { createDraft, deleteDraft, readDraft, saveDraftValues } from '../../scaffolder/draft-store.js';
import { entitySuggestions } from '../../scaffolder/entity-suggestions.js';
import { formFields } from '../../scaffolder/form-fields.js';
import { mergePage, nextPage, pageErrors, previousPage, shownPages } from '../../scaffolder/form-session.js';
import { recordReportPlace, type RecordedRun, type SlackPlace } from '../../scaffolder/run-store.js';
import type { ScaffolderService, StartRunRequest } from '../../scaffolder/scaffolder-service.js';
import { RunRefusedError, runningUser } from '../../scaffolder/template-access.js';
import { declaredMembersOf } from '../../catalog/answers/declared-members.js';
import type { TemplateDefinition } from '../../scaffolder/template-definition.js';
import { ACTIONS, APPROVAL_REASON, SHORTCUTS, TEMPLATE_CHOICE, VIEWS } from '../blocks/action-ids.js';
import { section } from '../blocks/block-parts.js';
import { truncateText, type SlackMessage } from '../blocks/limits.js';
import { FIELD_ACTION, fieldBlock, pageValues, templatePageModal } from '../blocks/template-form.js';
import { approvalDecidedMessage, approvalRequestMessage, formGoneModal, runReport, runStartedModal, templatePickerModal, type ApprovalRequest } from '../blocks/template-runs.js';
import { NOT_IN_CATALOG } from '../commands/create-service.js';
import type { TemplateForms } from '../commands/registry.js';
import type { Surface, SurfaceContext } from './surface.js';

/** Slack shows at most 100 options in an external select. */
const MAX_SUGGESTIONS = 100;

/** What a form page's modal carries in private_metadata: the draft holding the answers, and where it is. */
interface PageState {
  draft: string;
  template: string;
  page: number;
}

function pageState(view: { private_metadata?: string }): PageState | undefined {
  try {
    const state = JSON.parse(view.private_metadata ?? '') as Partial<PageState>;
    return typeof state.draft === 'string' && typeof state.template === 'string' && typeof state.page === 'number' ? (state as PageState) : undefined;
  } catch {
    return undefined;
  }
}

/** The page after the last: nothing to fill in, only Create (and Back). */
const confirmPage = (template: TemplateDefinition) => template.pages.length;

const isFormPage = (template: TemplateDefinition, page: number) => page >= 0 && page < template.pages.length;

/** Whether a page says Create: no later page can follow, neither one the answers show nor one whose `when` this page might still turn on. */
function saysCreate(template: TemplateDefinition, page: number, values: Record<string, unknown>): boolean {
  const shown = shownPages(template, values);
  return !template.pages.some((candidate, index) => index > page && (candidate.when !== undefined || shown.includes(index)));
}

function pageModal(template: TemplateDefinition, draft: string, page: number, values: Record<string, unknown>): ModalView {
  const back = shownPages(template, values).some((index) => index < page);
  return templatePageModal(template, page, values, JSON.stringify({ draft, template: template.ref, page } satisfies PageState), { last: saysCreate(template, page, values), back });
}

/** The form's first page (the confirm page for a template without pages). */
function firstPage(template: TemplateDefinition): number {
  return nextPage(template, -1, {}) ?? confirmPage(template);
}

async function templateByRef(scaffolder: ScaffolderService, ref: string): Promise<TemplateDefinition | undefined> {
  return (await scaffolder.templates()).templates.find((template) => template.ref === ref);
}

/** A modal that only says something: where the form cannot go on. */
function noticeModal(text: string): ModalView {
  return { type: 'modal', callback_id: VIEWS.runStarted, title: { type: 'plain_text', text: 'Create from a template' }, close: { type: 'plain_text', text: 'Close' }, blocks: [section(text)] };
}

/** The modals of /create-service, opened with a trigger: the picker, or the chosen template's first page. */
export function slackTemplateForms(client: App['client'], db: Db, triggerId: string, userId: string): TemplateForms {
  return {
    needsCatalogUser: true,
    async open(templates, chosen) {
      if (!chosen) {
        await client.views.open({ trigger_id: triggerId, view: templatePickerModal(templates) });
        return undefined;
      }
      const draft = await createDraft(db, userId, chosen.ref);
      await client.views.open({ trigger_id: triggerId, view: pageModal(chosen, draft.id, firstPage(chosen), {}) });
      return undefined;
    },
  };
}

/**
 * Sends a run's report to its requester's direct messages and keeps it up to date: the first
 * report is posted (unless `place` says where it was posted before), later ones update it.
 * Reports that come faster than Slack takes them are coalesced; the last one is always sent.
 */
function runReporter(client: App['client'], userId: string | undefined, log: Logger, place?: SlackPlace) {
  let posted = place;
  let pending: SlackMessage | undefined;
  let sending: Promise<void> | undefined;
  const deliver = async (message: SlackMessage) => {
    try {
      if (posted) await client.chat.update({ channel: posted.channel, ts: posted.ts, ...message });
      else if (userId) {
        const result = await client.chat.postMessage({ channel: userId, ...message });
        if (result.channel && result.ts) posted = { channel: result.channel, ts: result.ts };
      }
    } catch (error) {
      log.warn({ err: error }, "updating a template run's report failed");
    }
  };
  const flush = async () => {
    try {
      while (pending) {
        const message = pending;
        pending = undefined;
        await deliver(message);
      }
    } finally {
      sending = undefined;
    }
  };
  return {
    report(message: SlackMessage): Promise<void> {
      pending = message;
      sending ??= flush();
      return sending;
    },
    get place() {
      return posted;
    },
  };
}

type Reporter = ReturnType<typeof runReporter>;

/** The run's steps as it goes, then how it ended (or that it waits for approval). */
function progress(reporter: Reporter, title: string): Pick<StartRunRequest, 'onProgress'> {
  return { onProgress: (id, steps) => void reporter.report(runReport({ id, status: 'processing', steps: [...steps], output: null, error: null, approval: null }, title)) };
}

/** The requester's Slack user (for mentions and their DM), when Slack knows them. */
async function requesterUserId(context: SurfaceContext, run: RecordedRun): Promise<string | undefined> {
  if (!run.requestedBy) return undefined;
  const mentions = await context.people.mentionsFor(peopleOf(context.catalog.view, run.requestedBy));
  return mentions[run.requestedBy];
}

function approvalRequest(run: RecordedRun, templateTitle: string, requester: string | undefined): ApprovalRequest {
  return { runId: run.id, templateTitle, approvers: run.approval!.approvers, requesterRef: run.requestedBy ?? 'someone', values: run.values, ...(requester ? { requesterUserId: requester } : {}) };
}

/**
 * Asks the approving group: in its Slack channel (its `slack.com/channel` annotation), else (or
 * when posting there fails) each member its own entity lists, found in Slack, directly. Says where
 * each request went, to update them all once someone decides; none: nobody could be asked.
 */
async function askApprovers(context: SurfaceContext, client: App['client'], run: RecordedRun, templateTitle: string, requester: string): Promise<SlackPlace[]> {
  const { approvers } = run.approval!;
  const message = approvalRequestMessage(approvalRequest(run, templateTitle, requester));
  const post = async (channel: string): Promise<SlackPlace | undefined> => {
    try {
      const posted = await client.chat.postMessage({ channel, ...message });
      return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
    } catch (error) {
      context.log.warn({ err: error, channel }, 'asking for an approval failed there');
      return undefined;
    }
  };
  const group = context.catalog.view.get(approvers);
  const channel = group && annotationOf(group, ANNOTATIONS.slackChannel)?.trim().replace(/^#/, '');
  const inChannel = channel ? await post(channel) : undefined;
  if (inChannel) return [inChannel];
  const { view } = context.catalog;
  const members = [...declaredMembersOf(view, approvers)].filter((ref) => ref !== run.requestedBy);
  const mentions = await context.people.mentionsFor(members.map((ref) => personOf(ref, view.get(ref))));
  const asked: SlackPlace[] = [];
  for (const userId of Object.values(mentions)) {
    const place = await post(userId);
    if (place) asked.push(place);
  }
  return asked;
}

/** Every copy of an approval request shows the decision, and loses its buttons. */
async function showDecision(context: SurfaceContext, client: App['client'], run: RecordedRun, message: SlackMessage, respond: RespondFn): Promise<void> {
  const copies = run.report?.requests ?? [];
  if (copies.length === 0) return void (await respond({ replace_original: true, ...message }));
  for (const copy of copies) {
    await client.chat.update({ channel: copy.channel, ts: copy.ts, ...message }).catch((error: unknown) => context.log.warn({ err: error }, 'showing an approval decision failed'));
  }
}

/** Runs the filled-in form after its acknowledgement, reporting in the requester's direct messages. */
async function startRun(context: SurfaceContext, client: App['client'], template: TemplateDefinition, draftId: string, userId: string, values: Record<string, unknown>): Promise<void> {
  const { scaffolder, log } = context;
  const reporter = runReporter(client, userId, log);
  try {
    const userRef = await context.userRefOf(userId);
    if (!userRef) return void (await reporter.report({ text: NOT_IN_CATALOG, blocks: [section(NOT_IN_CATALOG)] }));
    const finished = await scaffolder.run({ template, values, user: runningUser(context.catalog.view, userRef), requestKey: draftId, notifier: context.notifier, ...progress(reporter, template.title) });
    // A repeated submission (another replica took the first): that one reports.
    if (finished.existing) return;
    await reporter.report(runReport(finished.run, template.title));
    if (finished.run.approval?.state !== 'pending') return;
    const requests = await askApprovers(context, client, finished.run, template.title, userId);
    // Whichever replica an approver reaches updates these same messages.
    if (reporter.place) await recordReportPlace(context.db, finished.run.id, { ...reporter.place, requests });
    if (requests.length === 0) {
      const text = `Nobody could be asked to approve it: \`${finished.run.approval.approvers}\` has no \`slack.com/channel\` the app can post in, and none of the members it lists were found in Slack. Ask your platform team; \`/create-service cancel ${finished.run.id}\` withdraws it.`;
      await client.chat.postMessage({ channel: userId, text, blocks: [section(text)] });
    }
  } catch (error) {
    if (error instanceof RunRefusedError) return void (await reporter.report({ text: error.message, blocks: [section(error.message)] }));
    await context.apologise((message) => reporter.report(message), error);
  } finally {
    // However it went, the form is done with, secrets and all (a run waiting for approval keeps its own copy).
    await deleteDraft(context.db, draftId).catch((error: unknown) => log.warn({ err: error }, 'removing a template form failed; it goes within a day'));
  }
}

/**
 * An approver's Approve or Reject: recorded if they may decide (a member of the approving group,
 * not the requester) and nobody decided first; the request then shows the decision, the requester
 * is told, and an approved run starts here.
 */
async function decide(context: SurfaceContext, body: BlockAction, runId: string, approved: boolean, respond: RespondFn, client: App['client']): Promise<void> {
  const refuse = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text, blocks: [section(text)] });
  const by = await context.userRefOf(body.user.id);
  if (!by) return void (await refuse(NOT_IN_CATALOG));
  const state = (body.state?.values ?? {}) as Record<string, Record<string, { value?: string | null }>>;
  const reason = state[APPROVAL_REASON.block]?.[APPROVAL_REASON.action]?.value?.trim() || undefined;
  if (!approved && !reason) return void (await refuse('Say why in the reason box, then press Reject: the requester is told.'));
  const { outcome, run } = await context.scaffolder.decide(runId, { approved, by, ...(reason ? { reason } : {}) });
  if (outcome === 'not-an-approver') return void (await refuse(`Only members of \`${run!.approval!.approvers}\` can decide on this run.`));
  if (outcome === 'own-run') return void (await refuse(`This is your own run: another member of \`${run!.approval!.approvers}\` decides on it.`));
  if (outcome === 'not-awaiting' || !run) return void (await refuse(run ? `This run is not waiting for approval any more: it is ${run.status}.` : 'There is no such run.'));
  const template = await templateByRef(context.scaffolder, run.templateRef);
  const title = template?.title ?? run.templateRef;
  const requester = await requesterUserId(context, run);
  const reporter = runReporter(client, requester, context.log, run.report ?? undefined);
  // Started before anything is shown: what follows talks to Slack, and may fail.
  const resumed = approved ? context.scaffolder.resume(runId, { notifier: context.notifier, ...progress(reporter, title) }) : undefined;
  try {
    await showDecision(context, client, run, approvalDecidedMessage(approvalRequest(run, title, requester), approved, body.user.id, reason), respond);
    if (!approved) await reporter.report(runReport(run, title));
  } finally {
    const finished = await resumed;
    if (finished) await reporter.report(runReport(finished.run, title));
  }
}

/** Starts the runs approved on a replica that stopped before starting them, reporting where their requesters follow them. */
async function resumeApproved(context: SurfaceContext, client: App['client']): Promise<void> {
  const resume = async (run: RecordedRun) => {
    const title = (await templateByRef(context.scaffolder, run.templateRef))?.title ?? run.templateRef;
    const reporter = runReporter(client, await requesterUserId(context, run), context.log, run.report ?? undefined);
    const finished = await context.scaffolder.resume(run.id, { notifier: context.notifier, ...progress(reporter, title) });
    if (finished) await reporter.report(runReport(finished.run, title));
  };
  const runs = await context.scaffolder.approvedWaiting();
  await Promise.all(runs.map((run) => resume(run).catch((error: unknown) => context.log.error({ err: error, runId: run.id }, 'starting an approved run failed'))));
}

export const createServiceSurface: Surface = {
  manifest: {
    shortcuts: [{ name: 'Create a service', type: 'global', callback_id: SHORTCUTS.createService, description: 'Create a repository from a software template' }],
  },
  start: resumeApproved,
  register: (app, context) => {
    const { scaffolder, db, catalog, log } = context;

    app.shortcut<GlobalShortcut>({ type: 'shortcut', callback_id: SHORTCUTS.createService }, async ({ shortcut, ack, client }) => {
      await ack();
      try {
        const userRef = await context.userRefOf(shortcut.user.id);
        const { templates } = userRef ? await scaffolder.templates(userRef) : { templates: [] };
        if (!userRef) await client.views.open({ trigger_id: shortcut.trigger_id, view: noticeModal(NOT_IN_CATALOG) });
        else if (templates.length === 0) await client.views.open({ trigger_id: shortcut.trigger_id, view: noticeModal('There is no template you may run.') });
        else await slackTemplateForms(client, db, shortcut.trigger_id, shortcut.user.id).open(templates, undefined, userRef);
      } catch (error) {
        // A trigger lives three seconds; there is nowhere to apologise once it has gone.
        log.error({ err: error }, 'opening the template picker failed');
      }
    });

    /** A modal's submission: what to acknowledge with, then what to do after. A failure is an apology in the modal. */
    const onSubmit = (callbackId: string, handle: (userId: string, view: ViewOutput) => Promise<Submitted>) =>
      app.view<ViewSubmitAction>(callbackId, async ({ body, view, ack, client }) => {
        let submitted: Submitted;
        try {
          submitted = await handle(body.user.id, view);
        } catch (error) {
          await context.apologise((message) => ack({ response_action: 'update', view: noticeModal(message.text) }), error);
          return;
        }
        await ack(submitted.response);
        await submitted.after?.(client);
      });

    onSubmit(VIEWS.pickTemplate, async (userId, view): Promise<Submitted> => {
      const ref = view.state.values[TEMPLATE_CHOICE.block]?.[TEMPLATE_CHOICE.action]?.selected_option?.value;
      const template = ref ? await templateByRef(scaffolder, ref) : undefined;
      if (!template) return { response: { response_action: 'errors', errors: { [TEMPLATE_CHOICE.block]: 'Pick one of the templates.' } } };
      const draft = await createDraft(db, userId, template.ref);
      return { response: { response_action: 'update', view: pageModal(template, draft.id, firstPage(template), {}) } };
    });

    onSubmit(VIEWS.createService, async (userId, view): Promise<Submitted> => {
      const state = pageState(view);
      const draft = state && (await readDraft(db, state.draft, userId));
      const template = draft && (await templateByRef(scaffolder, draft.templateRef));
      if (!state || !draft || !template) return { response: { response_action: 'update', view: draft && !template ? noticeModal('This template is no longer offered.') : formGoneModal() } };
      const onPage = isFormPage(template, state.page);
      const values = onPage ? mergePage(template, state.page, draft.values, pageValues(template, state.page, view.state.values)) : draft.values;
      const errors = onPage ? pageErrors(template, state.page, values) : {};
      if (Object.keys(errors).length > 0) {
        const shown = blockErrors(view, template, state.page, errors);
        if (shown) return { response: { response_action: 'errors', errors: shown } };
        const problems = Object.values(errors).join('; ');
        return { response: { response_action: 'update', view: noticeModal(`This form cannot be filled in here (${problems}). Tell the template's owner, ${template.owner ?? 'its team'}.`) } };
      }
      const next = onPage ? nextPage(template, state.page, values) : undefined;
      // A page that said Next when its answers turned the pages after it off: Create is asked for, not assumed.
      const confirm = onPage && next === undefined && !saysCreate(template, state.page, draft.values) ? confirmPage(template) : undefined;
      if (next !== undefined || confirm !== undefined) {
        await saveDraftValues(db, draft.id, values);
        return { response: { response_action: 'update', view: pageModal(template, draft.id, (next ?? confirm)!, values) } };
      }
      return { response: { response_action: 'update', view: runStartedModal(template) }, after: (client) => startRun(context, client, template, draft.id, userId, values) };
    });

    app.action<BlockAction>(ACTIONS.formBack, async ({ body, ack, client }) => {
      await ack();
      const view = body.view;
      const state = view && pageState(view);
      try {
        const draft = state && (await readDraft(db, state.draft, body.user.id));
        const template = draft && (await templateByRef(scaffolder, draft.templateRef));
        if (!view || !state || !draft || !template) return;
        // What this page holds is kept, checked or not, for when the person comes back to it.
        const values = isFormPage(template, state.page) ? mergePage(template, state.page, draft.values, pageValues(template, state.page, view.state?.values ?? {})) : draft.values;
        await saveDraftValues(db, draft.id, values);
        const previous = previousPage(template, state.page, values);
        if (previous !== undefined) await client.views.update({ view_id: view.id, hash: view.hash, view: pageModal(template, draft.id, previous, values) });
      } catch (error) {
        log.error({ err: error }, 'going back a page of a template form failed');
      }
    });

    app.action<BlockAction>(ACTIONS.cancelRun, async ({ body, action, ack, respond }) => {
      await ack();
      try {
        const runId = 'value' in action ? String(action.value) : '';
        const userRef = await context.userRefOf(body.user.id);
        const cancelled = userRef ? await scaffolder.cancel(runId, userRef) : false;
        const text = cancelled ? `Run \`${runId}\` is cancelled: it stops before its next step.` : `Run \`${runId}\` is not waiting or running any more, or is not yours.`;
        await respond({ response_type: 'ephemeral', replace_original: false, text, blocks: [section(text)] });
      } catch (error) {
        await context.apologise((message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }), error);
      }
    });

    for (const [actionId, approved] of [[ACTIONS.approveRun, true], [ACTIONS.rejectRun, false]] as const) {
      app.action<BlockAction>(actionId, async ({ body, action, ack, respond, client }) => {
        await ack();
        try {
          await decide(context, body, 'value' in action ? String(action.value) : '', approved, respond, client);
        } catch (error) {
          await context.apologise((message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }), error);
        }
      });
    }

    app.options<'block_suggestion'>({ type: 'block_suggestion', action_id: FIELD_ACTION }, async ({ body, ack }) => {
      const suggestion = body as BlockSuggestion;
      const state = suggestion.view ? pageState(suggestion.view) : undefined;
      const template = state && (await templateByRef(scaffolder, state.template));
      const name = suggestion.block_id.replace(/^field:/, '');
      const field = template?.pages[state!.page] && formFields(template.pages[state!.page]!).find((candidate) => candidate.name === name);
      if (!field || field.kind !== 'entity') {
        await ack({ options: [] });
        return;
      }
      const options = entitySuggestions(catalog.view, field, suggestion.value, MAX_SUGGESTIONS).map((entity) => ({ text: { type: 'plain_text' as const, text: truncateText(entity.label, 75) }, value: entity.ref.slice(0, 150) }));
      await ack({ options });
    });
  },
};

/**
 * Page errors by field name as Slack wants them: by input block of the submitted modal (a
 * repository's under its name input). Slack refuses errors naming a block the modal lacks, so a
 * field the modal could not show (past its 100 blocks) has its error on the first input; with no
 * input at all, undefined.
 */
function blockErrors(view: ViewOutput, template: TemplateDefinition, page: number, errors: Record<string, string>): Record<string, string> | undefined {
  const fields = formFields(template.pages[page]!);
  const inputs = new Set(view.blocks.filter((block) => block.type === 'input').map((block) => block.block_id ?? ''));
  const first = [...inputs][0];
  if (first === undefined) return undefined;
  const shown: Record<string, string> = {};
  for (const [name, message] of Object.entries(errors)) {
    const field = fields.find((candidate) => candidate.name === name);
    const block = fieldBlock(name, field?.kind === 'repository' ? 'repo' : undefined);
    const on = inputs.has(block) ? block : first;
    const text = on === block ? message : `${field?.title ?? name}: ${message}`;
    shown[on] = truncateText(shown[on] ? `${shown[on]}; ${text}` : text, 2000);
  }
  return shown;
}

/** How a modal's submission is answered: the acknowledgement, and the work that follows it. */
interface Submitted {
  response: ViewResponseAction;
  after?: (client: App['client']) => Promise<void>;
}
