import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageProblems, type SlackMessage } from '../../../src/slack/blocks/limits.js';
import { EXAMPLE_QUESTIONS } from '../../../src/slack/blocks/question-answer.js';
import { catalogInfoYaml, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments-team', title: 'Payments team' }, spec: { type: 'team', children: [], members: ['alice'] } },
  { kind: 'User', metadata: { name: 'alice' }, spec: { profile: { displayName: 'Alice Ames', email: 'alice@acme.test' }, memberOf: [] } },
  { kind: 'Group', metadata: { name: 'maps-team' }, spec: { type: 'team', children: [] } },
  {
    kind: 'Component',
    metadata: { name: 'payments-api', description: 'Takes card payments <!channel> & refunds', links: [{ url: 'https://grafana.acme.test/payments', title: 'Dashboard' }] },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
  },
  { kind: 'Component', metadata: { name: 'geocoder', tags: ['geocoding'] }, spec: { type: 'service', lifecycle: 'production', owner: 'maps-team' } },
  { kind: 'API', metadata: { name: 'geocoding-api', description: 'Addresses to coordinates' }, spec: { type: 'openapi', lifecycle: 'production', owner: 'maps-team', definition: 'openapi: 3.0.0' } },
]);

interface PostedMessage extends SlackMessage {
  channel: string;
  thread_ts?: string;
  unfurl_links?: unknown;
}

