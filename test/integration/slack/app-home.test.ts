import type { KnownBlock, SectionBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, SEARCH_INPUT, SHORTCUTS, VIEWS } from '../../../src/slack/blocks/action-ids.js';
import { messageProblems } from '../../../src/slack/blocks/limits.js';
import { startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: payments-team, title: Payments team }
spec: { type: team, children: [], members: [alice] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: alice }
spec: { profile: { displayName: Alice Ames, email: alice@acme.test }, memberOf: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: bob
  annotations: { slack.com/user-id: U0BOB }
spec: { profile: { displayName: Bob Bell }, memberOf: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: "Takes <!channel> payments"
  annotations: { backstage.io/techdocs-ref: dir:. }
spec: { type: service, lifecycle: production, owner: payments-team }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: bobs-script }
spec: { type: tool, lifecycle: experimental, owner: user:bob }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: broken-thing }
spec: { type: service, lifecycle: production, owner: payments-team, dependsOn: [not a ref!] }
`;

const sectionTexts = (blocks: KnownBlock[]) => blocks.filter((block): block is SectionBlock => block.type === 'section').map((block) => block.text?.text ?? '');

describe.each(ENGINES)('App Home and the search modal over HTTP on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, { catalogYaml: CATALOG, files: { 'mkdocs.yml': 'site_name: Payments\nnav: [{ Home: index.md }, { Gone: gone.md }]\n', 'docs/index.md': '# Payments\n' }, prepare: (slack) => slack.usersByEmail.set('alice@acme.test', 'U0ALICE') });
  });
  afterAll(() => harness?.stop());

  const publishedFor = async (user: string) => {
    const calls = await harness.slack.next('/api/views.publish', harness.slack.calls.filter((call) => call.path === '/api/views.publish').length + 1);
    const call = calls.at(-1)!;
    expect(call.body.user_id).toBe(user);
    return JSON.parse(String(call.body.view)) as { type: string; blocks: KnownBlock[] };
  };

  it("shows the person found by their Slack email their teams, what those own and the problems in those entities' files", async () => {
    expect((await harness.event({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0001', tab: 'home' })).status).toBe(200);
    const view = await publishedFor('U0ALICE');
    expect(view.type).toBe('home');
    expect(messageProblems({ text: '', blocks: view.blocks }, 100)).toEqual([]);
    const texts = sectionTexts(view.blocks).join('\n');
    expect(texts).toContain('Hello, Alice Ames. You are in *Payments team*.');
    expect(texts).toContain('*Payments team* owns 1 entity: payments-api');
    expect(texts).toMatch(/Catalog problems in your entities’ files: 2\*/);
    expect(texts).toContain('broken-thing');
    expect(texts).toContain('component:default/payments-api: warning: docs: docs/gone.md: the nav names this page, and it is not there');
    expect(JSON.stringify(view.blocks)).toContain(ACTIONS.openSearch);
    expect(texts).toContain('No scorecard evaluation yet');
  });

  it("shows how the organisation stands on the scorecard, from the stored evaluation, as /scorecard does", async () => {
    await harness.scorecards.evaluateAndRecord();
    await harness.event({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0001', tab: 'home' });
    const view = await publishedFor('U0ALICE');
    expect(messageProblems({ text: '', blocks: view.blocks }, 100)).toEqual([]);
    const texts = sectionTexts(view.blocks).join('\n');
    expect(texts).toContain('*Service basics* across the organisation');
    expect(texts).toContain('`group:default/payments-team` (1): bronze 1');
    expect(texts).toContain('`user:default/bob` (1): no level 1');
    expect(texts).toContain('*Checks failed most*');
  });

  it('finds someone by their slack.com/user-id annotation and reminds a personal owner to hand over to a team', async () => {
    await harness.event({ type: 'app_home_opened', user: 'U0BOB', channel: 'D0002', tab: 'home' });
    const texts = sectionTexts((await publishedFor('U0BOB')).blocks).join('\n');
    expect(texts).toContain('You are in no team in the catalog.');
    expect(texts).toContain('*You own personally* 1 entity: bobs-script');
    // The bad document shares bobs-script's file, which Bob edits too.
    expect(texts).toMatch(/Catalog problems in your entities’ files: 1\*/);
  });

  it('tells someone the catalog does not know how to be found, and ignores the Messages tab', async () => {
    await harness.event({ type: 'app_home_opened', user: 'U0NOBODY', channel: 'D0003', tab: 'messages' });
    await harness.event({ type: 'app_home_opened', user: 'U0NOBODY', channel: 'D0003', tab: 'home' });
    const texts = sectionTexts((await publishedFor('U0NOBODY')).blocks).join('\n');
    expect(texts).toContain('no User entity for you');
    expect(harness.slack.calls.filter((call) => call.path === '/api/views.publish' && call.body.user_id === 'U0NOBODY')).toHaveLength(1);
  });

  it('opens the search modal from the global shortcut and answers a search in the modal itself', async () => {
    expect((await harness.interaction({ type: 'shortcut', callback_id: SHORTCUTS.search, trigger_id: 'trigger-search-1' })).status).toBe(200);
    const [opened] = await harness.slack.next('/api/views.open');
    expect(opened!.body.trigger_id).toBe('trigger-search-1');
    const modal = JSON.parse(String(opened!.body.view)) as { callback_id: string };
    expect(modal.callback_id).toBe(VIEWS.search);

    const submit = (value: string) =>
      harness.interaction({ type: 'view_submission', view: { id: 'V0001', hash: `h-${value}`, callback_id: VIEWS.search, type: 'modal', state: { values: { [SEARCH_INPUT.block]: { [SEARCH_INPUT.action]: { type: 'plain_text_input', value } } } } } });
    const answered = (await (await submit('payments')).json()) as { response_action: string; view: { blocks: KnownBlock[] } };
    expect(answered.response_action).toBe('update');
    const texts = sectionTexts(answered.view.blocks).join('\n');
    expect(texts).toMatch(/results? for payments/);
    expect(texts).toContain('payments-api');
    expect(texts).toContain('Takes &lt;!channel&gt; payments');
    // The same view submitted again (a double click: same view id and hash, a new trigger) is one submission.
    const again = await submit('payments');
    expect(again.status).toBe(200);
    expect(await again.text()).toBe('');
    const empty = (await (await submit('  ')).json()) as { response_action: string; errors: Record<string, string> };
    expect(empty).toMatchObject({ response_action: 'errors', errors: { [SEARCH_INPUT.block]: expect.stringContaining('Type something') } });
  });

  it("opens the search modal from App Home's button", async () => {
    const before = harness.slack.calls.filter((call) => call.path === '/api/views.open').length;
    await harness.interaction({ type: 'block_actions', trigger_id: 'trigger-home-search', view: { id: 'VHOME', type: 'home' }, actions: [{ action_id: ACTIONS.openSearch, block_id: 'b', type: 'button', value: 'home', action_ts: '1' }] });
    const calls = await harness.slack.next('/api/views.open', before + 1);
    expect(calls.at(-1)!.body.trigger_id).toBe('trigger-home-search');
  });
});

describe('App Home while the workspace listing is rate limited', () => {
  let harness: SlackHarness;
  beforeAll(async () => {
    harness = await startSlackHarness(ENGINES[0]!, {
      catalogYaml: CATALOG,
      prepare: (slack) => {
        slack.usersByEmail.set('alice@acme.test', 'U0ALICE');
        slack.failures.set('/api/users.list', [{ status: 429, headers: { 'retry-after': '6' } }]);
      },
    });
  });
  afterAll(() => harness?.stop());

  it('publishes the page without queueing behind the listing', async () => {
    await harness.slack.next('/api/users.list');
    const sent = Date.now();
    await harness.event({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0001', tab: 'home' });
    const [published] = await harness.slack.next('/api/views.publish');
    expect(published!.at - sent).toBeLessThan(1_000);
    expect(JSON.stringify(published!.body.view)).toContain('Alice Ames');
  });
});
