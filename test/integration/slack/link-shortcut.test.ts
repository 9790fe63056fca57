import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KnownBlock, SectionBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogService, type CatalogService } from '../../../src/catalog/catalog-service.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/client.js';
import { SHORTCUTS } from '../../../src/slack/blocks/action-ids.js';
import { messageProblems, type SlackMessage } from '../../../src/slack/blocks/limits.js';
import { startSlackApp, type RunningSlackApp } from '../../../src/slack/slack-app.js';
import { captureLogger } from '../../support/capture-logger.js';
import { FakeSlack, slackSignature } from '../../support/fake-slack.js';
import { ENGINES, createTestDatabase } from '../../support/test-database.js';

const SECRET = 'test-signing-secret';
const BACKSTAGE = 'https://backstage.acme.test';
const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments-team
  title: Payments team
  annotations:
    slack.com/channel: "#payments"
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: web-team
  title: Web team
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  description: "Takes card payments <!channel>"
  annotations:
    github.com/project-slug: acme/mono
    backstage.io/source-location: url:https://github.com/acme/mono/tree/main/services/payments/
  links:
    - url: https://runbooks.acme.test/payments/payments-api
      title: Runbook
spec:
  type: service
  lifecycle: production
  owner: payments-team
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout-web
  annotations:
    github.com/project-slug: acme/mono
    backstage.io/source-location: url:https://github.com/acme/mono/tree/main/web/checkout/
spec:
  type: website
  lifecycle: production
  owner: web-team
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations:
    github.com/project-slug: acme/ledger
spec:
  type: service
  lifecycle: production
  owner: payments-team
