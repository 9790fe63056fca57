import type { KnownBlock, SectionBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../../../src/slack/blocks/action-ids.js';
import { messageProblems, type SlackMessage } from '../../../src/slack/blocks/limits.js';
import { catalogInfoYaml, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const BACKSTAGE = 'https://backstage.acme.test';
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments-team', title: 'Payments team', annotations: { 'slack.com/channel': '#payments' } }, spec: { type: 'team', children: [] } },
  { kind: 'Group', metadata: { name: 'web-team', title: 'Web team' }, spec: { type: 'team', children: [] } },
  {
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      title: 'Payments API',
      description: 'Takes card payments <!channel>',
      annotations: { 'github.com/project-slug': 'acme/mono', 'backstage.io/source-location': 'url:https://github.com/acme/mono/tree/main/services/payments/' },
      links: [{ url: 'https://runbooks.acme.test/payments/payments-api', title: 'Runbook' }],
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
  },
  {
    kind: 'Component',
    metadata: { name: 'checkout-web', annotations: { 'github.com/project-slug': 'acme/mono', 'backstage.io/source-location': 'url:https://github.com/acme/mono/tree/main/web/checkout/' } },
    spec: { type: 'website', lifecycle: 'production', owner: 'web-team' },
  },
  { kind: 'Component', metadata: { name: 'ledger', annotations: { 'github.com/project-slug': 'acme/ledger' } }, spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' } },
]);

const FILE_URL = 'https://github.com/acme/mono/blob/main/services/payments/src/charge.ts';
const PULL_URL = 'https://github.com/acme/ledger/pull/12';
const RUNBOOK_URL = 'https://runbooks.acme.test/payments/payments-api/incidents?since=monday&team=payments';
const UNKNOWN_URL = 'https://example.com/somewhere';
const ENTITY_PAGE = `${BACKSTAGE}/catalog/default/component/payments-api`;

describe.each(ENGINES)('"Who owns these links?" and catalog unfurls over HTTP on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, { catalogYaml: CATALOG, config: { app: { baseUrl: BACKSTAGE } } });
  });
  afterAll(() => harness?.stop());

  /** The message shortcut on `message`, answered through responseUrl(responseName). */
  const shortcut = (message: Record<string, unknown>, responseName: string) =>
    harness.interaction({
      type: 'message_action',
      callback_id: SHORTCUTS.linkOwners,
      action_ts: '1700000000.000100',
      message_ts: '1700000000.000001',
      response_url: harness.responseUrl(responseName),
      team: { id: 'T0001', domain: 'acme' },
      user: { id: 'U0001', name: 'alice' },
      channel: { id: 'C0001', name: 'payments' },
      message: { type: 'message', user: 'U0002', ts: '1700000000.000001', ...message },
      token: 'legacy',
    });
  const linkShared = (links: string[], target: Record<string, string>) =>
    harness.event({ type: 'link_shared', channel: 'C0001', user: 'U0001', message_ts: '1700000000.000002', is_bot_user_member: true, links: links.map((url) => ({ domain: new URL(url).hostname, url })), ...target });
  const unfurlCalls = () => harness.slack.calls.filter((call) => call.path === '/api/chat.unfurl').length;
  const sectionTexts = (blocks: KnownBlock[]) => blocks.flatMap((block) => (block.type === 'section' && (block as SectionBlock).text ? [(block as SectionBlock).text!.text] : []));

  it('answers ephemerally, in the channel, who owns each link of the message and which are not in the catalog', async () => {
    const text = `Failing in <${FILE_URL}|charge.ts>, fixed by <${PULL_URL}>; see <${RUNBOOK_URL.replace(/&/g, '&amp;')}> and <${UNKNOWN_URL}>. cc <@U0003>`;
    const blocks = [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'link', url: FILE_URL, text: 'charge.ts' }] }] }];
    const response = await shortcut({ text, blocks, attachments: [{ from_url: ENTITY_PAGE, title_link: ENTITY_PAGE }] }, `links-${engine}`);
    expect(response.status).toBe(200);

    const [posted] = await harness.responses(`links-${engine}`);
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
    expect((await shortcut({ text: [...known, ...unknown].join(' ') }, `many-links-${engine}`)).status).toBe(200);
    const [posted] = await harness.responses(`many-links-${engine}`);
    const message = posted!.body as unknown as SlackMessage;
    expect(messageProblems(message)).toEqual([]);
    expect(sectionTexts(message.blocks)[0]).toContain('20 of 25 links are in the catalog');
    expect(JSON.stringify(message.blocks.at(-1))).toContain('5 more links in the message were not looked up.');
  });

  it('says so when the message has no links', async () => {
    expect((await shortcut({ text: 'Nothing to see here <@U0003>' }, `no-links-${engine}`)).status).toBe(200);
    const [posted] = await harness.responses(`no-links-${engine}`);
    expect(posted!.body.text).toBe('That message has no links to look up.');
  });

  it('apologises through the same response_url when the answer cannot be posted', async () => {
    const failing = `failing-${engine}`;
    harness.slack.failures.set(new URL(harness.responseUrl(failing)).pathname, [{ status: 500 }]);
    expect((await shortcut({ text: `<${PULL_URL}>` }, failing)).status).toBe(200);
    const [, apology] = await harness.responses(failing, 2);
    expect(String(apology!.body.text)).toMatch(/^Sorry, that failed\. .*reference [0-9a-f]{8}\.$/);
  });

  it('unfurls links to catalog entity pages with their owner, keyed by URL, and leaves other links alone', async () => {
    const before = unfurlCalls();
    expect((await linkShared([`${BACKSTAGE}/create`, `${BACKSTAGE}/catalog/default/component/not-there`], { channel: 'C0001' })).status).toBe(200);
    const tab = `${ENTITY_PAGE}/ci-cd`;
    const unfurled = await linkShared([ENTITY_PAGE, tab, `${BACKSTAGE}/catalog/default/component/not-there`], { unfurl_id: 'C0001.1700000000.000002.abc', source: 'conversations_history' });
    expect(unfurled.status).toBe(200);

    const unfurls = (await harness.slack.next('/api/chat.unfurl', before + 1)).slice(before);
    expect(unfurls).toHaveLength(1);
    const call = unfurls[0]!.body;
    expect(call).toMatchObject({ unfurl_id: 'C0001.1700000000.000002.abc', source: 'conversations_history' });
    const byUrl = JSON.parse(String(call.unfurls)) as Record<string, { blocks: KnownBlock[] }>;
    expect(Object.keys(byUrl).sort()).toEqual([ENTITY_PAGE, tab]);
    expect(sectionTexts(byUrl[ENTITY_PAGE]!.blocks)).toEqual(['*Payments API* · component · owned by *Payments team* · #payments']);
    expect(JSON.stringify(byUrl[ENTITY_PAGE]!.blocks)).toContain('Takes card payments &lt;!channel&gt;');
  });

  it('addresses an unfurl by channel and message when the event carries no unfurl id', async () => {
    const before = unfurlCalls();
    const page = `${BACKSTAGE}/catalog/default/component/ledger`;
    expect((await linkShared([page], { channel: 'C0001' })).status).toBe(200);
    const [call] = (await harness.slack.next('/api/chat.unfurl', before + 1)).slice(before);
    expect(call!.body).toMatchObject({ channel: 'C0001', ts: '1700000000.000002' });
    expect(Object.keys(JSON.parse(String(call!.body.unfurls)) as object)).toEqual([page]);
  });
});
