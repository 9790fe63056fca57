import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { Entity } from '../catalog/model/entity.js';
import type { Db } from '../db/client.js';
import type { GitHubClient, GitHubPublisher } from '../github/github-client.js';
import type { ScaffolderAction } from './actions/action.js';
import { builtInActions } from './actions/built-in.js';
import type { RunNotifier } from './actions/notification-send.js';
import { ActionRegistry } from './actions/registry.js';
import { workspaceFiles } from './actions/workspace-files.js';
import { approvedWaiting, decideApproval, findRun, recordRun, requestCancel, runsOf, takePendingValues, updateRun, type RecordedRun } from './run-store.js';
import { checkedValues, maskedValues, redacted, redactedValue, runTemplate, type StepReport } from './run-template.js';
import type { TemplateDefinition } from './template-definition.js';
import { errorMessage } from '../errors.js';
import { approversOf, assertMayRun, mayRun, RunRefusedError, runningUser, type ApprovalRule } from './template-access.js';
import { declaredMembersOf } from '../catalog/answers/declared-members.js';
import { availableTemplates, loadTemplateFolder, type TemplateFolder } from './template-library.js';

export interface StartRunRequest {
  template: TemplateDefinition;
  values: Record<string, unknown>;
  user?: { ref: string; entity?: Entity };
  dryRun?: boolean;
  /** What a repeated request repeats (a Slack view id): the second one gets the first one's run. */
  requestKey?: string;
  /** Where the run's notification:send steps deliver (the surface that started it). */
  notifier?: RunNotifier;
  /** Told the recorded steps (redacted) as each step starts and ends. */
  onProgress?: (runId: string, steps: readonly StepReport[]) => void;
}

export interface FinishedRun {
  run: RecordedRun;
  /** The request was a repeat: this is the run the first one made, and nothing ran again. */
  existing: boolean;
  /** The workspace's files when the run ended (relative paths). */
  files: string[];
}

/** The scaffolder's use cases, for the CLI and the Slack app alike. */
export interface ScaffolderService {
  /** The templates on offer; given a person, only those they may run. */
  templates(userRef?: string): Promise<TemplateFolder>;
  /**
   * Records the run before its first step, runs it in a workspace of its own, and records each
   * step. A person the template does not allow is refused (RunRefusedError) before anything. A
   * template that needs approval is recorded waiting for it (`run.approval`), and nothing runs
   * until `decide` approves and `resume` runs it.
   */
  run(request: StartRunRequest): Promise<FinishedRun>;
  findRun(id: string): Promise<RecordedRun | undefined>;
  /**
   * Cancels a run of this person's that is still open or processing, on whichever replica runs it:
   * it stops before its next step (at once when it runs here). False when there is no such run.
   */
  cancel(id: string, userRef: string): Promise<boolean>;
  runsOf(userRef: string, limit?: number): Promise<RecordedRun[]>;
  /** Runs approved but never started (their replica stopped first), for `resume`. */
  approvedWaiting(): Promise<RecordedRun[]>;
  /**
   * An approver's decision on a run waiting for one. Only a member of the approving group may
   * decide, never on their own run; the first decision, on any replica, is the one that counts.
   */
  decide(id: string, decision: { approved: boolean; by: string; reason?: string }): Promise<ApprovalOutcome>;
  /**
   * Runs an approved run, on the replica that calls this first (undefined on any other, and for a
   * run that is not approved and waiting).
   */
  resume(id: string, options?: Pick<StartRunRequest, 'notifier' | 'onProgress'>): Promise<FinishedRun | undefined>;
}

export interface ScaffolderServiceDeps {
  db: Db;
  catalog: CatalogService;
  /** Where publish:local creates repositories. */
  localRepositories: string;
  /** GitHub per host, for publish:github. */
  github?: (host: string) => GitHubPublisher | undefined;
  /** Hosts whose publish:github steps publish locally instead. */
  publishesLocally?: (host: string) => boolean;
  /** GitHub per host for reading the skeletons of templates read from GitHub. */
  readers?: (host: string) => GitHubClient | undefined;
  /** Overrides the built-in templates folder (tests). */
  templatesFolder?: string;
  /** Actions beside the built-in ones. */
  extraActions?: ScaffolderAction[];
  /** Every action templates may call, built-ins included (the plugins' registry); instead of the built-ins and `extraActions`. */
  actions?: ScaffolderAction[];
  /** Templates that need approval beyond those whose annotation says so (callboard.scaffolder.approvals). */
  approvalRules?: ApprovalRule[];
}

