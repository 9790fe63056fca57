import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { nudgeDeliveries, nudgedChecks } from '../../../src/db/schema.js';
import { jobRunner } from '../../../src/jobs/scheduled-job.js';
import { BUILT_IN_COLLECTORS } from '../../../src/scorecards/collectors/built-in.js';
import { deliveriesOfSlot } from '../../../src/scorecards/nudge-ledger.js';
import { nudgeJob } from '../../../src/scorecards/nudge-job.js';
import { runNudges, type NudgeRunReport } from '../../../src/scorecards/nudge-run.js';
import type { NudgeSettings } from '../../../src/scorecards/nudge-planner.js';
import { loadScorecards } from '../../../src/scorecards/scorecard-library.js';
import { createScorecardService, type ScorecardService } from '../../../src/scorecards/scorecard-service.js';
import { slackNudgeSender } from '../../../src/slack/nudge-sender.js';
import { createPeopleDirectory } from '../../../src/slack/people.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { BOT_TOKEN, catalogInfoYaml, createTestCatalog, type TestCatalog } from '../../support/slack-harness.js';
import { ENGINES } from '../../support/test-database.js';

const service = (name: string, owner: string) => ({ kind: 'Component', metadata: { name }, spec: { type: 'service', lifecycle: 'production', owner } });
const user = (name: string) => ({ kind: 'User', metadata: { name }, spec: { profile: { email: `${name}@example.com` }, memberOf: [] } });
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments', annotations: { 'slack.com/channel': 'team-payments' } }, spec: { type: 'team', children: [] } },
  { kind: 'Group', metadata: { name: 'search' }, spec: { type: 'team', children: [], members: ['bob', 'carol'] } },
  { kind: 'Group', metadata: { name: 'maps', annotations: { 'slack.com/channel': 'C0MAPS' } }, spec: { type: 'team', children: [] } },
  user('bob'),
  user('carol'),
  user('dave'),
  service('ledger', 'payments'),
  service('finder', 'search'),
  service('dave-tool', 'user:dave'),
  service('geocoder', 'maps'),
  service('lost', 'ghosts'),
]);
const ALWAYS: NudgeSettings = { intervalDays: 7, workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }, platformChannel: 'C0PLATFORM', timezones: {} };
// The real clock's minute: Slack stamps its messages with it, and an interrupted send is looked for around its time.
const SLOT = new Date(Math.floor(Date.now() / 60_000) * 60_000);

/** Each delivery's id in the messages Slack holds, so a repeat shows as a count of two. */
const postedDeliveries = (slack: FakeSlack) => slack.messages.map((message) => (message.metadata as { event_payload?: { delivery?: string } } | undefined)?.event_payload?.delivery);
/** How many messages each channel got: more than one in a run is a team nudged twice. */
const perChannel = (slack: FakeSlack) => Object.fromEntries([...new Set(slack.messages.map((message) => message.channel))].map((channel) => [channel, slack.messages.filter((message) => message.channel === channel).length]));

