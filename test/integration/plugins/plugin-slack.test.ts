import path from 'node:path';
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../../../src/plugins/load-plugins.js';
import { messageProblems } from '../../../src/slack/blocks/limits.js';
import { builtInPlugin } from '../../../src/plugins/built-in-plugin.js';
import { BUILT_IN_COMMANDS } from '../../../src/slack/commands/built-in.js';
import { BUILT_IN_COLLECTORS } from '../../../src/scorecards/collectors/built-in.js';
import { captureLogger } from '../../support/capture-logger.js';
import { startFakePagerDuty } from '../../support/fake-oncall.js';
import { createOnCallService } from '../../../src/oncall/oncall-service.js';
import { catalogInfoYaml, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';

const kitchenSink = path.join(import.meta.dirname, '../../fixtures/plugins/kitchen-sink.ts');
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments' }, spec: { type: 'team', children: [] } },
  { kind: 'Component', metadata: { name: 'payments-api', annotations: { 'pagerduty.com/service-id': 'PSVC1' } }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
]);
const APOLOGY = /^Sorry, that failed\. If it keeps failing, give your platform team reference [0-9a-f]{8}\.$/;

describe('plugin commands and card sections through signed Slack requests', () => {
  let harness: SlackHarness;
  let pagerduty: Awaited<ReturnType<typeof startFakePagerDuty>>;
  beforeAll(async () => {
    pagerduty = await startFakePagerDuty('pd-token');
    const entries = [
      { path: kitchenSink, with: { greeting: 'Hello' } },
      { path: path.join(import.meta.dirname, '../../../plugins/pagerduty/index.js'), with: { token: 'pd-token', apiUrl: pagerduty.url } },
    ];
    const { extensions } = await loadPlugins(entries, { logger: captureLogger().logger, builtIns: [builtInPlugin({ commands: BUILT_IN_COMMANDS, collectors: BUILT_IN_COLLECTORS })] });
    harness = await startSlackHarness('pglite', {
      catalogYaml: CATALOG,
      commands: extensions.commands,
      cardSections: extensions.cardSections,
      oncall: (catalog) => createOnCallService({ catalog, providers: extensions.onCallProviders }),
      prepare: (slack) => slack.usersByEmail.set('alice@acme.test', 'U0ALICE'),
    });
  });
  afterAll(async () => {
    await harness?.stop();
    await pagerduty?.close();
  });

  it('answers /oncall from the PagerDuty plugin, mentioning the people Slack knows by email', async () => {
    const message = (await (await harness.slashCommand('/oncall', 'payments-api')).json()) as { text: string; blocks: KnownBlock[] };
    expect(message.text).toBe('On call for component:default/payments-api: Alice Ames, Bob Bell');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('on call now <@U0ALICE> (level 1, until <!date^');
    expect(text).toContain('Bob Bell (level 2');
    expect(text).toContain('next Carol Cho (level 1, from <!date^');
  });

  it('answers "who is on call for payments-api?" in a direct message from the same providers', async () => {
    await harness.event({ type: 'message', channel_type: 'im', channel: 'D0ASKER', user: 'U0ASKER', text: 'Who is on call for payments-api?', ts: '1700000000.000100' });
    const [posted] = await harness.slack.next('/api/chat.postMessage');
    expect(posted!.body).toMatchObject({ channel: 'D0ASKER', text: 'On call for component:default/payments-api: Alice Ames, Bob Bell' });
    expect(JSON.stringify(posted!.body.blocks)).toContain('on call now <@U0ALICE>');
  });

  it("shows the plugins' card sections on the ownership card, leaving out one that hangs or throws, within its budget", async () => {
    const started = Date.now();
    const card = (await (await harness.slashCommand('/whoowns', 'payments-api')).json()) as { blocks: KnownBlock[] };
    expect(Date.now() - started).toBeLessThan(1_400);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('Hello from the card, component:default/payments-api');
    expect(text).toContain('on call now <@U0ALICE> (level 1');
    expect(text.indexOf('Hello from the card')).toBeLessThan(text.indexOf('Share in channel'));
    // What a section returned that the card cannot show is dropped; the rest of it, and the card, stay.
    expect(text).toContain('messy but kept');
    expect(text).not.toContain('"block_id":"card"');
    expect(text).toContain('sprawl 9');
    expect(text).not.toContain('sprawl 10');
    expect(messageProblems({ text: '', blocks: card.blocks })).toEqual([]);
  });

  it('apologises for a command whose renderer returns something that is not a message', async () => {
    const { reference } = await apologyFor('/malformed', 'malformed-1');
    expect(harness.logLines.find((line) => line.reference === reference)).toMatchObject({ err: { message: "kitchen-sink's /malformed rendered something that is not a message: render must return { text, blocks }" } });
  });

  it("answers a plugin's command with its handler's answer, rendered by its builder, in the acknowledgement", async () => {
    const response = await harness.slashCommand('/greet', 'payments-api');
    const message = (await response.json()) as { response_type: string; text: string; blocks: KnownBlock[] };
    expect(message).toMatchObject({ response_type: 'ephemeral', text: 'Hello, component:default/payments-api' });
    // The built-in commands are registered through the same API, and answer as before.
    const card = (await (await harness.slashCommand('/whoowns', 'payments-api')).json()) as { text: string };
    expect(card.text).toBe('payments-api is owned by payments');
  });

  /** Sends the command, checks it was acknowledged in time, and returns the apology that followed at its response_url, with its reference. */
  const apologyFor = async (command: string, trigger: string) => {
    const started = Date.now();
    const ack = await harness.slashCommand(command, '', { trigger_id: trigger });
    expect(ack.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    const [apology] = await harness.responses(trigger);
    expect(String(apology!.body.text)).toMatch(APOLOGY);
    return { reference: String(apology!.body.text).match(/reference ([0-9a-f]{8})/)![1], elapsedMs: Date.now() - started };
  };

  it("answers a plugin's verb as /callboard <verb>, and /callboard alone with the verbs there are", async () => {
    const waved = (await (await harness.slashCommand('/callboard', 'wave payments-api')).json()) as { text: string };
    expect(waved.text).toBe('Hello, waving at component:default/payments-api');
    const help = (await (await harness.slashCommand('/callboard', '')).json()) as { text: string };
    expect(help.text).toBe('`/callboard` answers:\n• `/callboard wave ENTITY`: Waves at an entity');
  });

  it('turns a handler that throws into the short apology with a reference, logged in full', async () => {
    const { reference } = await apologyFor('/explode', 'explode-1');
    expect(harness.logLines.find((line) => line.reference === reference)).toMatchObject({ err: { message: 'the plugin blew up' } });
  });

  it('acknowledges a handler that hangs in time, then apologises once its time is up', async () => {
    const { reference, elapsedMs } = await apologyFor('/hang', 'hang-1');
    expect(elapsedMs).toBeGreaterThanOrEqual(2_000);
    expect(harness.logLines.find((line) => line.reference === reference)).toMatchObject({ err: { message: "kitchen-sink's /hang took longer than 2000 ms" } });
  });
});
