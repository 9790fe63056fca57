import type { App, BlockAction, BlockSuggestion, GlobalShortcut, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { createDraft, deleteDraft, readDraft, saveDraftValues } from '../../scaffolder/draft-store.js';
import { entitySuggestions } from '../../scaffolder/entity-suggestions.js';
import { formFields } from '../../scaffolder/form-fields.js';
import { mergePage, nextPage, pageErrors, previousPage, shownPages } from '../../scaffolder/form-session.js';
import type { ScaffolderService } from '../../scaffolder/scaffolder-service.js';
import { RunRefusedError } from '../../scaffolder/template-access.js';
import type { TemplateDefinition } from '../../scaffolder/template-definition.js';
import { ACTIONS, SHORTCUTS, TEMPLATE_CHOICE, VIEWS } from '../blocks/action-ids.js';
import { section } from '../blocks/block-parts.js';
import { truncateText, type SlackMessage } from '../blocks/limits.js';
import { FIELD_ACTION, fieldBlock, pageValues, templatePageModal } from '../blocks/template-form.js';
import { formGoneModal, runReport, runStartedModal, templatePickerModal } from '../blocks/template-runs.js';
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

/**
 * A page of the form. Its submit says Create only when no later page can follow: one shown by the
 * answers so far, or one whose `when` this page's answers might still turn on.
 */
function pageModal(template: TemplateDefinition, draft: string, page: number, values: Record<string, unknown>): ModalView {
  const shown = shownPages(template, values);
  const last = !template.pages.some((candidate, index) => index > page && (candidate.when !== undefined || shown.includes(index)));
  const back = shown.some((index) => index < page);
  return templatePageModal(template, page, values, JSON.stringify({ draft, template: template.ref, page } satisfies PageState), { last, back });
}

/** The form's first page (-1 for a template without pages, which only asks to confirm). */
function firstPage(template: TemplateDefinition): number {
  return nextPage(template, -1, {}) ?? -1;
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
 * report is posted, later ones update it. Reports that come faster than Slack takes them are
 * coalesced; the last one is always sent.
 */
function runReporter(client: App['client'], userId: string, log: Logger) {
  let posted: { channel: string; ts: string } | undefined;
  let pending: SlackMessage | undefined;
  let sending: Promise<void> | undefined;
  const deliver = async (message: SlackMessage) => {
    try {
      if (posted) await client.chat.update({ channel: posted.channel, ts: posted.ts, ...message });
      else {
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
  };
}

/** Runs the filled-in form after its acknowledgement, reporting in the requester's direct messages. */
async function startRun(context: SurfaceContext, client: App['client'], template: TemplateDefinition, draftId: string, userId: string, values: Record<string, unknown>): Promise<void> {
  const { scaffolder, log } = context;
  const reporter = runReporter(client, userId, log);
  try {
    const userRef = await context.userRefOf(userId);
    if (!userRef) return void (await reporter.report({ text: NOT_IN_CATALOG, blocks: [section(NOT_IN_CATALOG)] }));
    const user = { ref: userRef, ...(context.catalog.view.get(userRef) ? { entity: context.catalog.view.get(userRef)! } : {}) };
    const finished = await scaffolder.run({
      template,
      values,
      user,
      requestKey: draftId,
      notifier: context.notifier,
      onProgress: (id, steps) => void reporter.report(runReport({ id, status: 'processing', steps: [...steps], output: null, error: null }, template.title)),
    });
    // A repeated submission (another replica took the first): that one reports.
    if (finished.existing) return;
    await reporter.report(runReport(finished.run, template.title));
    await deleteDraft(context.db, draftId);
  } catch (error) {
    if (error instanceof RunRefusedError) return void (await reporter.report({ text: error.message, blocks: [section(error.message)] }));
    await context.apologise((message) => reporter.report(message), error);
  }
}

export const createServiceSurface: Surface = {
  manifest: {
    shortcuts: [{ name: 'Create a service', type: 'global', callback_id: SHORTCUTS.createService, description: 'Create a repository from a software template' }],
  },
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

    app.view<ViewSubmitAction>(VIEWS.pickTemplate, async ({ body, view, ack }) => {
      const ref = view.state.values[TEMPLATE_CHOICE.block]?.[TEMPLATE_CHOICE.action]?.selected_option?.value;
      const template = ref ? await templateByRef(scaffolder, ref) : undefined;
      if (!template) {
        await ack({ response_action: 'errors', errors: { [TEMPLATE_CHOICE.block]: 'Pick one of the templates.' } });
        return;
      }
      const draft = await createDraft(db, body.user.id, template.ref);
      await ack({ response_action: 'update', view: pageModal(template, draft.id, firstPage(template), {}) });
    });

    app.view<ViewSubmitAction>(VIEWS.createService, async ({ body, view, ack, client }) => {
      const state = pageState(view);
      const draft = state && (await readDraft(db, state.draft, body.user.id));
      const template = draft && (await templateByRef(scaffolder, draft.templateRef));
      if (!state || !draft || !template) {
        await ack({ response_action: 'update', view: draft && !template ? noticeModal('This template is no longer offered.') : formGoneModal() });
        return;
      }
      const values = state.page >= 0 ? mergePage(template, state.page, draft.values, pageValues(template, state.page, view.state.values)) : draft.values;
      const errors = state.page >= 0 ? pageErrors(template, state.page, values) : {};
      if (Object.keys(errors).length > 0) {
        await ack({ response_action: 'errors', errors: blockErrors(template, state.page, errors) });
        return;
      }
      const next = nextPage(template, state.page, values);
      if (next !== undefined) {
        await saveDraftValues(db, draft.id, values);
        await ack({ response_action: 'update', view: pageModal(template, draft.id, next, values) });
        return;
      }
      await ack({ response_action: 'update', view: runStartedModal(template) });
      await startRun(context, client, template, draft.id, body.user.id, values);
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
        const values = mergePage(template, state.page, draft.values, pageValues(template, state.page, view.state?.values ?? {}));
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

/** Page errors by field name as Slack wants them: by input block (a repository's under its name input). */
function blockErrors(template: TemplateDefinition, page: number, errors: Record<string, string>): Record<string, string> {
  const fields = formFields(template.pages[page]!);
  return Object.fromEntries(
    Object.entries(errors).map(([name, message]) => {
      const field = fields.find((candidate) => candidate.name === name);
      return [fieldBlock(name, field?.kind === 'repository' ? 'repo' : undefined), truncateText(message, 2000)];
    }),
  );
}