describe.each(ENGINES)('nudge runs through the ledger on %s', (engine) => {
  let catalog: TestCatalog;
  let slack: FakeSlack;
  let slackUrl: string;
  let scorecards: ScorecardService;

  beforeAll(async () => {
    catalog = await createTestCatalog(engine, CATALOG);
    scorecards = createScorecardService({ db: catalog.database.db, catalog: catalog.catalog, library: loadScorecards({ folders: [], collectors: BUILT_IN_COLLECTORS }), collectors: BUILT_IN_COLLECTORS, nudges: ALWAYS });
    await scorecards.evaluateAndRecord();
  });
  afterAll(() => catalog?.stop());
  // A fresh loopback Slack per test: its messages are what each test counts.
  beforeEach(async () => {
    slack = new FakeSlack();
    slackUrl = await slack.start();
    slack.channels.set('team-payments', 'C0PAYMENTS');
    slack.usersByEmail.set('bob@example.com', 'U0BOB');
    slack.usersByEmail.set('dave@example.com', 'U0DAVE');
    slack.timezones.set('U0BOB', 'Asia/Tokyo');
  });
  afterEach(async () => {
    await slack.stop();
    await catalog.database.db.delete(nudgeDeliveries);
    await catalog.database.db.delete(nudgedChecks);
  });

  const sender = (options: { timeoutMs?: number } = {}) => {
    const client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: `${slackUrl}/api/`, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: options.timeoutMs ?? 5_000 });
    return slackNudgeSender({ client, view: catalog.catalog.view, people: createPeopleDirectory(client, catalog.logger), logger: catalog.logger, channelIntervalMs: 50 });
  };
  const run = (slot = SLOT, send = sender()) => runNudges({ db: catalog.database.db, slot, sender: send, logger: catalog.logger, plan: (at, inFlight) => scorecards.planNudges(at, { timezoneOf: send.timezoneOf!, inFlight }), now: () => new Date(slot.getTime() + 1_000) });

  it('sends each team one message: to its channel, else each member by DM; a person-owned entity to that person; orphans to the platform channel', async () => {
    const report = await run();
    const sent = report.sent.map((item) => `${item.team} → ${item.recipient} (${item.channel})`).sort();
    expect(sent).toEqual([
      'group:default/maps → C0MAPS (C0MAPS)',
      'group:default/payments → team-payments (C0PAYMENTS)',
      'group:default/search → user:default/bob (D0BOB)',
      'platform → C0PLATFORM (C0PLATFORM)',
      'user:default/dave → user:default/dave (D0DAVE)',
    ]);
    // Carol has no Slack user with her email: said so, with what to do, and nobody else is held up.
    expect(report.undeliverable).toEqual([{ team: 'group:default/search', recipient: 'user:default/carol', reason: expect.stringContaining('user:default/carol is not in Slack') }]);
    const dave = slack.messages.find((message) => message.channel === 'D0DAVE')!;
    expect(JSON.stringify(dave.blocks)).toContain('hand it to a team by setting `spec.owner` to a Group');
    const payments = JSON.stringify(slack.messages.find((message) => message.channel === 'C0PAYMENTS')!.blocks);
    expect(payments).toContain('Snooze 1 week');
    expect(payments).toContain('Add one sentence under metadata.description');
    const rows = await deliveriesOfSlot(catalog.database.db, SLOT);
    expect(rows.map((row) => row.status).sort()).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'undeliverable']);
  });

  it('sends nothing again within the interval, and again once it has passed', async () => {
    await run();
    const posted = slack.messages.length;
    const soon = await run(new Date(SLOT.getTime() + 3_600_000));
    expect(soon.sent).toEqual([]);
    expect(slack.messages).toHaveLength(posted);
    const weekLater = await run(new Date(SLOT.getTime() + 8 * 24 * 3_600_000));
    expect(weekLater.sent).toHaveLength(5);
  });

  it('waits out a 429 for its Retry-After and sends the message once', async () => {
    slack.failures.set('/api/chat.postMessage', [{ status: 429, headers: { 'retry-after': '1' } }]);
    const started = Date.now();
    const report = await run();
    expect(report.sent).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(new Set(postedDeliveries(slack)).size).toBe(slack.messages.length);
  });

  it('two replicas racing for the same time send each message once', async () => {
    const reports: NudgeRunReport[] = [];
    const replica = (holder: string) => {
      const send = sender();
      return jobRunner(nudgeJob({ db: catalog.database.db, scorecards, sender: send, schedule: '0 9 * * *', timezone: 'UTC', logger: catalog.logger, onReport: (report) => reports.push(report) }), { db: catalog.database.db, logger: catalog.logger, holder });
    };
    const outcomes = await Promise.all([replica('a').runFor(SLOT), replica('b').runFor(SLOT)]);
    expect(outcomes.sort()).toEqual(expect.arrayContaining(['ran']));
    expect(outcomes.filter((outcome) => outcome === 'ran')).toHaveLength(1);
    expect(reports).toHaveLength(1);
    expect(slack.messages).toHaveLength(5);
    expect(new Set(postedDeliveries(slack)).size).toBe(5);
  });

  it('finishes what a stopped or failed run left: a message Slack had is recorded, not sent again; one it never got is planned and sent', async () => {
    // Slack posts the third message but its answer never comes; the fourth never reaches it.
    slack.postBehaviours.push('answer', 'answer', 'post-then-hang', 'hang');
    const failing = await run(SLOT, sender({ timeoutMs: 300 }));
    expect(failing.sent).toHaveLength(3);
    expect(failing.pending).toHaveLength(2);
    expect(slack.messages).toHaveLength(4);
    // A replica killed mid-send leaves its delivery as `sending`.
    const [first] = (await deliveriesOfSlot(catalog.database.db, SLOT)).filter((row) => row.status === 'pending');
    await catalog.database.db.update(nudgeDeliveries).set({ status: 'sending' }).where(eq(nudgeDeliveries.id, first!.id));
    const resumed = await run(new Date(SLOT.getTime() + 3_600_000));
    expect(resumed).toMatchObject({ confirmed: 1, superseded: 1 });
    expect(resumed.sent).toHaveLength(1);
    expect(slack.messages).toHaveLength(5);
    expect(Object.values(perChannel(slack))).toEqual([1, 1, 1, 1, 1]);
    expect((await deliveriesOfSlot(catalog.database.db, SLOT)).map((row) => row.status).sort()).toEqual(['sent', 'sent', 'sent', 'sent', 'superseded', 'undeliverable']);
  });

  it('leaves a send begun moments ago alone, and does not nudge its checks twice meanwhile', async () => {
    slack.postBehaviours.push('post-then-hang');
    await run(SLOT, sender({ timeoutMs: 300 }));
    const [cut] = (await deliveriesOfSlot(catalog.database.db, SLOT)).filter((row) => row.status === 'pending');
    // As a replica that lost its lease a minute ago, still waiting for Slack, leaves it.
    await catalog.database.db.update(nudgeDeliveries).set({ status: 'sending', attemptedAt: new Date(SLOT.getTime() + 60_000) }).where(eq(nudgeDeliveries.id, cut!.id));
    const soon = await run(new Date(SLOT.getTime() + 2 * 60_000));
    expect(soon.sent).toEqual([]);
    expect(soon.confirmed).toBe(0);
    expect(Object.values(perChannel(slack))).toEqual([1, 1, 1, 1, 1]);
  });

  it('leaves the rest for the next run when Slack keeps failing, and a channel that refuses as undeliverable', async () => {
    slack.refusedChannels.set('C0MAPS', 'not_in_channel');
    slack.failures.set('/api/chat.postMessage', Array.from({ length: 3 }, () => ({ status: 500 })));
    const failing = await run();
    expect(failing.undeliverable).toEqual(expect.arrayContaining([{ team: 'group:default/maps', recipient: 'C0MAPS', reason: expect.stringContaining('invite it') }]));
    expect(failing.sent).toEqual([]);
    expect(failing.pending.length).toBeGreaterThanOrEqual(3);
    const next = await run(new Date(SLOT.getTime() + 3_600_000));
    expect(next.sent.map((item) => item.team).sort()).toEqual(['group:default/payments', 'group:default/search', 'platform', 'user:default/dave']);
    expect(Object.values(perChannel(slack))).toEqual([1, 1, 1, 1]);
  });

  it("plans a team's working hours in its first member's Slack time zone", async () => {
    const office: NudgeSettings = { ...ALWAYS, workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' } };
    const strict = createScorecardService({ db: catalog.database.db, catalog: catalog.catalog, library: loadScorecards({ folders: [], collectors: BUILT_IN_COLLECTORS }), collectors: BUILT_IN_COLLECTORS, nudges: office });
    // 09:00 UTC is 18:00 in Tokyo: after Bob's team's working hours, within everyone else's (UTC).
    const plan = await strict.planNudges(new Date('2026-12-01T09:00:00Z'), { timezoneOf: sender().timezoneOf! });
    expect(plan.skipped).toContainEqual({ team: 'group:default/search', reason: expect.stringContaining('Asia/Tokyo') });
    expect(plan.messages.map((message) => message.team)).toContain('group:default/payments');
  });
});