`;

const FILE_URL = 'https://github.com/acme/mono/blob/main/services/payments/src/charge.ts';
const PULL_URL = 'https://github.com/acme/ledger/pull/12';
const RUNBOOK_URL = 'https://runbooks.acme.test/payments/payments-api/incidents?since=monday&team=payments';
const UNKNOWN_URL = 'https://example.com/somewhere';
const ENTITY_PAGE = `${BACKSTAGE}/catalog/default/component/payments-api`;

describe.each(ENGINES)('"Who owns these links?" and catalog unfurls over HTTP on %s', (engine) => {
  let database: Database;
  let folder: string;
  let catalog: CatalogService;
  let slack: FakeSlack;
  let app: RunningSlackApp;
  let base: string;
  let fakeUrl: string;
  let deliveries = 0;
  const captured = captureLogger();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    folder = mkdtempSync(path.join(tmpdir(), 'callboard-links-'));
    writeFileSync(path.join(folder, 'catalog-info.yaml'), CATALOG);
    const config = { ...loadConfig({ files: [], env: {} }), app: { baseUrl: BACKSTAGE } };
    catalog = createCatalogService({ database, config, github: () => undefined, logger: captured.logger });
    await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
    slack = new FakeSlack();
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

  const post = (body: string, contentType: string) =>
    fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...slackSignature(SECRET, body) }, body });
  /** A message shortcut on `message`, answered through `/response/<responsePath>`. */
  const shortcut = (message: Record<string, unknown>, responsePath: string) =>
    new URLSearchParams({
      payload: JSON.stringify({
        type: 'message_action',
        callback_id: SHORTCUTS.linkOwners,
        trigger_id: `trigger-${engine}-${++deliveries}`,
        action_ts: '1700000000.000100',
        message_ts: '1700000000.000001',
        response_url: `${fakeUrl}/response/${responsePath}`,
        team: { id: 'T0001', domain: 'acme' },
        user: { id: 'U0001', name: 'alice' },
        channel: { id: 'C0001', name: 'payments' },
        message: { type: 'message', user: 'U0002', ts: '1700000000.000001', ...message },
        token: 'legacy',
      }),
    }).toString();
  const linkShared = (links: string[], target: Record<string, string>) =>
    JSON.stringify({
      token: 'legacy',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: `Ev-${engine}-${++deliveries}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'link_shared', channel: 'C0001', user: 'U0001', message_ts: '1700000000.000002', is_bot_user_member: true, links: links.map((url) => ({ domain: new URL(url).hostname, url })), ...target },
    });
  const sectionTexts = (blocks: KnownBlock[]) => blocks.flatMap((block) => (block.type === 'section' && (block as SectionBlock).text ? [(block as SectionBlock).text!.text] : []));

  it('answers ephemerally, in the channel, who owns each link of the message and which are not in the catalog', async () => {
    const text = `Failing in <${FILE_URL}|charge.ts>, fixed by <${PULL_URL}>; see <${RUNBOOK_URL.replace(/&/g, '&amp;')}> and <${UNKNOWN_URL}>. cc <@U0003>`;
    const blocks = [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'link', url: FILE_URL, text: 'charge.ts' }] }] }];
    const body = shortcut({ text, blocks, attachments: [{ from_url: ENTITY_PAGE, title_link: ENTITY_PAGE }] }, `links-${engine}`);
    const response = await post(body, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);

    const [posted] = await slack.next(`/response/links-${engine}`);
    const message = posted!.body as unknown as SlackMessage & { response_type: string; replace_original: boolean };
    expect(message).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(messageProblems(message)).toEqual([]);
    const sections = sectionTexts(message.blocks);
    expect(sections[0]).toContain('4 of 5 links are in the catalog');
    const about = (url: string) => sections.find((section) => section.startsWith(`<${url.replace(/&/g, '&amp;')}|`));
    expect(about(FILE_URL)).toContain('*Payments API* · component · owned by *Payments team* · #payments');
    expect(about(FILE_URL)).toContain('Matched by source location https://github.com/acme/mono/tree/main/services/payments/');
    expect(about(PULL_URL)).toContain('*ledger* · component · owned by *Payments team*');
    expect(about(PULL_URL)).toContain('Matched by repository acme/ledger');
    expect(about(RUNBOOK_URL)).toContain('Matched by link "Runbook"');
    expect(about(ENTITY_PAGE)).toContain('Matched by its catalog page');
    const notInCatalog = sections.find((section) => section.startsWith('*Not in the catalog*'));
    expect(notInCatalog).toBe(`*Not in the catalog*\n• <${UNKNOWN_URL}|example.com/somewhere>`);
    // The file link appears in the text and in the rich text, and is answered once.
    expect(sections.filter((section) => section.includes(FILE_URL))).toHaveLength(1);
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
  });

  it('answers the first 25 links of a long message and says how many were left out', async () => {
    const known = Array.from({ length: 20 }, (_, n) => `<https://runbooks.acme.test/payments/payments-api/incident-${n}>`);
    const unknown = Array.from({ length: 10 }, (_, n) => `<https://example.com/page-${n}>`);
    const body = shortcut({ text: [...known, ...unknown].join(' ') }, `many-links-${engine}`);
    expect((await post(body, 'application/x-www-form-urlencoded')).status).toBe(200);
    const [posted] = await slack.next(`/response/many-links-${engine}`);
    const message = posted!.body as unknown as SlackMessage;
    expect(messageProblems(message)).toEqual([]);
    expect(sectionTexts(message.blocks)[0]).toContain('20 of 25 links are in the catalog');
    expect(JSON.stringify(message.blocks.at(-1))).toContain('5 more links in the message were not looked up.');
  });

  it('says so when the message has no links', async () => {
    const body = shortcut({ text: 'Nothing to see here <@U0003>' }, `no-links-${engine}`);
    expect((await post(body, 'application/x-www-form-urlencoded')).status).toBe(200);
    const [posted] = await slack.next(`/response/no-links-${engine}`);
    expect(posted!.body.text).toBe('That message has no links to look up.');
  });

  it('apologises through the same response_url when the answer cannot be posted', async () => {
    slack.failures.set(`/response/failing-${engine}`, [{ status: 500 }]);
    const body = shortcut({ text: `<${PULL_URL}>` }, `failing-${engine}`);
    expect((await post(body, 'application/x-www-form-urlencoded')).status).toBe(200);
    const [, apology] = await slack.next(`/response/failing-${engine}`, 2);
    expect(String(apology!.body.text)).toMatch(/^Sorry, that failed\. .*reference [0-9a-f]{8}\.$/);
  });

  it('unfurls links to catalog entity pages with their owner, keyed by URL, and leaves other links alone', async () => {
    const before = slack.calls.filter((call) => call.path === '/api/chat.unfurl').length;
    const nothingOurs = linkShared([`${BACKSTAGE}/create`, `${BACKSTAGE}/catalog/default/component/not-there`], { channel: 'C0001' });
    expect((await post(nothingOurs, 'application/json')).status).toBe(200);
    const tab = `${ENTITY_PAGE}/ci-cd`;
    const event = linkShared([ENTITY_PAGE, tab, `${BACKSTAGE}/catalog/default/component/not-there`], { unfurl_id: 'C0001.1700000000.000002.abc', source: 'conversations_history' });
    expect((await post(event, 'application/json')).status).toBe(200);

    const unfurls = (await slack.next('/api/chat.unfurl', before + 1)).slice(before);
    expect(unfurls).toHaveLength(1);
    const call = unfurls[0]!.body;
    expect(call).toMatchObject({ unfurl_id: 'C0001.1700000000.000002.abc', source: 'conversations_history' });
    const byUrl = JSON.parse(String(call.unfurls)) as Record<string, { blocks: KnownBlock[] }>;
    expect(Object.keys(byUrl).sort()).toEqual([ENTITY_PAGE, tab]);
    expect(sectionTexts(byUrl[ENTITY_PAGE]!.blocks)).toEqual(['*Payments API* · component · owned by *Payments team* · #payments']);
    expect(JSON.stringify(byUrl[ENTITY_PAGE]!.blocks)).toContain('Takes card payments &lt;!channel&gt;');
  });

  it('addresses an unfurl by channel and message when the event carries no unfurl id', async () => {
    const before = slack.calls.filter((call) => call.path === '/api/chat.unfurl').length;
    const page = `${BACKSTAGE}/catalog/default/component/ledger`;
    expect((await post(linkShared([page], { channel: 'C0001' }), 'application/json')).status).toBe(200);
    const [call] = (await slack.next('/api/chat.unfurl', before + 1)).slice(before);
    expect(call!.body).toMatchObject({ channel: 'C0001', ts: '1700000000.000002' });
    expect(Object.keys(JSON.parse(String(call!.body.unfurls)) as object)).toEqual([page]);
  });
});
