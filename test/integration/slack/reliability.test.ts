import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogInfoYaml, SIGNING_SECRET, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { slackSignature } from '../../support/fake-slack.js';
import { ENGINES } from '../../support/test-database.js';

const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments-team', title: 'Payments team' }, spec: { type: 'team', children: [] } },
  { kind: 'Component', metadata: { name: 'payments-api' }, spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' } },
]);

describe.each(ENGINES)('Slack requests the app must refuse or survive, on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, { catalogYaml: CATALOG });
  });
  afterAll(() => harness?.stop());

  it('refuses a body over 1 MiB with 413, and one of unstated length with 411, before reading it', async () => {
    const huge = `command=%2Fwhoowns&text=${'a'.repeat(5 * 1024 * 1024)}`;
    expect((await harness.post(huge)).status).toBe(413);
    const body = harness.commandBody('/whoowns', 'payments-api');
    const chunked = await fetch(`${harness.appUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SIGNING_SECRET, body) },
      body: new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode(body)), controller.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  it('answers a correctly signed body that is not JSON with 400', async () => {
    expect((await harness.post('{"type": "event_callback", ', { contentType: 'application/json' })).status).toBe(400);
  });

  it("answers Slack's unsigned ssl_check with an empty 200 and runs no listener, even when it smuggles a command", async () => {
    const before = harness.slack.calls.length;
    const smuggled = new URLSearchParams({ ssl_check: '1', token: 'x', command: '/whoowns', text: 'payments-api', response_url: harness.responseUrl('smuggled'), trigger_id: 'smuggled' }).toString();
    const response = await harness.post(smuggled, { headers: {} });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await sleep(200);
    expect(harness.slack.calls.slice(before)).toEqual([]);
  });
});

describe.runIf(ENGINES.includes('postgres'))('Slack app with its database stuck behind a lock, on postgres', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness('postgres', { catalogYaml: CATALOG });
  });
  afterAll(() => harness?.stop());

  it('still acknowledges /whoowns with the answer in time when recording the delivery hangs', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockHeld = new Promise<void>((resolve) => (locked = resolve));
    const holder = harness.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table slack_deliveries in access exclusive mode`);
      locked();
      await released;
    });
    await lockHeld;
    try {
      const started = Date.now();
      const response = await harness.slashCommand('/whoowns', 'payments-api');
      const elapsed = Date.now() - started;
      expect(response.status).toBe(200);
      expect(JSON.stringify(await response.json())).toContain('Payments team');
      expect(elapsed).toBeLessThan(2_900);
      expect(harness.logLines.some((line) => String(line.msg).includes('recording the Slack delivery is slow'))).toBe(true);
    } finally {
      release();
      await holder;
    }
  });
});
