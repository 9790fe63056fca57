import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { section } from '../../../src/slack/blocks/block-parts.js';
import type { SlashCommand } from '../../../src/slack/commands/registry.js';
import { catalogInfoYaml, SIGNING_SECRET, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { slackSignature } from '../../support/fake-slack.js';
import { createCatalogService } from '../../../src/catalog/catalog-service.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { startSlackApp } from '../../../src/slack/slack-app.js';
import { createScaffolderService } from '../../../src/scaffolder/scaffolder-service.js';
import { captureLogger } from '../../support/capture-logger.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { DEFAULT_SLACK } from '../../support/slack-harness.js';
import { createTestDatabase, ENGINES } from '../../support/test-database.js';

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

/** Commands that take their time, or fail, to show what Slack sees when answers are not quick. */
const SLOW_AND_FAILING: SlashCommand[] = [
  { command: '/slow', description: 'slow', usageHint: '', answer: async (text) => (await sleep(2_000), { text: `slow ${text}`, blocks: [section(`slow answer for ${text}`)] }) },
  {
    command: '/broken',
    description: 'broken',
    usageHint: '',
    answer: () => {
      throw new Error('the answer broke: password=hunter2 is not for users');
    },
  },
];

describe.each(ENGINES)('slash commands that are slow or fail, on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, { catalogYaml: CATALOG, commands: SLOW_AND_FAILING });
  });
  afterAll(() => harness?.stop());

  it('acknowledges a slow command with nothing in time, then posts the answer to its response_url', async () => {
    const started = Date.now();
    const response = await harness.slashCommand('/slow', 'thing', { trigger_id: `slow-${engine}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(Date.now() - started).toBeLessThan(2_900);
    const [answer] = await harness.responses(`slow-${engine}`);
    expect(answer!.body).toMatchObject({ response_type: 'ephemeral', text: 'slow thing' });
  });

  it('answers a failing command with a short apology carrying a reference the log has next to the error', async () => {
    const response = await harness.slashCommand('/broken', '', { trigger_id: `broken-${engine}` });
    expect(response.status).toBe(200);
    const [apology] = await harness.responses(`broken-${engine}`);
    const text = String(apology!.body.text);
    const reference = text.match(/reference ([0-9a-f]{8})/)?.[1];
    expect(reference).toBeDefined();
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/Error|at .*:\d+/);
    const logged = harness.logLines.find((line) => line.reference === reference);
    expect(JSON.stringify(logged)).toContain('the answer broke');
  });

  it('tells the user about a command it does not know, in the acknowledgement', async () => {
    const message = (await (await harness.slashCommand('/nope', '')).json()) as { text: string };
    expect(message.text).toBe('Callboard does not know /nope.');
  });
});

describe("the app's Web API client against a Slack that hangs or rate-limits", () => {
  let harness: SlackHarness;
  const mention = (text: string) => harness.event({ type: 'app_mention', user: 'U0001', channel: 'C0001', ts: `${Date.now() / 1000}`, text: `<@UBOT> ${text}` });

  beforeAll(async () => {
    harness = await startSlackHarness(ENGINES[0]!, { catalogYaml: CATALOG, slack: { webApiTimeoutMs: 300, webApiRetries: 1 } });
  });
  afterAll(() => harness?.stop());

  it('gives up on a call that never answers after its timeout and bounded retries, and apologises', async () => {
    const before = harness.slack.calls.filter((call) => call.path === '/api/chat.postMessage').length;
    harness.slack.failures.set('/api/chat.postMessage', ['hang', 'hang']);
    const started = Date.now();
    await mention('who owns payments-api?');
    const posts = await harness.slack.next('/api/chat.postMessage', before + 3);
    const apology = posts.at(-1)!;
    expect(String(apology.body.text)).toMatch(/Sorry, that failed.*reference [0-9a-f]{8}/);
    expect(apology.at - started).toBeLessThan(5_000);
  });

  it("waits a 429's Retry-After before trying again, then delivers the answer", async () => {
    const before = harness.slack.calls.filter((call) => call.path === '/api/chat.postMessage').length;
    harness.slack.failures.set('/api/chat.postMessage', [{ status: 429, headers: { 'retry-after': '1' } }]);
    await mention('who owns payments-api?');
    const posts = await harness.slack.next('/api/chat.postMessage', before + 2);
    const [refused, delivered] = posts.slice(-2);
    expect(delivered!.at - refused!.at).toBeGreaterThanOrEqual(950);
    expect(JSON.stringify(delivered!.body.blocks)).toContain('Payments team');
  });
});

describe.each(ENGINES)('readiness on %s', (engine) => {
  it('is 503 until the catalog is loaded, then 200, and 503 again once the database is gone', async () => {
    const database = await createTestDatabase(engine);
    const { logger } = captureLogger();
    const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger });
    const slack = new FakeSlack();
    const slackUrl = await slack.start();
    const app = await startSlackApp({ slack: { ...DEFAULT_SLACK, port: 0, botToken: 'xoxb-test', signingSecret: 'secret', apiUrl: `${slackUrl}/api/` }, catalog, db: database.db, logger, scaffolder: createScaffolderService({ db: database.db, catalog, localRepositories: tmpdir() }) });
    const ready = async () => {
      const response = await fetch(`http://127.0.0.1:${app.port}/readyz`);
      return { status: response.status, body: (await response.json()) as { problem?: string } };
    };
    try {
      expect(await ready()).toEqual({ status: 503, body: { status: 'unavailable', problem: 'the catalog is still loading' } });
      await catalog.load();
      expect((await ready()).status).toBe(200);
      await database.close();
      const gone = await ready();
      expect(gone.status).toBe(503);
      expect(gone.body.problem).toMatch(/the database (is not reachable|did not answer)/);
      expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
    } finally {
      await app.stop();
      await slack.stop();
    }
  });
});