describe.each(ENGINES)('Plain questions over HTTP on %s', (engine) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(engine, { catalogYaml: CATALOG });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const mention = (channel: string, text: string, extra: Record<string, unknown> = {}) =>
    ({ type: 'app_mention', channel, user: 'U0001', text, ts: '1700000000.000100', event_ts: '1700000000.000100', ...extra });
  const directMessage = (channel: string, text: string, extra: Record<string, unknown> = {}) =>
    ({ type: 'message', channel, channel_type: 'im', user: 'U0001', text, ts: '1700000000.000200', event_ts: '1700000000.000200', ...extra });

  /** What the app posted to a channel with chat.postMessage (the Web API client sends blocks as a JSON string). */
  const postedTo = (channel: string): PostedMessage[] =>
    harness.slack.calls
      .filter((call) => call.path === '/api/chat.postMessage' && call.body.channel === channel)
      .map((call) => ({ ...call.body, blocks: typeof call.body.blocks === 'string' ? JSON.parse(call.body.blocks) : call.body.blocks }) as PostedMessage);
  /** Answers arrive after the acknowledgement, so tests wait for them (up to 5 s). */
  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within 5 s`);
      await sleep(20);
    }
  };
  const answersIn = async (channel: string, count = 1): Promise<PostedMessage[]> => {
    await until(() => postedTo(channel).length >= count, `${count} answer(s) in ${channel}`);
    return postedTo(channel);
  };
  const blocksText = (message: SlackMessage) => JSON.stringify(message.blocks);

  it('answers "@Callboard who owns payments-api?" with the ownership card, in the thread of the mention', async () => {
    const channel = `C-own-${engine}`;
    const response = await harness.event(mention(channel, '<@UBOT> who owns payments-api?'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const [answer] = await answersIn(channel);
    expect(answer!.thread_ts).toBe('1700000000.000100');
    expect(answer!.text).toBe('payments-api is owned by Payments team');
    expect(blocksText(answer!)).toContain('*Owner:* Payments team');
    expect(blocksText(answer!)).toContain('&lt;!channel&gt; &amp; refunds');
    expect(blocksText(answer!)).not.toContain('<!channel>');
    // Everyone in the thread sees the answer already: nothing to share.
    expect(blocksText(answer!)).not.toContain('share_answer');
    expect(answer!.unfurl_links).toBe('false');
    expect(messageProblems(answer!)).toEqual([]);
  });

  it('answers a mention inside a thread in that thread', async () => {
    const channel = `C-thread-${engine}`;
    await harness.event(mention(channel, 'hey <@UBOT|callboard>, what does the payments team own?', { ts: '1700000000.000300', thread_ts: '1700000000.000001' }));
    const [answer] = await answersIn(channel);
    expect(answer!.thread_ts).toBe('1700000000.000001');
    expect(blocksText(answer!)).toContain('*Owns 1:* payments-api');
  });

  it('answers "is there a geocoding API?" in a direct message with the APIs that match', async () => {
    const channel = `D-find-${engine}`;
    await harness.event(directMessage(channel, 'is there a geocoding API?'));
    const [answer] = await answersIn(channel);
    expect(answer!.thread_ts).toBeUndefined();
    expect(answer!.text).toBe('1 result for geocoding kind:api');
    expect(blocksText(answer!)).toContain('geocoding-api');
    expect(blocksText(answer!)).not.toContain('geocoder');
    expect(blocksText(answer!)).not.toContain('share_find');
    expect(messageProblems(answer!)).toEqual([]);
  });

  it('lists the members of a team', async () => {
    const channel = `D-members-${engine}`;
    await harness.event(directMessage(channel, "who's on the payments team?"));
    const [answer] = await answersIn(channel);
    expect(answer!.text).toBe('Payments team: 1 member');
    expect(blocksText(answer!)).toContain('• Alice Ames (alice@acme.test)');
    expect(messageProblems(answer!)).toEqual([]);
  });

  it('answers an unknown question, and a greeting, with help and examples', async () => {
    const channel = `D-help-${engine}`;
    await harness.event(directMessage(channel, "what's the weather like on mars?"));
    const [unknown] = await answersIn(channel);
    expect(blocksText(unknown!)).toContain('I found nothing for *weather like mars*.');
    for (const example of EXAMPLE_QUESTIONS) expect(blocksText(unknown!)).toContain(example);
    await harness.event(directMessage(channel, 'hi <@UBOT>', { ts: '1700000000.000201' }));
    const [, greeting] = await answersIn(channel, 2);
    expect(blocksText(greeting!)).not.toContain('found nothing');
    expect(blocksText(greeting!)).toContain(EXAMPLE_QUESTIONS[0]);
  });

  it("ignores other bots' messages, edits, other subtypes, the app's own messages and messages outside direct messages", async () => {
    const channel = `D-ignored-${engine}`;
    const question = 'who owns payments-api?';
    const ignored = [
      directMessage(channel, question, { bot_id: 'B0OTHER' }),
      directMessage(channel, question, { subtype: 'bot_message', bot_id: 'B0OTHER' }),
      directMessage(channel, question, { subtype: 'message_changed', message: { text: question } }),
      directMessage(channel, question, { subtype: 'file_share' }),
      directMessage(channel, question, { user: 'UBOT' }),
      directMessage(channel, question, { bot_id: 'BBOT' }),
      directMessage(channel, question, { channel_type: 'channel' }),
      mention(channel, `<@UBOT> ${question}`, { bot_id: 'B0OTHER' }),
      mention(channel, `<@UBOT> ${question}`, { edited: { user: 'U0001', ts: '1700000000.000900' } }),
    ];
    for (const event of ignored) expect((await harness.event(event)).status).toBe(200);
    // Delivered after all of them: once it is answered, an answer to any of them would have been posted too.
    await harness.event(directMessage(channel, 'is there a geocoding API?', { ts: '1700000000.000999' }));
    const answers = await answersIn(channel);
    expect(answers.map((answer) => answer.text)).toEqual(['1 result for geocoding kind:api']);
  });

  it('answers an event Slack delivers again (x-slack-retry-num) once', async () => {
    const channel = `C-retry-${engine}`;
    const event = mention(channel, '<@UBOT> who owns payments-api?');
    const eventId = `Ev-retried-${engine}`;
    expect((await harness.event(event, { eventId })).status).toBe(200);
    await answersIn(channel);
    expect((await harness.event(event, { eventId, retryNum: 1 })).status).toBe(200);
    await until(() => harness.logLines.some((line) => line.msg === 'duplicate Slack delivery ignored' && line.key === `event:${eventId}`), 'recognising the retry');
    expect(postedTo(channel)).toHaveLength(1);
  });

  it('acknowledges before answering, and apologises in the thread when the answer cannot be posted', async () => {
    const channel = `C-failing-${engine}`;
    // Every attempt the client makes at the answer fails (it retries twice, after 0.5 s and 1 s); the apology goes through.
    harness.slack.failures.set('/api/chat.postMessage', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    const response = await harness.event(mention(channel, '<@UBOT> who owns payments-api?'));
    expect(response.status).toBe(200);
    // The acknowledgement came back while the answer was still being retried.
    expect(postedTo(channel).some((message) => String(message.text).startsWith('Sorry'))).toBe(false);
    const attempts = await answersIn(channel, 4);
    expect(attempts.slice(0, 3).every((attempt) => attempt.text === 'payments-api is owned by Payments team')).toBe(true);
    expect(attempts[3]!.text).toMatch(/^Sorry, that failed\. If it keeps failing, give your platform team reference [0-9a-f]{8}\.$/);
    expect(attempts[3]!.thread_ts).toBe('1700000000.000100');
  });
});
