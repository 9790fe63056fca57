import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scorecardExemptions } from '../../../src/db/schema.js';
import { createLogger } from '../../../src/logger.js';
import { runNudges } from '../../../src/scorecards/nudge-run.js';
import { ACTIONS, VIEWS, WONT_FIX_INPUTS } from '../../../src/slack/blocks/action-ids.js';
import { messageProblems } from '../../../src/slack/blocks/limits.js';
import { slackNudgeSender } from '../../../src/slack/nudge-sender.js';
import { createPeopleDirectory } from '../../../src/slack/people.js';
import type { RecordedCall } from '../../support/fake-slack.js';
import { BOT_TOKEN, catalogInfoYaml, startSlackHarness, type EntityDocument, type SlackHarness } from '../../support/slack-harness.js';

const logger = createLogger({ level: 'silent' });
const refunds = (description?: string): EntityDocument => ({ kind: 'Component', metadata: { name: 'refunds', ...(description ? { description } : {}) }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } });
const catalog = (description?: string) =>
  catalogInfoYaml([
    { kind: 'Group', metadata: { name: 'payments', annotations: { 'slack.com/channel': 'team-payments' } }, spec: { type: 'team', children: [], members: ['alice'] } },
    { kind: 'User', metadata: { name: 'alice' }, spec: { profile: { email: 'alice@example.com' }, memberOf: [] } },
    { kind: 'User', metadata: { name: 'mallory' }, spec: { profile: { email: 'mallory@example.com' }, memberOf: [] } },
    // Declares herself a member; the payments group's own file does not list her.
    { kind: 'User', metadata: { name: 'eve' }, spec: { profile: { email: 'eve@example.com' }, memberOf: ['payments'] } },
    refunds(description),
  ]);
// A Tuesday morning in UTC, the default time zone: within the default working hours.
const TUESDAY = new Date('2026-12-01T10:00:00Z');
const ALICE = 'U0ALICE';
const MALLORY = 'U0MALLORY';
const EVE = 'U0EVE';

type Button = { action_id: string; value: string; text: { text: string } };
const buttons = (blocks: KnownBlock[]) => blocks.flatMap((block) => (block.type === 'actions' ? (block.elements as unknown as Button[]) : []));
const blocksOf = (call: RecordedCall) => (typeof call.body.blocks === 'string' ? JSON.parse(call.body.blocks) : call.body.blocks) as KnownBlock[];

