import path from 'node:path';
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../../../src/plugins/load-plugins.js';
import { builtInPlugin } from '../../../src/plugins/built-in-plugin.js';
import { BUILT_IN_COMMANDS } from '../../../src/slack/commands/built-in.js';
import { BUILT_IN_COLLECTORS } from '../../../src/scorecards/collectors/built-in.js';
import { captureLogger } from '../../support/capture-logger.js';
import { catalogInfoYaml, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';

const kitchenSink = path.join(import.meta.dirname, '../../fixtures/plugins/kitchen-sink.ts');
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments' }, spec: { type: 'team', children: [] } },
  { kind: 'Component', metadata: { name: 'payments-api' }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
]);
const APOLOGY = /^Sorry, that failed\. If it keeps failing, give your platform team reference [0-9a-f]{8}\.$/;

describe('plugin commands through signed Slack requests', () => {
  let harness: SlackHarness;
  beforeAll(async () => {
    const { extensions } = await loadPlugins([{ path: kitchenSink, with: { greeting: 'Hello' } }], { logger: captureLogger().logger, builtIns: [builtInPlugin({ commands: BUILT_IN_COMMANDS, collectors: BUILT_IN_COLLECTORS })] });
    harness = await startSlackHarness('pglite', { catalogYaml: CATALOG, commands: extensions.commands });
  });
  afterAll(() => harness?.stop());

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
