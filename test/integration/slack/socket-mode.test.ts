import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageProblems, type SlackMessage } from '../../../src/slack/blocks/limits.js';
import { startSlackApp, type RunningSlackApp } from '../../../src/slack/slack-app.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { FakeSocketMode } from '../../support/fake-socket-mode.js';
import { BOT_TOKEN, catalogInfoYaml, DEFAULT_SLACK, createTestCatalog, type TestCatalog } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const APP_TOKEN = 'xapp-1-test-app-token';
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments-team', title: 'Payments team' }, spec: { type: 'team', children: [] } },
  { kind: 'Component', metadata: { name: 'payments-api', description: 'Takes card payments <!channel> & refunds' }, spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' } },
]);

describe.each(ENGINES)('Slack app in Socket Mode on %s', (engine) => {
  let testCatalog: TestCatalog;
  let socket: FakeSocketMode;
  let slack: FakeSlack;
  let app: RunningSlackApp;
  let fakeUrl: string;
  let deliveries = 0;

  beforeAll(async () => {
    testCatalog = await createTestCatalog(engine, CATALOG);
    socket = new FakeSocketMode();
    slack = new FakeSlack();
    slack.socketModeUrl = await socket.start();
    fakeUrl = await slack.start();
    const { catalog, database, logger, scaffolder } = testCatalog;
    app = await startSlackApp({ slack: { ...DEFAULT_SLACK, port: 0, botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: `${fakeUrl}/api/` }, catalog, db: database.db, logger, scaffolder });
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
    await socket?.stop();
    await testCatalog?.stop();
  });

  const connectionOpens = () => slack.calls.filter((call) => call.path === '/api/apps.connections.open');
  const slashCommand = (command: string, text: string) => {
    const id = `${engine}-${++deliveries}`;
    return socket.send({
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'legacy',
        team_id: 'T0001',
        team_domain: 'northwind',
        channel_id: 'C0001',
        channel_name: 'general',
        user_id: 'U0001',
        user_name: 'ada',
        command,
        text,
        api_app_id: 'A0CALLBOARD',
        is_enterprise_install: 'false',
        response_url: `${fakeUrl}/response/command-${id}`,
        trigger_id: `trigger-${id}`,
      },
    });
  };
  const answerOf = async (envelopeId: string) => {
    const [ack] = await socket.acksFor(envelopeId);
    return ack!.payload as unknown as SlackMessage & { response_type?: string };
  };

  it('connects with the app token through the configured Web API URL, and serves only the probes on its port', async () => {
    expect(app.transport).toBe('socket-mode');
    expect(connectionOpens()).toHaveLength(1);
    expect(connectionOpens()[0]!.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(slack.calls.find((call) => call.path === '/api/auth.test')?.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const base = `http://127.0.0.1:${app.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', entities: 2 });
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: 'command=%2Fwhoowns' })).status).toBe(404);
  });

  it('acknowledges a /whoowns envelope with the ownership card, escaped and within Block Kit limits', async () => {
    const answer = await answerOf(slashCommand('/whoowns', 'payments-api'));
    expect(answer.response_type).toBe('ephemeral');
    const blocks = JSON.stringify(answer.blocks);
    expect(blocks).toContain('Payments team');
    expect(blocks).toContain('&lt;!channel&gt; &amp; refunds');
    expect(blocks).not.toContain('<!channel>');
    expect(messageProblems(answer)).toEqual([]);
  });

  it('acknowledges a button press at once and answers it through its response_url', async () => {
    const id = `${engine}-${++deliveries}`;
    const envelopeId = socket.send({
      type: 'interactive',
      accepts_response_payload: false,
      payload: {
        type: 'block_actions',
        team: { id: 'T0001' },
        user: { id: 'U0001' },
        channel: { id: 'C0001' },
        api_app_id: 'A0CALLBOARD',
        trigger_id: `trigger-${id}`,
        response_url: `${fakeUrl}/response/share-${id}`,
        actions: [{ action_id: 'share_answer', block_id: 'b', type: 'button', value: 'payments-api', action_ts: '1' }],
      },
    });
    const [ack] = await socket.acksFor(envelopeId);
    expect(ack!.payload).toEqual({});
    const posted = await slack.next(`/response/share-${id}`, 2);
    expect(posted[0]!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(posted[0]!.body.blocks)).toContain('Payments team');
    expect(posted[1]!.body).toEqual({ delete_original: true });
  });

  it('acknowledges an event redelivered with the same event_id, and handles it only once', async () => {
    const eventId = `Ev-${engine}-${++deliveries}`;
    const payload = {
      token: 'legacy',
      team_id: 'T0001',
      api_app_id: 'A0CALLBOARD',
      type: 'event_callback',
      event_id: eventId,
      event_time: 1_700_000_000,
      event: { type: 'app_mention', user: 'U0001', text: '<@UBOT> who owns payments-api?', ts: '1700000000.000100', channel: 'C0001', event_ts: '1700000000.000100' },
      authorizations: [{ enterprise_id: null, team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    };
    const first = socket.send({ type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '', payload });
    await socket.acksFor(first);
    const retry = socket.send({ type: 'events_api', accepts_response_payload: false, retry_attempt: 1, retry_reason: 'timeout', payload });
    await socket.acksFor(retry);
    const ignored = () => testCatalog.logLines.filter((line) => line.msg === 'duplicate Slack delivery ignored' && line.key === `event:${eventId}`);
    await socket.until(() => ignored().length > 0, 'duplicate-delivery log line');
    expect(ignored()).toHaveLength(1);
  });

  it('reconnects when Slack asks it to, and answers on the new connection', async () => {
    socket.requestRefresh();
    await socket.until(() => socket.connections.length === 2 && socket.open === 1, 'second connection');
    expect(connectionOpens()).toHaveLength(2);
    const answer = await answerOf(slashCommand('/whoowns', 'payments-api'));
    expect(JSON.stringify(answer.blocks)).toContain('Payments team');
  });

  it('never writes the app token or the bot token to a log line', () => {
    const lines = testCatalog.logLines.map((line) => JSON.stringify(line)).join('\n');
    expect(lines).not.toContain(APP_TOKEN);
    expect(lines).not.toContain(BOT_TOKEN);
  });

  it('closes the socket on stop and does not reconnect', async () => {
    await app.stop();
    await socket.until(() => socket.open === 0, 'closed connection');
    expect(connectionOpens()).toHaveLength(2);
    await expect(fetch(`http://127.0.0.1:${app.port}/healthz`)).rejects.toThrow();
  });
});
