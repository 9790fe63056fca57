import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/slack/blocks/action-ids.js';
import { messageProblems } from '../../../src/slack/blocks/limits.js';
import { catalogInfoYaml, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';

const service = (name: string, owner: string, extra: Record<string, unknown> = {}) => ({ kind: 'Component', metadata: { name, ...extra }, spec: { type: 'service', lifecycle: 'production', owner } });
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments' }, spec: { type: 'team', children: [] } },
  { kind: 'Group', metadata: { name: 'maps' }, spec: { type: 'team', children: [] } },
  service('ledger', 'payments', { description: 'Double-entry bookkeeping' }),
  service('refunds', 'payments'),
  service('geocoder', 'maps', { description: 'Addresses to places' }),
]);
const text = (message: { blocks: KnownBlock[] }) => JSON.stringify(message.blocks);
type Message = { text: string; blocks: KnownBlock[] };

describe('/scorecard over HTTP', () => {
  let harness: SlackHarness;
  beforeAll(async () => {
    harness = await startSlackHarness('pglite', { catalogYaml: CATALOG });
  });
  afterAll(() => harness?.stop());

  it("answers an entity's checks, failing ones with their fix, unknown ones with why", async () => {
    const message = (await (await harness.slashCommand('/scorecard', 'refunds')).json()) as Message;
    expect(messageProblems(message)).toEqual([]);
    expect(message.text).toMatch(/^component:default\/refunds: \d+ failing check\(s\)$/);
    expect(text(message)).toContain('Add one sentence under metadata.description');
    expect(text(message)).toContain(':grey_question: Has a README');
  });

  it("answers a team's entities with their levels, and says which group it does not know", async () => {
    const message = (await (await harness.slashCommand('/scorecard', 'team payments')).json()) as Message;
    expect(message.text).toBe('group:default/payments: 2 entities');
    expect(text(message)).toContain('`component:default/refunds`: no level; failing `has-description`');
    const unknown = (await (await harness.slashCommand('/scorecard', 'team nobody')).json()) as Message;
    expect(unknown.text).toBe('no group named nobody');
  });

  it('answers the organisation from the stored evaluation: teams needing help first, the checks failed most', async () => {
    const before = (await (await harness.slashCommand('/scorecard', '')).json()) as Message;
    expect(before.text).toContain('No scorecard evaluation yet');
    await harness.scorecards.evaluateAndRecord();
    const message = (await (await harness.slashCommand('/scorecard', '')).json()) as Message;
    expect(messageProblems(message)).toEqual([]);
    const blocks = text(message);
    expect(blocks.indexOf('group:default/payments')).toBeLessThan(blocks.indexOf('group:default/maps'));
    expect(blocks).toContain('Has a description (`has-description`): 1 entities');
  });

  it('offers a Scorecard button on the ownership card that posts the entity’s checks', async () => {
    const card = (await (await harness.slashCommand('/whoowns', 'ledger')).json()) as Message;
    const button = card.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : [])).find((element) => 'action_id' in element && element.action_id === ACTIONS.scorecard) as { value: string } | undefined;
    expect(button?.value).toBe('component:default/ledger');
    await harness.interaction({ type: 'block_actions', response_url: harness.responseUrl('scorecard'), actions: [{ action_id: ACTIONS.scorecard, block_id: 'b', value: button!.value, type: 'button' }] });
    const [response] = await harness.responses('scorecard');
    expect(String(response!.body.text)).toMatch(/^component:default\/ledger: \d+ failing check\(s\)$/);
    expect(JSON.stringify(response!.body.blocks)).toContain(':white_check_mark: Has a description');
  });
});
