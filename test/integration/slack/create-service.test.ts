import { existsSync } from 'node:fs';
import path from 'node:path';
import type { InputBlock, KnownBlock, ModalView } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRun } from '../../../src/scaffolder/run-store.js';
import { ACTIONS, APPROVAL_REASON, SHORTCUTS, TEMPLATE_CHOICE, VIEWS } from '../../../src/slack/blocks/action-ids.js';
import { fieldBlock, FIELD_ACTION } from '../../../src/slack/blocks/template-form.js';
import { slackSignature } from '../../support/fake-slack.js';
import { SIGNING_SECRET, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: payments-team, title: Payments team }
spec: { type: team, children: [], members: [alice] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: security-team }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: alice }
spec: { profile: { displayName: Alice Ames, email: alice@acme.test }, memberOf: [] }
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: security-audit
  title: Security audit
  annotations: { callboard.dev/allowed-groups: group:default/security-team }
spec:
  owner: security-team
  type: audit
  steps:
    - { id: log, name: Log, action: debug:log, input: { message: audit } }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform-team
  annotations: { slack.com/channel: C0PLATFORM }
spec: { type: team, children: [], members: [bob] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: bob }
spec: { profile: { displayName: Bob Bell, email: bob@acme.test }, memberOf: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: mallory }
spec: { profile: { displayName: Mallory, email: mallory@acme.test }, memberOf: [platform-team] }
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: release-train
  title: Join the release train
  annotations: { callboard.dev/approvers: platform-team }
spec:
  owner: platform-team
  type: process
  steps:
    - { id: log, name: Note it, action: debug:log, input: { message: "joined by \${{ user.ref }}" } }
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: { name: maybe-more, title: Maybe more }
spec:
  owner: payments-team
  type: process
  parameters:
    - title: First
      properties: { more: { title: More, type: boolean } }
    - title: More
      when: \${{ parameters.more }}
      properties: { detail: { title: Detail, type: string } }
  steps:
    - { id: log, name: Note it, action: debug:log, input: { message: "more: \${{ parameters.more }}" } }
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: { name: announce, title: Announce }
spec:
  owner: payments-team
  type: process
  steps:
    - id: tell-platform
      name: Tell the platform team
      action: notification:send
      input: { recipients: entity, entityRefs: [group:default/platform-team, user:default/nobody], title: "A new service <!channel>", link: "https://example.com/new", severity: high }
    - id: tell-everyone
      name: Tell everyone
      action: notification:send
      input: { recipients: broadcast, title: Something new }