/** An approver's decision, and what came of it. */
export interface ApprovalOutcome {
  /** `not-awaiting`: decided already (on any replica), cancelled, or never needing approval. */
  outcome: 'approved' | 'rejected' | 'not-awaiting' | 'not-an-approver' | 'own-run';
  run?: RecordedRun;
}

/** How long a reading of the templates folder is reused. */
const TEMPLATE_FOLDER_REUSE_MS = 5_000;

export function createScaffolderService({ db, catalog, localRepositories, github, publishesLocally, readers, templatesFolder, extraActions = [], actions: registered, approvalRules = [] }: ScaffolderServiceDeps): ScaffolderService {
  const actions = new ActionRegistry(registered ?? [...builtInActions({ catalog, localRepositories, github, publishesLocally, readers }), ...extraActions]);
  // The runs under way in this process, to stop them at once when cancelled here.
  const running = new Map<string, AbortController>();
  /** Runs a recorded run in a workspace of its own, recording each step and how it ended. */
  const execute = async (id: string, request: StartRunRequest): Promise<FinishedRun> => {
    const { template, values } = request;
    // Secrets never reach the record: every log line is redacted before it is written.
    const clean = (reports: readonly StepReport[]) => reports.map((report) => ({ ...report, log: report.log.map((line) => redacted(template, values, line)) }));
    const workspace = await mkdtemp(path.join(tmpdir(), 'callboard-run-'));
    const controller = new AbortController();
    running.set(id, controller);
    // A cancellation recorded by another replica is seen as each step starts and ends.
    const onStep = async (reports: readonly StepReport[]) => {
      if ((await findRun(db, id))?.status === 'cancelled') controller.abort();
      else {
        const recorded = clean(reports);
        await updateRun(db, id, { status: 'processing', steps: recorded });
        request.onProgress?.(id, recorded);
      }
    };
    try {
      let result;
      try {
        result = await runTemplate({ template, values, user: request.user, dryRun: request.dryRun, workspace, signal: controller.signal, notifier: request.notifier, onStep }, actions);
      } catch (error) {
        // Outside any step (the database, a schema that does not compile): the run is still over, and failed.
        await updateRun(db, id, { status: 'failed', steps: openSteps(template), error: redacted(template, values, errorMessage(error)) });
        throw error;
      }
      const finished = { status: result.status, steps: clean(result.steps), output: redactedValue(template, values, result.output), ...(result.error ? { error: redacted(template, values, result.error) } : {}) };
      await updateRun(db, id, finished);
      return { run: (await findRun(db, id))!, existing: false, files: workspaceFiles(workspace) };
    } finally {
      running.delete(id);
      await rm(workspace, { recursive: true, force: true });
    }
  };

  // Forms ask for the templates on every page and every keystroke of a picker: the folder on disk
  // is read again only once its last reading is a few seconds old.
  let folderReading: { folder: string; at: number; read: Promise<TemplateFolder> } | undefined;
  const readFolder = (folder: string) => {
    if (!folderReading || folderReading.folder !== folder || Date.now() - folderReading.at > TEMPLATE_FOLDER_REUSE_MS) folderReading = { folder, at: Date.now(), read: loadTemplateFolder(folder) };
    return folderReading.read;
  };
  const offeredTemplates = () => availableTemplates(catalog.view, templatesFolder, readFolder);
  // An approved run checks the template as it is now: it may have changed a moment ago.
  const currentTemplates = () => availableTemplates(catalog.view, templatesFolder);

  return {
    async templates(userRef) {
      const offered = await offeredTemplates();
      return userRef ? { ...offered, templates: offered.templates.filter((template) => mayRun(template, userRef, catalog.view)) } : offered;
    },
    async run(request) {
      const { template, values } = request;
      assertMayRun(template, request.user?.ref, catalog.view);
      const checked = checkedValues(template, values);
      // Values that fail their pages fail the run at once: approvers are not asked about them.
      const approvers = !request.dryRun && checked.problems.length === 0 ? approversOf(template, approvalRules) : undefined;
      // Once approved, the run is started from the templates on offer: one read from elsewhere would not be found then.
      if (approvers && !(await offeredTemplates()).templates.some((offered) => offered.ref === template.ref)) {
        throw new RunRefusedError(`${template.title} needs approval by ${approvers}, so it must be on offer (in the catalog or in templates/) to run once approved`);
      }
      const recordedRun = await recordRun(db, {
        id: randomUUID(),
        templateRef: template.ref,
        requestedBy: request.user?.ref,
        requestKey: request.requestKey,
        // As the run will see them: with the defaults of the pages shown.
        values: maskedValues(template, checked.values),
        steps: openSteps(template),
        ...(approvers ? { approval: { approvers, template: templateDigest(template), pendingValues: values } } : {}),
      });
      if (recordedRun.existing) return { run: recordedRun.run, existing: true, files: [] };
      if (approvers) return { run: recordedRun.run, existing: false, files: [] };
      return execute(recordedRun.run.id, request);
    },
    async decide(id, decision) {
      const run = await findRun(db, id);
      if (!run?.approval || run.status !== 'open' || run.approval.state === 'rejected') return { outcome: 'not-awaiting' as const, ...(run ? { run } : {}) };
      if (!declaredMembersOf(catalog.view, run.approval.approvers).has(decision.by)) return { outcome: 'not-an-approver' as const, run };
      if (decision.by === run.requestedBy) return { outcome: 'own-run' as const, run };
      // Approved, and not started: whoever approved stopped before starting it. Approving again starts it.
      if (run.approval.state === 'approved') return decision.approved ? { outcome: 'approved' as const, run } : { outcome: 'not-awaiting' as const, run };
      const decided = await decideApproval(db, id, { approved: decision.approved, decidedBy: decision.by, ...(decision.reason ? { reason: decision.reason } : {}) });
      if (!decided) return { outcome: 'not-awaiting' as const, run: (await findRun(db, id)) ?? run };
      return { outcome: decision.approved ? ('approved' as const) : ('rejected' as const), run: decided };
    },
    async resume(id, options = {}) {
      const run = await findRun(db, id);
      const values = run && (await takePendingValues(db, id));
      if (!run || !values) return undefined;
      const template = (await currentTemplates()).templates.find((candidate) => candidate.ref === run.templateRef);
      const userRef = run.requestedBy ?? undefined;
      const refusal = !template
        ? `the template ${run.templateRef} is no longer offered`
        : templateDigest(template) !== run.approval?.template
          ? `${template.title} changed after it was asked about, so this approval does not cover it; run it again`
          : accessProblem(template, userRef, catalog.view);
      if (refusal || !template) {
        await updateRun(db, id, { status: 'failed', steps: run.steps, error: refusal ?? 'the template is not on offer' });
        return { run: (await findRun(db, id))!, existing: false, files: [] };
      }
      const user = runningUser(catalog.view, userRef);
      return execute(id, { ...options, template, values, ...(user ? { user } : {}) });
    },
    findRun: (id) => findRun(db, id),
    async cancel(id, userRef) {
      const cancelled = await requestCancel(db, id, userRef);
      if (cancelled) running.get(id)?.abort();
      return cancelled;
    },
    runsOf: (userRef, limit) => runsOf(db, userRef, limit),
    approvedWaiting: () => approvedWaiting(db),
  };
}

function openSteps(template: TemplateDefinition): StepReport[] {
  return template.steps.map((step) => ({ id: step.id, name: step.name, action: step.action, status: 'open', log: [] }));
}

/** What an approval is about: the template's steps, form and annotations as they were when it was asked for. */
function templateDigest(template: TemplateDefinition): string {
  return createHash('sha256')
    .update(JSON.stringify({ ref: template.ref, spec: template.entity.spec, annotations: template.entity.metadata.annotations ?? {} }))
    .digest('hex');
}

/** Why the person may no longer run the template (they left its allowed groups while it waited), if so. */
function accessProblem(template: TemplateDefinition, userRef: string | undefined, view: CatalogService['view']): string | undefined {
  try {
    assertMayRun(template, userRef, view);
    return undefined;
  } catch (error) {
    if (error instanceof RunRefusedError) return error.message;
    throw error;
  }
}
