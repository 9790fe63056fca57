import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogService, type CatalogService } from '../../../src/catalog/catalog-service.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/client.js';
import { messageProblems, type SlackMessage } from '../../../src/slack/blocks/limits.js';
import { startSlackApp, type RunningSlackApp } from '../../../src/slack/slack-app.js';
import { captureLogger } from '../../support/capture-logger.js';
import { FakeSlack, slackSignature } from '../../support/fake-slack.js';
import { ENGINES, createTestDatabase } from '../../support/test-database.js';

const SECRET = 'test-signing-secret';
const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments-team
  title: Payments team
spec:
  type: team
  children: []
  members: [alice, bob, carol]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: alice
spec:
  profile: { displayName: Alice Ames, email: Alice@Acme.test }
  memberOf: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: bob
  annotations:
    slack.com/user-id: U0BOB
spec:
  profile: { displayName: Bob Bell, email: bob@acme.test }
  memberOf: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: carol
spec:
  profile: { displayName: Carol Cho, email: carol@acme.test }
  memberOf: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: "Takes card payments <!channel> & refunds"
  tags: [go]
spec:
  type: service
  lifecycle: production
  owner: payments-team
${Array.from({ length: 14 }, (_, n) => `---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: geo-worker-${n}
  description: geocoding worker ${n}
spec:
  type: service
  lifecycle: production
  owner: payments-team
`).join('')}`;

describe.each(ENGINES)('Slack app over HTTP on %s', (engine) => {
  let database: Database;
  let folder: string;
  let catalog: CatalogService;
  let slack: FakeSlack;
  let app: RunningSlackApp;
  let base: string;
  let fakeUrl: string;
  let triggers = 0;
  const captured = captureLogger();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    folder = mkdtempSync(path.join(tmpdir(), 'callboard-slack-'));
    writeFileSync(path.join(folder, 'catalog-info.yaml'), CATALOG);
    catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: captured.logger });
    await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
    slack = new FakeSlack();
    slack.usersByEmail.set('alice@acme.test', 'U0ALICE');
    fakeUrl = await slack.start();
    app = await startSlackApp({
      slack: { botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: `${fakeUrl}/api/`, port: 0 },
      catalog,
      db: database.db,
      logger: captured.logger,
    });
    base = `http://127.0.0.1:${app.port}`;
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
    await database?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const post = (body: string, headers: Record<string, string>, contentType = 'application/x-www-form-urlencoded') =>
    fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const slashCommand = (command: string, text: string, trigger = `trigger-${engine}-${++triggers}`) =>
    new URLSearchParams({ token: 'legacy', team_id: 'T0001', channel_id: 'C0001', user_id: 'U0001', command, text, response_url: `${fakeUrl}/response/${trigger}`, trigger_id: trigger }).toString();
  const action = (actionId: string, value: string, responsePath: string) =>
    new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: 'T0001' },
        user: { id: 'U0001' },
        channel: { id: 'C0001' },
        trigger_id: `trigger-${engine}-${++triggers}`,
        response_url: `${fakeUrl}${responsePath}`,
        actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: '1' }],
      }),
    }).toString();
  const texts = (message: SlackMessage) => JSON.stringify(message.blocks);

  it('answers /whoowns in the acknowledgement, escaped and within Block Kit limits', async () => {
    const body = slashCommand('/whoowns', 'payments-api');
    const response = await post(body, slackSignature(SECRET, body));
    expect(response.status).toBe(200);
    const message = (await response.json()) as SlackMessage & { response_type: string };
    expect(message.response_type).toBe('ephemeral');
    expect(texts(message)).toContain('Payments team');
    expect(texts(message)).toContain('&lt;!channel&gt; &amp; refunds');
    expect(texts(message)).not.toContain('<!channel>');
    expect(messageProblems(message)).toEqual([]);
  });

  it("mentions the members Slack knows, by annotation or email, names the rest, and asks about each email once", async () => {
    for (let round = 0; round < 2; round++) {
      const body = slashCommand('/whoowns', 'payments-api');
      const message = (await (await post(body, slackSignature(SECRET, body))).json()) as SlackMessage;
      expect(texts(message)).toContain('*Members:* <@U0ALICE>, <@U0BOB>, Carol Cho');
    }
    // Bob's annotation needs no lookup; Alice's hit and Carol's miss are both remembered.
    const lookups = slack.calls.filter((call) => call.path === '/api/users.lookupByEmail').map((call) => call.body.email);
    expect(lookups.sort()).toEqual(['alice@acme.test', 'carol@acme.test']);
  });

  it('refuses a bad signature, a stale timestamp and one from the future with 401, and answers none of them', async () => {
    const body = slashCommand('/whoowns', 'payments-api');
    const now = Math.floor(Date.now() / 1000);
    expect((await post(body, slackSignature('wrong-secret', body))).status).toBe(401);
    expect((await post(body, slackSignature(SECRET, body, now - 360))).status).toBe(401);
    expect((await post(body, slackSignature(SECRET, body, now + 3_600))).status).toBe(401);
    expect((await post(body, { 'x-slack-request-timestamp': String(now) })).status).toBe(401);
    // The same request, correctly signed, is still answered: nothing above claimed its trigger.
    const answered = await post(body, slackSignature(SECRET, body));
    expect(JSON.stringify(await answered.json())).toContain('Payments team');
  });

  it('acknowledges a replayed command without answering it twice', async () => {
    const body = slashCommand('/whoowns', 'payments-api', `replayed-${engine}`);
    const first = await post(body, slackSignature(SECRET, body));
    expect(JSON.stringify(await first.json())).toContain('Payments team');
    const replay = await post(body, slackSignature(SECRET, body));
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe('');
  });

  it('pages /find results through the buttons, replacing the message', async () => {
    const body = slashCommand('/find', 'geocoding');
    const first = (await (await post(body, slackSignature(SECRET, body))).json()) as SlackMessage;
    expect(messageProblems(first)).toEqual([]);
    const next = JSON.stringify(first.blocks).match(/"action_id":"(find_page:next)","value":"((?:[^"\\]|\\.)*)"/);
    expect(next).not.toBeNull();
    const value = JSON.parse(`"${next![2]}"`) as string;
    expect(JSON.parse(value)).toEqual({ q: 'geocoding', offset: 10 });
    const press = action(next![1]!, value, `/response/find-${engine}`);
    expect((await post(press, slackSignature(SECRET, press))).status).toBe(200);
    const [posted] = await slack.next(`/response/find-${engine}`);
    expect(posted!.body.replace_original).toBe(true);
    expect(JSON.stringify(posted!.body.blocks)).toContain('geo-worker');
    expect(messageProblems(posted!.body as unknown as SlackMessage)).toEqual([]);
  });

  it('answers /find stats, and an empty /find, with what the catalog holds', async () => {
    for (const text of ['stats', '']) {
      const body = slashCommand('/find', text);
      const message = (await (await post(body, slackSignature(SECRET, body))).json()) as SlackMessage;
      expect(texts(message)).toContain('19 entities in the catalog');
      expect(texts(message)).toContain('component 15');
    }
  });

  it('keeps later pages of results posted for everyone free of a Share button', async () => {
    const press = action('find_page:prev', JSON.stringify({ q: 'geocoding', offset: 0, shared: true }), `/response/shared-page-${engine}`);
    expect((await post(press, slackSignature(SECRET, press))).status).toBe(200);
    const [posted] = await slack.next(`/response/shared-page-${engine}`);
    expect(JSON.stringify(posted!.body.blocks)).toContain('"find_page:next"');
    expect(JSON.stringify(posted!.body.blocks)).toContain('\\"shared\\":true');
    expect(JSON.stringify(posted!.body.blocks)).not.toContain('share_find');
  });

  it('shares an answer in the channel and removes the private copy', async () => {
    const press = action('share_answer', 'payments-api', `/response/share-${engine}`);
    expect((await post(press, slackSignature(SECRET, press))).status).toBe(200);
    const posted = await slack.next(`/response/share-${engine}`, 2);
    expect(posted[0]!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(posted[0]!.body.blocks)).toContain('Payments team');
    expect(JSON.stringify(posted[0]!.body.blocks)).not.toContain('share_answer');
    expect(posted[1]!.body).toEqual({ delete_original: true });
  });

  it('shares a page of /find results in the channel', async () => {
    const press = action('share_find', JSON.stringify({ q: 'geocoding', offset: 10 }), `/response/share-find-${engine}`);
    expect((await post(press, slackSignature(SECRET, press))).status).toBe(200);
    const posted = await slack.next(`/response/share-find-${engine}`, 2);
    expect(posted[0]!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(posted[0]!.body.blocks)).toContain('geo-worker');
    expect(JSON.stringify(posted[0]!.body.blocks)).not.toContain('share_find');
    expect(posted[1]!.body).toEqual({ delete_original: true });
  });

  it('serves liveness and readiness', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', entities: 19 });
  });

  it('never writes the bot token or signing secret to a log line', () => {
    const lines = captured.lines.map((line) => JSON.stringify(line)).join('\n');
    expect(lines).not.toContain('xoxb-test-token');
    expect(lines).not.toContain(SECRET);
  });
});
