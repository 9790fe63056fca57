import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageProblems, type SlackMessage } from '../../../src/slack/blocks/limits.js';
import { slackSignature } from '../../support/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET, catalogInfoYaml, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const CATALOG = catalogInfoYaml([
  {
    kind: 'Group',
    metadata: { name: 'payments-team', title: 'Payments team', annotations: { 'slack.com/channel': '#payments' } },
    spec: { type: 'team', children: [], members: ['alice', 'bob', 'carol'] },
  },
  { kind: 'User', metadata: { name: 'alice' }, spec: { profile: { displayName: 'Alice Ames', email: 'Alice@Acme.test' }, memberOf: [] } },
  { kind: 'User', metadata: { name: 'bob', annotations: { 'slack.com/user-id': 'U0BOB' } }, spec: { profile: { displayName: 'Bob Bell', email: 'bob@acme.test' }, memberOf: [] } },
  { kind: 'User', metadata: { name: 'carol' }, spec: { profile: { displayName: 'Carol Cho', email: 'carol@acme.test' }, memberOf: [] } },
  {
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      description: 'Takes card payments <!channel> & refunds',
      tags: ['go'],
      annotations: { 'pagerduty.com/service-id': 'PPAY1', 'backstage.io/source-location': 'url:https://github.com/acme/payments-api/tree/main/' },
      links: [{ url: 'https://grafana.acme.test/d/payments', title: 'Dashboard' }, { url: 'javascript:alert(1)', title: 'Evil' }],
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
  },
  { kind: 'Component', metadata: { name: 'legacy-cron' }, spec: { type: 'service', lifecycle: 'deprecated', owner: 'user:carol' } },
  { kind: 'Component', metadata: { name: 'orphan-job' }, spec: { type: 'service', lifecycle: 'production', owner: 'ghost-team' } },
  ...Array.from({ length: 14 }, (_, n) => ({ kind: 'Component', metadata: { name: `geo-worker-${n}`, description: `geocoding worker ${n}` }, spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' } })),
]);

describe.each(ENGINES)('Slack app over HTTP on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, { catalogYaml: CATALOG, prepare: (slack) => slack.usersByEmail.set('alice@acme.test', 'U0ALICE') });
  });
  afterAll(() => harness?.stop());

  /** Presses a button of a message whose response_url is responseUrl(responseName). */
  const press = (actionId: string, value: string, responseName: string) =>
    harness.interaction({
      type: 'block_actions',
      channel: { id: 'C0001' },
      response_url: harness.responseUrl(responseName),
      actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: '1' }],
    });
  /** The message a slash command is acknowledged with. */
  const answerTo = async (command: string, text: string) => (await (await harness.slashCommand(command, text)).json()) as SlackMessage;
  const texts = (message: SlackMessage) => JSON.stringify(message.blocks);

  it('answers /whoowns in the acknowledgement, escaped and within Block Kit limits', async () => {
    const response = await harness.slashCommand('/whoowns', 'payments-api');
    expect(response.status).toBe(200);
    const message = (await response.json()) as SlackMessage & { response_type: string };
    expect(message.response_type).toBe('ephemeral');
    expect(texts(message)).toContain('Payments team');
    expect(texts(message)).toContain('&lt;!channel&gt; &amp; refunds');
    expect(texts(message)).not.toContain('<!channel>');
    expect(messageProblems(message)).toEqual([]);
  });

  it("mentions the members Slack knows, by annotation or email, names the rest, and asks Slack about each email once at most", async () => {
    for (let round = 0; round < 2; round++) {
      expect(texts(await answerTo('/whoowns', 'payments-api'))).toContain('*Members:* <@U0ALICE>, <@U0BOB>, Carol Cho');
    }
    // The workspace listing at start usually answers for everyone; a card built before it lands
    // asks per email, and remembers the hit (Alice) and the miss (Carol). Bob's annotation needs neither.
    expect(harness.slack.calls.some((call) => call.path === '/api/users.list')).toBe(true);
    const lookups = harness.slack.calls.filter((call) => call.path === '/api/users.lookupByEmail').map((call) => String(call.body.email));
    expect(new Set(lookups).size).toBe(lookups.length);
    expect(lookups.every((email) => ['alice@acme.test', 'carol@acme.test'].includes(email))).toBe(true);
  });

  it("shows the team's channel, on-call and links on the card, never a javascript: link", async () => {
    const card = texts(await answerTo('/whoowns', 'payments-api'));
    expect(card).toContain('*Slack:* #payments');
    expect(card).toContain('<https://app.pagerduty.com/service-directory/PPAY1|PagerDuty service PPAY1>');
    expect(card).toContain('<https://github.com/acme/payments-api/tree/main/|Repository>');
    expect(card).toContain('<https://grafana.acme.test/d/payments|Dashboard>');
    expect(card).not.toContain('javascript:');
  });

  it('warns on the card when one person owns the entity, and when its owner is not in the catalog', async () => {
    expect(texts(await answerTo('/whoowns', 'legacy-cron'))).toContain('Owned by an individual (Carol Cho), not a team.');
    expect(texts(await answerTo('/whoowns', 'orphan-job'))).toContain('The owner group:default/ghost-team is not in the catalog.');
  });

  it('offers "did you mean" buttons for a typo, and pressing one replaces the message with that card', async () => {
    const message = await answerTo('/whoowns', 'paymnts-api');
    expect(texts(message)).toContain('No entity named *paymnts-api*');
    const suggestion = JSON.stringify(message.blocks).match(/"action_id":"(whoowns_suggestion:\d+)","value":"(component:default\/payments-api)"/);
    expect(suggestion).not.toBeNull();
    expect((await press(suggestion![1]!, suggestion![2]!, `suggestion-${engine}`)).status).toBe(200);
    const [replaced] = await harness.responses(`suggestion-${engine}`);
    expect(replaced!.body.replace_original).toBe(true);
    expect(JSON.stringify(replaced!.body.blocks)).toContain('Payments team');
  });

  it('refuses a bad signature, a stale timestamp and one from the future with 401, and answers none of them', async () => {
    const body = harness.commandBody('/whoowns', 'payments-api');
    const now = Math.floor(Date.now() / 1000);
    const postWith = async (headers: Record<string, string>) => (await harness.post(body, { headers })).status;
    expect(await postWith(slackSignature('wrong-secret', body))).toBe(401);
    expect(await postWith(slackSignature(SIGNING_SECRET, body, now - 360))).toBe(401);
    expect(await postWith(slackSignature(SIGNING_SECRET, body, now + 3_600))).toBe(401);
    expect(await postWith({ 'x-slack-request-timestamp': String(now) })).toBe(401);
    // The same request, correctly signed, is still answered: nothing above claimed its trigger.
    const answered = await harness.post(body);
    expect(JSON.stringify(await answered.json())).toContain('Payments team');
  });

  it('acknowledges a replayed command without answering it twice', async () => {
    const replayed = () => harness.slashCommand('/whoowns', 'payments-api', { trigger_id: `replayed-${engine}` });
    const first = await replayed();
    expect(JSON.stringify(await first.json())).toContain('Payments team');
    const replay = await replayed();
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe('');
  });

  it('pages /find results through the buttons, replacing the message', async () => {
    const first = await answerTo('/find', 'geocoding');
    expect(messageProblems(first)).toEqual([]);
    const next = JSON.stringify(first.blocks).match(/"action_id":"(find_page:next)","value":"((?:[^"\\]|\\.)*)"/);
    expect(next).not.toBeNull();
    const value = JSON.parse(`"${next![2]}"`) as string;
    expect(JSON.parse(value)).toEqual({ q: 'geocoding', offset: 10 });
    expect((await press(next![1]!, value, `find-${engine}`)).status).toBe(200);
    const [posted] = await harness.responses(`find-${engine}`);
    expect(posted!.body.replace_original).toBe(true);
    expect(JSON.stringify(posted!.body.blocks)).toContain('geo-worker');
    expect(messageProblems(posted!.body as unknown as SlackMessage)).toEqual([]);
  });

  it('answers /find stats, and an empty /find, with what the catalog holds', async () => {
    for (const text of ['stats', '']) {
      const message = await answerTo('/find', text);
      expect(texts(message)).toContain('21 entities in the catalog');
      expect(texts(message)).toContain('component 17');
      expect(texts(message)).toContain('*17 services:* 1 service in go');
    }
  });

  it('keeps later pages of results posted for everyone free of a Share button', async () => {
    expect((await press('find_page:prev', JSON.stringify({ q: 'geocoding', offset: 0, shared: true }), `shared-page-${engine}`)).status).toBe(200);
    const [posted] = await harness.responses(`shared-page-${engine}`);
    expect(JSON.stringify(posted!.body.blocks)).toContain('"find_page:next"');
    expect(JSON.stringify(posted!.body.blocks)).toContain('\\"shared\\":true');
    expect(JSON.stringify(posted!.body.blocks)).not.toContain('share_find');
  });

  it('shares an answer in the channel and removes the private copy', async () => {
    expect((await press('share_answer', 'payments-api', `share-${engine}`)).status).toBe(200);
    const posted = await harness.responses(`share-${engine}`, 2);
    expect(posted[0]!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(posted[0]!.body.blocks)).toContain('Payments team');
    expect(JSON.stringify(posted[0]!.body.blocks)).not.toContain('share_answer');
    expect(posted[1]!.body).toEqual({ delete_original: true });
  });

  it('shares a page of /find results in the channel', async () => {
    expect((await press('share_find', JSON.stringify({ q: 'geocoding', offset: 10 }), `share-find-${engine}`)).status).toBe(200);
    const posted = await harness.responses(`share-find-${engine}`, 2);
    expect(posted[0]!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(posted[0]!.body.blocks)).toContain('geo-worker');
    expect(JSON.stringify(posted[0]!.body.blocks)).not.toContain('share_find');
    expect(posted[1]!.body).toEqual({ delete_original: true });
  });

  it('serves liveness and readiness', async () => {
    expect((await fetch(`${harness.appUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${harness.appUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', entities: 21 });
  });

  it('never writes the bot token or signing secret to a log line', () => {
    const lines = harness.logLines.map((line) => JSON.stringify(line)).join('\n');
    expect(lines).not.toContain(BOT_TOKEN);
    expect(lines).not.toContain(SIGNING_SECRET);
  });
});