`;

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

interface Interaction {
  status: number;
  body: Record<string, unknown>;
}

type Values = Record<string, Record<string, Record<string, unknown>>>;

/** What Slack sends back for a text input, a select, and the two halves of a repository. */
const text = (value: string) => ({ [FIELD_ACTION]: { type: 'plain_text_input', value } });
const selected = (value: string) => ({ [FIELD_ACTION]: { type: 'external_select', selected_option: { value } } });

const inputIds = (view: ModalView) => view.blocks.filter((block): block is InputBlock => block.type === 'input').map((block) => block.block_id);

describe.each(ENGINES)('/create-service over HTTP on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, {
      catalogYaml: CATALOG,
      broadcastChannel: 'C0NEWS',
      prepare: (slack) => {
        slack.usersByEmail.set('alice@acme.test', ALICE);
        slack.usersByEmail.set('bob@acme.test', BOB);
        slack.usersByEmail.set('mallory@acme.test', 'U0MALLORY');
      },
    });
  });
  afterAll(() => harness?.stop());

  const interact = async (payload: Record<string, unknown>): Promise<Interaction> => {
    const response = await harness.interaction({ user: { id: ALICE }, ...payload });
    const raw = await response.text();
    return { status: response.status, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
  };
  const submit = (view: ModalView, values: Values, viewId = 'V-form', hash = `h-${Math.random()}`) =>
    interact({ type: 'view_submission', view: { id: viewId, hash, callback_id: view.callback_id, private_metadata: view.private_metadata ?? '', blocks: view.blocks, state: { values } } });
  const lastCall = async (method: string) => {
    const count = harness.slack.calls.filter((call) => call.path === `/api/${method}`).length;
    return (await harness.slack.next(`/api/${method}`, Math.max(count, 1))).at(-1)!;
  };
  const openedView = async (before: number) => {
    const calls = await harness.slack.next('/api/views.open', before + 1);
    return JSON.parse(String(calls.at(-1)!.body.view)) as ModalView;
  };
  const opened = () => harness.slack.calls.filter((call) => call.path === '/api/views.open').length;
  const pageOne = (name: string): Values => ({ [fieldBlock('name')]: text(name), [fieldBlock('description')]: text('Keeps the books'), [fieldBlock('owner')]: selected('group:default/payments-team') });
  const pageTwo = (repo: string): Values => ({ [fieldBlock('repoUrl', 'owner')]: text('acme'), [fieldBlock('repoUrl', 'repo')]: text(repo) });

  /** Picks the TypeScript template in the picker /create-service opened, and returns its first page. */
  const startForm = async (): Promise<ModalView> => {
    const before = opened();
    const response = await harness.slashCommand('/create-service', '', { user_id: ALICE });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const picker = await openedView(before);
    const picked = await submit(picker, { [TEMPLATE_CHOICE.block]: { [TEMPLATE_CHOICE.action]: { type: 'static_select', selected_option: { value: 'template:default/typescript-service' } } } }, 'V-picker');
    expect(picked.body.response_action).toBe('update');
    return picked.body.view as ModalView;
  };

  it('goes from the slash command to a new repository that /whoowns answers for, reporting each step in a direct message', async () => {
    const before = opened();
    await harness.slashCommand('/create-service', '', { user_id: ALICE });
    const picker = await openedView(before);
    expect(picker.callback_id).toBe(VIEWS.pickTemplate);
    const choices = (picker.blocks[1] as InputBlock).element as { options: { value: string; description?: { text: string } }[] };
    const offered = choices.options.map((option) => option.value);
    expect(offered).toEqual(expect.arrayContaining(['template:default/typescript-service', 'template:default/go-service', 'template:default/docs-site']));
    // Alice is not in the security team.
    expect(offered).not.toContain('template:default/security-audit');
    expect(choices.options.every((option) => (option.description?.text.length ?? 0) <= 75)).toBe(true);

    const picked = await submit(picker, { [TEMPLATE_CHOICE.block]: { [TEMPLATE_CHOICE.action]: { type: 'static_select', selected_option: { value: 'template:default/typescript-service' } } } }, 'V-picker');
    const first = picked.body.view as ModalView;
    expect(first.callback_id).toBe(VIEWS.createService);
    expect(first.submit?.text).toBe('Next');
    expect(inputIds(first)).toEqual([fieldBlock('name'), fieldBlock('description'), fieldBlock('owner'), fieldBlock('system'), fieldBlock('lifecycle')]);

    // The owner picker is fed from the catalog as Alice types, only with groups.
    const suggested = await interact({ type: 'block_suggestion', block_id: fieldBlock('owner'), action_id: FIELD_ACTION, value: 'pay', view: { id: 'V-form', private_metadata: first.private_metadata } });
    expect((suggested.body.options as { value: string }[]).map((option) => option.value)).toEqual(['group:default/payments-team']);

    // Bad fields come back as errors on their own inputs.
    const refused = await submit(first, { ...pageOne('Ledger Service!'), [fieldBlock('owner')]: { [FIELD_ACTION]: { type: 'external_select', selected_option: null } } }, 'V-form', 'h-first-page');
    expect(refused.body.response_action).toBe('errors');
    expect(Object.keys(refused.body.errors as object).sort()).toEqual([fieldBlock('name'), fieldBlock('owner')]);

    // Errors leave the view (and its hash) as it was: the corrected page is no repeat.
    const second = (await submit(first, pageOne('ledger'), 'V-form', 'h-first-page')).body.view as ModalView;
    expect(second.submit?.text).toBe('Create');
    expect(inputIds(second)).toEqual([fieldBlock('repoUrl', 'owner'), fieldBlock('repoUrl', 'repo'), fieldBlock('visibility')]);
    expect(second.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: ACTIONS.formBack }] });

    // Back keeps what was typed on both pages.
    await interact({ type: 'block_actions', actions: [{ action_id: ACTIONS.formBack, block_id: 'back', value: 'back', type: 'button' }], view: { id: 'V-form', hash: 'h-back', callback_id: second.callback_id, private_metadata: second.private_metadata, state: { values: pageTwo('ledger') } } });
    const update = await harness.slack.next('/api/views.update');
    expect(update.at(-1)!.body.view_id).toBe('V-form');
    const again = JSON.parse(String(update.at(-1)!.body.view)) as ModalView;
    expect((again.blocks.find((block) => (block as InputBlock).block_id === fieldBlock('name')) as InputBlock).element).toMatchObject({ initial_value: 'ledger' });
    const secondAgain = (await submit(again, pageOne('ledger'))).body.view as ModalView;
    expect((secondAgain.blocks.find((block) => (block as InputBlock).block_id === fieldBlock('repoUrl', 'repo')) as InputBlock).element).toMatchObject({ initial_value: 'ledger' });

    const postsBefore = harness.slack.calls.filter((call) => call.path === '/api/chat.postMessage').length;
    const done = await submit(secondAgain, pageTwo('ledger'));
    expect(done.body).toMatchObject({ response_action: 'update', view: { callback_id: VIEWS.runStarted } });

    const report = await harness.slack.next('/api/chat.postMessage', postsBefore + 1);
    expect(report.at(-1)!.body.channel).toBe(ALICE);
    // Updated step by step until it says done, with the repository and the catalog entry.
    const deadline = Date.now() + 20_000;
    let finalText = '';
    while (Date.now() < deadline && !finalText.includes('done')) {
      const updates = harness.slack.calls.filter((call) => call.path === '/api/chat.update');
      finalText = updates.length > 0 ? String(updates.at(-1)!.body.text) : '';
      if (!finalText.includes('done')) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(finalText).toBe('TypeScript HTTP service: done');
    const finalBlocks = JSON.stringify((await lastCall('chat.update')).body.blocks);
    expect(finalBlocks).toContain('Fetch the skeleton');
    expect(finalBlocks).toContain('component:default/ledger');
    expect(existsSync(path.join(harness.repositories, 'acme', 'ledger', '.git'))).toBe(true);

    const answer = await harness.slashCommand('/whoowns', 'ledger', { user_id: ALICE });
    expect(JSON.stringify(await answer.json())).toContain('Payments team');

    // Submitting the finished form again makes nothing.
    const repeated = await submit(secondAgain, pageTwo('ledger'));
    expect(repeated.body).toMatchObject({ response_action: 'update', view: { callback_id: VIEWS.runStarted } });
    expect(JSON.stringify(repeated.body.view)).toContain('submitted already');

    const status = await harness.slashCommand('/create-service', 'status', { user_id: ALICE });
    const listed = JSON.stringify(await status.json());
    expect(listed).toContain('TypeScript HTTP service');
    expect(listed).toContain('done');
  }, 60_000);

  it('asks to confirm when a page that said Next turns the pages after it off', async () => {
    const before = opened();
    await harness.slashCommand('/create-service', 'maybe-more', { user_id: ALICE });
    const first = await openedView(before);
    expect(first.submit?.text).toBe('Next');
    const confirm = (await submit(first, { [fieldBlock('more')]: { [FIELD_ACTION]: { type: 'checkboxes', selected_options: [] } } })).body.view as ModalView;
    expect(confirm.submit?.text).toBe('Create');
    expect(inputIds(confirm)).toEqual([]);
    expect(confirm.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: ACTIONS.formBack }] });
    expect((await submit(confirm, {})).body).toMatchObject({ response_action: 'update', view: { callback_id: VIEWS.runStarted } });
  });

  it("delivers notification:send to the recipients' people in Slack, and broadcasts to the configured channel", async () => {
    const before = opened();
    await harness.slashCommand('/create-service', 'announce', { user_id: ALICE });
    const since = harness.slack.calls.length;
    await submit(await openedView(before), {});
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !harness.slack.calls.slice(since).some((call) => call.path === '/api/chat.postMessage' && call.body.channel === 'C0NEWS')) await new Promise((resolve) => setTimeout(resolve, 50));
    const posted = harness.slack.calls.slice(since).filter((call) => call.path === '/api/chat.postMessage');
    const toBob = posted.find((call) => call.body.channel === BOB);
    expect(toBob).toBeDefined();
    // Template text is data: it cannot notify a whole channel.
    expect(String(toBob!.body.blocks)).toContain('A new service &lt;!channel&gt;');
    expect(posted.some((call) => call.body.channel === 'C0NEWS')).toBe(true);
    const [latest] = await harness.scaffolder.runsOf('user:default/alice', 1);
    // A group's people: those it lists and those who say they are in it (Mallory).
    expect(latest!.steps[0]!.log).toEqual(['notified user:default/bob, user:default/mallory', 'not delivered to user:default/nobody (nobody in the catalog by that ref)']);
  });

  it('lets only the requester cancel a run, from its Cancel button', async () => {
    const { run } = await recordRun(harness.database.db, { id: `run-${engine}-cancel`, templateRef: 'template:default/typescript-service', requestedBy: 'user:default/alice', values: {}, steps: [] });
    const stranger = await harness.interaction({ user: { id: 'U0STRANGER' }, type: 'block_actions', response_url: harness.responseUrl(`stranger-${engine}`), actions: [{ action_id: ACTIONS.cancelRun, block_id: 'b', value: run.id, type: 'button' }] });
    expect(stranger.status).toBe(200);
    expect(String((await harness.responses(`stranger-${engine}`))[0]!.body.text)).toContain('not yours');
    expect((await harness.scaffolder.findRun(run.id))?.status).toBe('open');
    await harness.interaction({ user: { id: ALICE }, type: 'block_actions', response_url: harness.responseUrl(`owner-${engine}`), actions: [{ action_id: ACTIONS.cancelRun, block_id: 'b', value: run.id, type: 'button' }] });
    expect(String((await harness.responses(`owner-${engine}`))[0]!.body.text)).toContain('is cancelled');
    expect((await harness.scaffolder.findRun(run.id))?.status).toBe('cancelled');
  });

  it('tells someone the catalog does not know how to be found, and opens the picker from the global shortcut', async () => {
    const unknown = await harness.slashCommand('/create-service', '', { user_id: 'U0NOBODY' });
    expect(JSON.stringify(await unknown.json())).toContain('could not find you in the catalog');
    const before = opened();
    expect((await interact({ type: 'shortcut', callback_id: SHORTCUTS.createService })).status).toBe(200);
    expect((await openedView(before)).callback_id).toBe(VIEWS.pickTemplate);
    const named = await harness.slashCommand('/create-service', 'security-audit', { user_id: ALICE });
    expect(JSON.stringify(await named.json())).toContain('No template you may run');
  });

  it('makes one run and one repository when the last page reaches two replicas at once', async () => {
    const second = await harness.replica();
    try {
      const first = await startForm();
      const last = (await submit(first, pageOne('twice'))).body.view as ModalView;
      const postsBefore = harness.slack.calls.filter((call) => call.path === '/api/chat.postMessage').length;
      const body = new URLSearchParams({
        payload: JSON.stringify({ type: 'view_submission', team: { id: 'T0001' }, user: { id: ALICE }, view: { id: 'V-twice', hash: 'h-twice', callback_id: last.callback_id, private_metadata: last.private_metadata, blocks: last.blocks, state: { values: pageTwo('twice') } } }),
      }).toString();
      const send = (port: number) => fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SIGNING_SECRET, body) }, body });
      const [one, two] = await Promise.all([send(Number(new URL(harness.appUrl).port)), send(second.port)]);
      expect([one.status, two.status]).toEqual([200, 200]);
      // And once more with another hash: a second click that Slack did not take for a retry.
      const other = body.replace('h-twice', 'h-twice-2');
      await fetch(`http://127.0.0.1:${second.port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SIGNING_SECRET, other) }, body: other });
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !existsSync(path.join(harness.repositories, 'acme', 'twice', '.git'))) await new Promise((resolve) => setTimeout(resolve, 50));
      await harness.catalog.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const runs = (await harness.scaffolder.runsOf('user:default/alice', 50)).filter((run) => run.values.repoUrl === 'github.com?owner=acme&repo=twice');
      expect(runs).toHaveLength(1);
      expect(harness.slack.calls.filter((call) => call.path === '/api/chat.postMessage').length - postsBefore).toBe(1);
    } finally {
      await second.stop();
    }
  }, 60_000);

  describe('a template that needs approval', () => {
    const press = (user: string, action: string, runId: string, name: string, reason?: string, port?: number) => {
      const payload = {
        type: 'block_actions',
        team: { id: 'T0001' },
        user: { id: user },
        response_url: harness.responseUrl(name),
        container: { type: 'message', channel_id: 'C0PLATFORM', message_ts: '1.1' },
        state: { values: { [APPROVAL_REASON.block]: { [APPROVAL_REASON.action]: { type: 'plain_text_input', value: reason ?? null } } } },
        actions: [{ action_id: action, block_id: 'decide', value: runId, type: 'button' }],
      };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      return fetch(`http://127.0.0.1:${port ?? new URL(harness.appUrl).port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SIGNING_SECRET, body) }, body });
    };
    const textOf = async (name: string) => String((await harness.responses(name))[0]!.body.text);
    /** The first call to `method` after `since` calls that `matches`, within 10 s. */
    const callWhere = async (method: string, since: number, matches: (body: Record<string, unknown>) => boolean) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = harness.slack.calls.slice(since).find((call) => call.path === `/api/${method}` && matches(call.body));
        if (found) return found.body;
        if (Date.now() > deadline) throw new Error(`no matching ${method} within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    /** Alice asks for the release train; returns the run id from the request the platform channel got. */
    const request = async (): Promise<string> => {
      const before = opened();
      const postsBefore = harness.slack.calls.filter((call) => call.path === '/api/chat.postMessage').length;
      await harness.slashCommand('/create-service', 'release-train', { user_id: ALICE });
      const confirm = await openedView(before);
      expect(inputIds(confirm)).toEqual([]);
      expect(confirm.submit?.text).toBe('Create');
      await submit(confirm, {});
      const posts = await harness.slack.next('/api/chat.postMessage', postsBefore + 2);
      const [dm, ask] = posts.slice(postsBefore);
      expect(dm!.body.channel).toBe(ALICE);
      expect(dm!.body.text).toBe('Join the release train: waiting to start');
      expect(JSON.stringify(dm!.body.blocks)).toContain('waiting for approval');
      expect(ask!.body.channel).toBe('C0PLATFORM');
      expect(JSON.stringify(ask!.body.blocks)).toContain(`<@${ALICE}> asks to run *Join the release train*`);
      return JSON.parse(String(ask!.body.blocks)).find((block: KnownBlock) => block.type === 'actions').elements[0].value as string;
    };

    it('waits, refuses anyone outside the approving group, survives a restart, and runs once a member approves', async () => {
      const runId = await request();
      expect(await harness.scaffolder.findRun(runId)).toMatchObject({ status: 'open', approval: { state: 'pending', approvers: 'group:default/platform-team' } });

      // Mallory's own entity says she is in the platform team; the team's does not.
      await press('U0MALLORY', ACTIONS.approveRun, runId, `mallory-${engine}`);
      expect(await textOf(`mallory-${engine}`)).toContain('Only members of `group:default/platform-team`');
      await press(BOB, ACTIONS.rejectRun, runId, `bob-no-reason-${engine}`);
      expect(await textOf(`bob-no-reason-${engine}`)).toContain('Say why');
      expect((await harness.scaffolder.findRun(runId))?.status).toBe('open');

      // Another replica, started after the request: everything it needs is in the database.
      const restarted = await harness.replica();
      try {
        const since = harness.slack.calls.length;
        await press(BOB, ACTIONS.approveRun, runId, `bob-approves-${engine}`, 'ship it', restarted.port);
        // The request in the platform channel shows the decision, without its buttons.
        const decided = await callWhere('chat.update', since, (body) => body.channel === 'C0PLATFORM');
        expect(String(decided.blocks)).toContain(`Approved by <@${BOB}>: ship it`);
        expect(String(decided.blocks)).not.toContain(ACTIONS.approveRun);
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && (await harness.scaffolder.findRun(runId))?.status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
        const run = await harness.scaffolder.findRun(runId);
        expect(run).toMatchObject({ status: 'completed', approval: { state: 'approved', decidedBy: 'user:default/bob', reason: 'ship it' } });
        expect(run!.steps[0]!.log).toEqual(['joined by user:default/alice']);
        // Alice's first message, in her DM, is the one kept up to date.
        expect(await callWhere('chat.update', since, (body) => body.text === 'Join the release train: done')).toMatchObject({ channel: 'D0ALICE' });
        expect(harness.slack.calls.slice(since).filter((call) => call.path === '/api/chat.postMessage' && call.body.channel === ALICE)).toEqual([]);
        // A second press is told it is decided.
        await press(BOB, ACTIONS.approveRun, runId, `bob-again-${engine}`);
        expect(await textOf(`bob-again-${engine}`)).toContain('not waiting for approval any more');
      } finally {
        await restarted.stop();
      }
    }, 30_000);

    it('is started by the next replica to start when the one that approved it stopped first', async () => {
      const runId = await request();
      // Approved, and the replica went before it took the values.
      expect((await harness.scaffolder.decide(runId, { approved: true, by: 'user:default/bob' })).outcome).toBe('approved');
      expect(await harness.scaffolder.findRun(runId)).toMatchObject({ status: 'open', approval: { state: 'approved' } });
      const since = harness.slack.calls.length;
      const next = await harness.replica();
      try {
        expect(await callWhere('chat.update', since, (body) => body.text === 'Join the release train: done')).toMatchObject({ channel: 'D0ALICE' });
        expect(await harness.scaffolder.findRun(runId)).toMatchObject({ status: 'completed' });
      } finally {
        await next.stop();
      }
    });

    it('tells the requester why when a member rejects, and nothing runs', async () => {
      const runId = await request();
      const since = harness.slack.calls.length;
      await press(BOB, ACTIONS.rejectRun, runId, `bob-rejects-${engine}`, 'not before the freeze ends');
      expect(String((await callWhere('chat.update', since, (body) => body.channel === 'C0PLATFORM')).blocks)).toContain('Rejected by');
      const run = await harness.scaffolder.findRun(runId);
      expect(run).toMatchObject({ status: 'cancelled', error: 'rejected by user:default/bob: not before the freeze ends', approval: { state: 'rejected' } });
      expect(run!.steps[0]!.status).toBe('open');
      const update = await callWhere('chat.update', since, (body) => body.text === 'Join the release train: cancelled');
      expect(update.channel).toBe('D0ALICE');
      expect(String(update.blocks)).toContain('not before the freeze ends');
    });
  });
});
