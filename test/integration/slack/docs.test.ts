import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/slack/blocks/action-ids.js';
import { messageProblems } from '../../../src/slack/blocks/limits.js';
import { startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations:
    backstage.io/techdocs-ref: dir:.
    backstage.io/source-location: url:https://github.com/acme/ledger/tree/main/
spec: { type: service, lifecycle: production, owner: payments }
`;

const FILES = {
  'mkdocs.yml': 'site_name: Ledger\nnav:\n  - Home: index.md\n  - Operations: ops.md\n',
  'docs/index.md': '# Ledger\n\nBookkeeping <!channel> for payments, <b>1 < 2</b>.\n\n## Closing the books\n\nAt midnight.\n',
  'docs/ops.md': '# Operations\n\n## Restore a backup\n\nRun `ledgerctl restore`.\n',
};

describe.each(ENGINES)('/docs over HTTP on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, { catalogYaml: CATALOG, files: FILES });
  });
  afterAll(() => harness?.stop());

  const answer = async (text: string) => {
    const response = await harness.slashCommand('/docs', text);
    expect(response.status).toBe(200);
    return (await response.json()) as { response_type: string; text: string; blocks: KnownBlock[] };
  };

  it("answers an entity with its docs links and contents, linked in its repository, within Slack's limits", async () => {
    const message = await answer('ledger');
    expect(message.response_type).toBe('ephemeral');
    expect(messageProblems(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('<https://github.com/acme/ledger/blob/main/docs/index.md|Ledger>');
    expect(text).toContain('<https://github.com/acme/ledger/blob/main/docs/ops.md#restore-a-backup|Restore a backup>');
    expect(text).toContain('<https://github.com/acme/ledger/blob/main/README.md|README>');
  });

  it('answers a question with the best sections, their text escaped like catalog text', async () => {
    const message = await answer('restore a backup');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Restore a backup');
    expect(text).toContain('ledgerctl restore');
    const bookkeeping = JSON.stringify((await answer('bookkeeping')).blocks);
    expect(bookkeeping).toContain('&lt;!channel&gt;');
    expect(bookkeeping).not.toContain('<!channel>');
    expect(bookkeeping).toContain('for payments, 1 &lt; 2.');
  });

  it('offers a Docs button on the ownership card, and answers "how do I..." in a direct message from the docs', async () => {
    const card = (await (await harness.slashCommand('/whoowns', 'ledger')).json()) as { blocks: KnownBlock[] };
    const buttons = card.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    const docs = buttons.find((button) => 'action_id' in button && button.action_id === ACTIONS.docs) as { value: string } | undefined;
    expect(docs?.value).toBe('component:default/ledger');
    await harness.interaction({ type: 'block_actions', response_url: harness.responseUrl(`docs-${engine}`), actions: [{ action_id: ACTIONS.docs, block_id: 'b', value: docs!.value, type: 'button' }] });
    expect(JSON.stringify((await harness.responses(`docs-${engine}`))[0]!.body.blocks)).toContain('Closing the books');

    const posts = harness.slack.calls.filter((call) => call.path === '/api/chat.postMessage').length;
    await harness.event({ type: 'message', channel_type: 'im', channel: 'D0001', user: 'U0001', text: 'how do I restore a backup?', ts: '1.0' });
    const [reply] = (await harness.slack.next('/api/chat.postMessage', posts + 1)).slice(posts);
    expect(String(reply!.body.blocks)).toContain('ops.md#restore-a-backup');
  });
});
