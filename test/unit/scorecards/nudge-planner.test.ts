import { describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { planNudges, type NudgeSettings } from '../../../src/scorecards/nudge-planner.js';
import type { StoredCheck, StoredResult } from '../../../src/scorecards/scorecard-store.js';

const entity = (kind: string, name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): [string, Entity] => [
  `${kind.toLowerCase()}:default/${name}`,
  { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default', annotations }, spec },
];
const view = new CatalogView();
for (const [ref, value] of [
  entity('Group', 'payments', { type: 'team', children: [], members: ['alice'] }, { 'slack.com/channel': '#payments' }),
  entity('Group', 'berlin', { type: 'team', children: [], members: ['bob'] }, { 'callboard.dev/timezone': 'Europe/Berlin' }),
  entity('Group', 'digest', { type: 'team', children: [], members: ['alice'] }, { 'slack.com/channel': '#digest', 'callboard.dev/nudge-frequency': 'weekly' }),
  entity('User', 'alice', { memberOf: ['payments'] }),
  entity('User', 'bob', { memberOf: ['berlin'] }),
  // Says it is in berlin; berlin's own file does not list it.
  entity('User', 'eve', { memberOf: ['berlin'] }),
  entity('Group', 'tokyo', { type: 'team', children: [], members: ['carol'] }),
  entity('User', 'carol', { memberOf: [] }),
  entity('Component', 'kanji', { type: 'service', lifecycle: 'production', owner: 'tokyo' }),
  entity('Component', 'ledger', { type: 'service', lifecycle: 'production', owner: 'payments' }),
  entity('Component', 'refunds', { type: 'service', lifecycle: 'production', owner: 'payments' }),
  entity('Component', 'tiles', { type: 'service', lifecycle: 'production', owner: 'berlin' }),
  entity('Component', 'script', { type: 'service', lifecycle: 'production', owner: 'user:alice' }),
  entity('Component', 'orphan', { type: 'service', lifecycle: 'production', owner: 'nobody' }),
  entity('Component', 'weekly', { type: 'service', lifecycle: 'production', owner: 'digest' }),
]) {
  view.upsert(ref, value);
}

const failing = (since: string, regressed = false): StoredCheck => ({ status: 'fail', since, known: 'fail', ...(regressed ? { regressed } : {}) });
const result = (name: string, checks: Record<string, StoredCheck>): StoredResult => ({ entityRef: `component:default/${name}`, scorecardId: 'default', level: null, checks, evaluatedAt: new Date() });
const checks = new Map([
  ['default/has-readme', { title: 'Has a README', fix: 'Add a README.md' }],
  ['default/has-oncall', { title: 'Has on-call', fix: 'Add pagerduty.com/service-id' }],
]);
const settings: NudgeSettings = { intervalDays: 7, workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }, platformChannel: 'C0PLATFORM', timezones: {} };
const results = [
  result('ledger', { 'has-readme': failing('2026-11-01T00:00:00Z'), 'has-oncall': failing('2026-11-20T00:00:00Z', true) }),
  result('refunds', { 'has-readme': failing('2026-11-25T00:00:00Z'), 'has-oncall': { status: 'unknown', since: '2026-11-01T00:00:00Z' } }),
  result('tiles', { 'has-readme': failing('2026-11-02T00:00:00Z') }),
  result('script', { 'has-readme': failing('2026-11-03T00:00:00Z') }),
  result('orphan', { 'has-readme': failing('2026-11-04T00:00:00Z') }),
  result('weekly', { 'has-readme': failing('2026-11-05T00:00:00Z') }),
];
const plan = (at: string, more: { exempt?: string[]; lastNudged?: [string, string][]; settings?: Partial<NudgeSettings>; results?: StoredResult[]; slackZones?: Map<string, string | null> } = {}) =>
  planNudges({ at: new Date(at), view, results: more.results ?? results, exempt: new Set(more.exempt ?? []), lastNudged: new Map((more.lastNudged ?? []).map(([key, when]) => [key, new Date(when)])), checks, settings: { ...settings, ...more.settings }, ...(more.slackZones ? { slackZones: more.slackZones } : {}) });

describe('nudges planned for a run', () => {
  it('sends each team one message, regressions first then the newest, never about an unknown', () => {
    const { messages } = plan('2026-12-01T10:00:00Z');
    const payments = messages.find((message) => message.team === 'group:default/payments')!;
    expect(payments).toMatchObject({ channel: '#payments', users: [], individual: false });
    expect(payments.entities.map((item) => [item.ref, item.failing.map((failure) => [failure.check, failure.regression])])).toEqual([
      ['component:default/ledger', [['has-oncall', true], ['has-readme', false]]],
      ['component:default/refunds', [['has-readme', false]]],
    ]);
  });

  it('messages the members of a team without a channel, and the owner of an entity owned by one person', () => {
    const { messages } = plan('2026-12-01T10:00:00Z');
    // Only the members berlin's own file lists: eve's memberOf does not get her berlin's nudges.
    expect(messages.find((message) => message.team === 'group:default/berlin')).toMatchObject({ channel: null, users: ['user:default/bob'] });
    expect(messages.find((message) => message.team === 'user:default/alice')).toMatchObject({ channel: null, users: ['user:default/alice'], individual: true });
  });

  it('sends the entities without an owner to the platform channel, and lists them', () => {
    const result = plan('2026-12-01T10:00:00Z');
    expect(result.orphans).toEqual(['component:default/orphan']);
    expect(result.messages.find((message) => message.team === 'platform')).toMatchObject({ channel: 'C0PLATFORM', entities: [{ ref: 'component:default/orphan' }] });
  });

  it('skips a team outside its working hours in its own time zone, saying why', () => {
    // 08:30 in London is 09:30 in Berlin.
    const early = plan('2026-12-01T08:30:00Z');
    expect(early.skipped).toContainEqual({ team: 'group:default/payments', reason: 'outside working hours (Mon, Tue, Wed, Thu, Fri 09:00–18:00 UTC): it is Tue 08:30 there' });
    expect(early.messages.map((message) => message.team)).toContain('group:default/berlin');
    const saturday = plan('2026-12-05T12:00:00Z');
    expect(saturday.messages.map((message) => message.team)).toEqual(['platform']);
  });

  it('leaves out what was nudged within the interval and what its owners set aside', () => {
    const { messages } = plan('2026-12-01T10:00:00Z', { lastNudged: [['component:default/ledger/default/has-readme', '2026-11-28T10:00:00Z']], exempt: ['component:default/ledger/default/has-oncall'] });
    expect(messages.find((message) => message.team === 'group:default/payments')!.entities.map((item) => item.ref)).toEqual(['component:default/refunds']);
    const later = plan('2026-12-05T10:00:00Z', { lastNudged: [['component:default/ledger/default/has-readme', '2026-11-28T10:00:00Z']], settings: { workingHours: { days: [6], start: '09:00', end: '18:00' } } });
    expect(later.messages.find((message) => message.team === 'group:default/payments')!.entities[0]!.failing.map((failure) => failure.check)).toEqual(['has-oncall', 'has-readme']);
  });

  it('sends a weekly-digest team everything at most once a week', () => {
    const nudged: [string, string][] = [['component:default/weekly/default/has-readme', '2026-11-28T10:00:00Z']];
    expect(plan('2026-12-01T10:00:00Z', { lastNudged: nudged }).skipped).toContainEqual({ team: 'group:default/digest', reason: 'weekly digest: the next one is due after 2026-12-05T10:00:00.000Z' });
    expect(plan('2026-12-07T10:00:00Z', { lastNudged: nudged }).messages.find((message) => message.team === 'group:default/digest')).toMatchObject({ entities: [{ ref: 'component:default/weekly' }] });
  });

  it('lists at most fifteen failing checks in one message, the most urgent, and says how many wait for the next', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`check-${index}`, failing(`2026-11-${String(10 + index).padStart(2, '0')}T00:00:00Z`, index === 0)]));
    const manyChecks = new Map(Object.keys(many).map((id) => [`default/${id}`, { title: id, fix: 'fix it' }]));
    const { messages } = planNudges({ at: new Date('2026-12-01T10:00:00Z'), view, results: [result('ledger', many), result('refunds', many)], exempt: new Set(), lastNudged: new Map(), checks: manyChecks, settings });
    const payments = messages.find((message) => message.team === 'group:default/payments')!;
    expect(payments.entities.flatMap((item) => item.failing)).toHaveLength(15);
    expect(payments.heldBack).toBe(9);
    expect(payments.entities[0]!.failing[0]).toMatchObject({ check: 'check-0', regression: true });
  });

  it("takes a team's time zone from its first member's Slack profile, and skips it when Slack could not say", () => {
    const kanji = [result('kanji', { 'has-readme': failing('2026-11-06T00:00:00Z') })];
    // 10:00 UTC is 19:00 in Tokyo.
    const inTokyo = plan('2026-12-01T10:00:00Z', { results: kanji, slackZones: new Map([['user:default/carol', 'Asia/Tokyo']]) });
    expect(inTokyo.skipped).toEqual([{ team: 'group:default/tokyo', reason: expect.stringContaining('Asia/Tokyo') }]);
    const unread = plan('2026-12-01T10:00:00Z', { results: kanji, slackZones: new Map([['user:default/carol', null]]) });
    expect(unread.skipped).toEqual([{ team: 'group:default/tokyo', reason: expect.stringContaining('could not be read from Slack') }]);
    expect(plan('2026-12-01T10:00:00Z', { results: kanji }).messages.map((message) => message.team)).toEqual(['group:default/tokyo']);
  });
});