describe('scorecard nudges in Slack, through signed requests', () => {
  let harness: SlackHarness;
  let nudge: { channel: string; ts: string; blocks: KnownBlock[] };

  beforeAll(async () => {
    harness = await startSlackHarness('pglite', {
      catalogYaml: catalog(),
      prepare: (slack) => {
        slack.usersByEmail.set('alice@example.com', ALICE);
        slack.usersByEmail.set('mallory@example.com', MALLORY);
        slack.usersByEmail.set('eve@example.com', EVE);
        slack.channels.set('team-payments', 'C0PAYMENTS');
      },
    });
    await harness.scorecards.evaluateAndRecord();
    const client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: harness.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const sender = slackNudgeSender({ client, view: harness.catalog.view, people: createPeopleDirectory(client, logger), logger });
    const report = await runNudges({ db: harness.database.db, slot: TUESDAY, sender, logger, now: () => TUESDAY, plan: (at) => harness.scorecards.planNudges(at) });
    expect(report.sent).toHaveLength(1);
    const posted = harness.slack.messages[0]!;
    nudge = { channel: posted.channel, ts: posted.ts, blocks: posted.blocks as KnownBlock[] };
  });
  afterAll(() => harness?.stop());

  const press = (actionId: string, slackUser: string, name: string) => {
    const button = buttons(nudge.blocks).find((candidate) => candidate.action_id === actionId)!;
    return harness.interaction({ type: 'block_actions', user: { id: slackUser }, channel: { id: nudge.channel }, message: { ts: nudge.ts }, container: { type: 'message', channel_id: nudge.channel, message_ts: nudge.ts }, response_url: harness.responseUrl(name), actions: [{ action_id: actionId, block_id: 'b', value: button.value, type: 'button' }] });
  };
  const updates = () => harness.slack.calls.filter((call) => call.path === '/api/chat.update');

  it("posts the team's failing checks with how to fix each, and the three buttons, within Block Kit's limits", () => {
    expect(nudge.channel).toBe('C0PAYMENTS');
    expect(messageProblems({ text: 'nudge', blocks: nudge.blocks })).toEqual([]);
    const text = JSON.stringify(nudge.blocks);
    expect(text).toContain('Scorecard nudge for `group:default/payments`');
    expect(text).toContain(':x: *Has a description*');
    expect(text).toContain('Add one sentence under metadata.description');
    expect(buttons(nudge.blocks).map((button) => button.text.text)).toEqual(['Snooze 1 week', "Won't fix", 'Recheck now']);
  });

  it("refuses someone outside the owning team, and says who may", async () => {
    await press(ACTIONS.nudgeSnooze, MALLORY, 'mallory-snooze');
    const [refusal] = await harness.responses('mallory-snooze');
    expect(refusal!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal!.body.text)).toBe("only group:default/payments's members may set these checks aside.");
    await press(ACTIONS.nudgeSnooze, EVE, 'eve-snooze');
    await press(ACTIONS.nudgeWontFix, EVE, 'eve-wontfix');
    for (const name of ['eve-snooze', 'eve-wontfix']) expect(String((await harness.responses(name))[0]!.body.text)).toBe("only group:default/payments's members may set these checks aside.");
    expect(harness.slack.calls.filter((call) => call.path === '/api/views.open')).toEqual([]);
    expect(await harness.database.db.select().from(scorecardExemptions)).toEqual([]);
  });

  it('snoozes the failing checks for a week when a member asks, and redraws the message in place', async () => {
    const before = updates().length;
    await press(ACTIONS.nudgeSnooze, ALICE, 'alice-snooze');
    await harness.slack.next('/api/chat.update', before + 1);
    const update = updates()[before]!;
    expect(update.body).toMatchObject({ channel: 'C0PAYMENTS', ts: nudge.ts });
    expect(JSON.stringify(blocksOf(update))).toContain(':zzz: Has a description: snoozed by alice until');
    const exemptions = await harness.database.db.select().from(scorecardExemptions);
    expect(exemptions.length).toBeGreaterThan(0);
    expect(exemptions.every((row) => row.kind === 'snooze' && row.decidedBy === 'user:default/alice' && row.until!.getTime() - row.decidedAt.getTime() === 7 * 24 * 3_600_000)).toBe(true);
    const scorecard = (await (await harness.slashCommand('/scorecard', 'refunds')).json()) as { blocks: KnownBlock[] };
    expect(JSON.stringify(scorecard.blocks)).toContain(':zzz: Has a description');
  });

  it("asks why before marking a check won't fix, and shows the reason to everyone in the org view", async () => {
    await press(ACTIONS.nudgeWontFix, ALICE, 'alice-wontfix');
    const [opened] = await harness.slack.next('/api/views.open');
    const view = (typeof opened!.body.view === 'string' ? JSON.parse(opened!.body.view) : opened!.body.view) as { callback_id: string; private_metadata: string; blocks: { block_id?: string; element?: { options?: { value: string }[] } }[] };
    expect(view.callback_id).toBe(VIEWS.nudgeWontFix);
    const options = view.blocks.find((block) => block.block_id === WONT_FIX_INPUTS.checks.block)!.element!.options!;
    expect(options.map((option) => option.value)).toContain('default/has-description');
    const submit = (reason: string) =>
      harness.interaction({
        type: 'view_submission',
        user: { id: ALICE },
        view: { id: 'V1', hash: `h-${reason.length}`, callback_id: VIEWS.nudgeWontFix, private_metadata: view.private_metadata, state: { values: { [WONT_FIX_INPUTS.checks.block]: { [WONT_FIX_INPUTS.checks.action]: { type: 'checkboxes', selected_options: [{ value: 'default/has-description' }] } }, [WONT_FIX_INPUTS.reason.block]: { [WONT_FIX_INPUTS.reason.action]: { type: 'plain_text_input', value: reason } } } } },
      });
    const empty = await submit('  ');
    expect(await empty.json()).toEqual({ response_action: 'errors', errors: { [WONT_FIX_INPUTS.reason.block]: 'Say why: everyone sees the reason in /scorecard.' } });
    const before = updates().length;
    expect((await submit('Retired next quarter <!channel>')).status).toBe(200);
    await harness.slack.next('/api/chat.update', before + 1);
    expect(JSON.stringify(blocksOf(updates()[before]!))).toContain(":no_entry_sign: Has a description: won't fix (alice): Retired next quarter &lt;!channel&gt;");
    const org = (await (await harness.slashCommand('/scorecard', '')).json()) as { blocks: KnownBlock[] };
    expect(JSON.stringify(org.blocks)).toContain('Retired next quarter &lt;!channel&gt;');
    // A later snooze of the entity's checks leaves the won't-fix, and its reason, as decided.
    await press(ACTIONS.nudgeSnooze, ALICE, 'alice-snooze-again');
    await harness.slack.next('/api/chat.update', before + 2);
    const decided = await harness.database.db.select().from(scorecardExemptions);
    expect(decided.find((row) => row.checkId === 'has-description')).toMatchObject({ kind: 'wontfix', reason: 'Retired next quarter <!channel>' });
  });

  it('rechecks the entity now and redraws the message with what passes', async () => {
    writeFileSync(path.join(harness.folder, 'catalog-info.yaml'), catalog('Gives money back'));
    await harness.catalog.refresh([harness.location]);
    const before = updates().length;
    await press(ACTIONS.nudgeRecheck, MALLORY, 'mallory-recheck');
    await harness.slack.next('/api/chat.update', before + 1);
    expect(JSON.stringify(blocksOf(updates()[before]!))).toContain(':white_check_mark: ~Has a description~ passes now');
  });
});
