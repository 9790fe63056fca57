import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';
import { startFakeOpsgenie, startFakePagerDuty } from '../../support/fake-oncall.js';
import { catalogInfoYaml } from '../../support/slack-harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const service = (name: string, annotations: Record<string, string>) => ({ kind: 'Component', metadata: { name, annotations }, spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' } });
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments-team' }, spec: { type: 'team', children: [] } },
  service('payments-api', { 'pagerduty.com/service-id': 'PSVC1', 'opsgenie.com/team': 'payments-team' }),
  service('by-key', { 'pagerduty.com/integration-key': 'key-payments' }),
  service('quiet', { 'pagerduty.com/service-id': 'PQUIET', 'opsgenie.com/team': 'quiet-team' }),
  service('by-selector', { 'opsgenie.com/component-selector': 'tag:"service:payments"' }),
  service('unpaged', {}),
]);

describe('the PagerDuty and Opsgenie plugins, loaded through config, against their APIs on loopback', () => {
  let pagerduty: Awaited<ReturnType<typeof startFakePagerDuty>>;
  let opsgenie: Awaited<ReturnType<typeof startFakeOpsgenie>>;
  let context: AppContext;
  const folder = mkdtempSync(path.join(tmpdir(), 'callboard-oncall-'));

  const appWith = async (token: string, apiKey = 'genie-key') => {
    const config = loadConfig({ files: [], env: {} });
    config.catalog.locations = [{ type: 'file', target: folder }];
    config.callboard.plugins = [
      { path: path.join(repoRoot, 'plugins/pagerduty/index.js'), with: { token, apiUrl: pagerduty.url } },
      { path: path.join(repoRoot, 'plugins/opsgenie/index.js'), with: { apiKey, apiUrl: opsgenie.url, domain: 'https://acme.app.opsgenie.com' } },
    ];
    const app = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true });
    await app.catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
    return app;
  };

  /** An app of its own, with these credentials (token, API key), closed after `use`. */
  const withApp = async (credentials: [string, string?], use: (app: AppContext) => Promise<void>) => {
    const app = await appWith(...credentials);
    try {
      await use(app);
    } finally {
      await app.close();
    }
  };

  beforeAll(async () => {
    writeFileSync(path.join(folder, 'catalog-info.yaml'), CATALOG);
    [pagerduty, opsgenie] = await Promise.all([startFakePagerDuty('pd-token'), startFakeOpsgenie('genie-key')]);
    context = await appWith('pd-token');
  });
  afterAll(async () => {
    await context?.close();
    await Promise.all([pagerduty?.close(), opsgenie?.close()]);
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers who is on call now and next for each provider the entity names, levels in order', async () => {
    const report = await context.oncall.oncall('payments-api');
    expect(report.entity).toBe('component:default/payments-api');
    expect(report.reasons).toEqual([]);
    const [pd, og] = report.providers;
    expect(pd).toMatchObject({ id: 'pagerduty', status: 'ok', link: 'https://acme.pagerduty.com/service-directory/PSVC1' });
    expect(pd!.oncall.map((person) => [person.when, person.name, person.email, person.level])).toEqual([
      ['now', 'Alice Ames', 'alice@acme.test', 1],
      ['now', 'Bob Bell', 'bob@acme.test', 2],
      ['next', 'Carol Cho', 'carol@acme.test', 1],
    ]);
    expect(pd!.oncall[0]!.end).toMatch(/^\d{4}-/);
    expect(og).toMatchObject({ id: 'opsgenie', status: 'ok', link: 'https://acme.app.opsgenie.com/schedule/whoIsOnCall', oncall: [{ name: 'dana@acme.test', email: 'dana@acme.test', when: 'now' }, { name: 'erin@acme.test', email: 'erin@acme.test', when: 'next' }] });
  });

  it('finds the service by its integration key, and the team by an alert the component selector matches', async () => {
    expect((await context.oncall.oncall('by-key')).providers[0]!.oncall[0]).toMatchObject({ name: 'Alice Ames', when: 'now' });
    expect((await context.oncall.oncall('by-selector')).providers).toEqual([expect.objectContaining({ id: 'opsgenie', oncall: expect.arrayContaining([expect.objectContaining({ email: 'dana@acme.test', when: 'now' })]) })]);
  });

  it('says so when nobody is on call, and when the entity names no on-call service', async () => {
    const quiet = await context.oncall.oncall('quiet');
    expect(quiet.providers.map((answer) => [answer.id, answer.status, answer.oncall.length, answer.message])).toEqual([
      ['pagerduty', 'ok', 0, 'nobody is on call for its escalation policy now'],
      ['opsgenie', 'ok', 0, 'nobody is on call in its schedules now'],
    ]);
    expect(quiet.reasons).toEqual(['nobody is on call right now']);
    expect((await context.oncall.oncall('unpaged')).reasons).toEqual(['component:default/unpaged names no on-call service: add an annotation one of the providers reads (PagerDuty, Opsgenie)']);
  });

  it("waits out a 429's Retry-After once, and reports a refused token beside the provider that answered", async () => {
    pagerduty.failures.push({ match: /^\/oncalls/, status: 429, headers: { 'retry-after': '1' } });
    await withApp(['pd-token'], async (fresh) => {
      const started = Date.now();
      const report = await fresh.oncall.oncall('payments-api');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(report.providers[0]).toMatchObject({ status: 'ok', oncall: expect.arrayContaining([expect.objectContaining({ name: 'Alice Ames' })]) });
    });
    await withApp(['wrong-token'], async (refused) => {
      const report = await refused.oncall.oncall('payments-api');
      expect(report.providers.map((answer) => [answer.id, answer.status, answer.message ?? ''])).toEqual([
        ['pagerduty', 'error', 'PagerDuty refused the token (401): check the pagerduty plugin’s token'],
        ['opsgenie', 'ok', ''],
      ]);
    });
  });

  it("waits out Opsgenie's 429 too, and reports its refused API key beside PagerDuty's answer", async () => {
    opsgenie.failures.push({ match: /^\/v2\/schedules$/, status: 429, headers: { 'retry-after': '1' } });
    await withApp(['pd-token'], async (fresh) => {
      const started = Date.now();
      const report = await fresh.oncall.oncall('payments-api');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(report.providers[1]).toMatchObject({ id: 'opsgenie', status: 'ok', oncall: expect.arrayContaining([expect.objectContaining({ email: 'dana@acme.test', when: 'now' })]) });
    });
    await withApp(['pd-token', 'wrong-key'], async (refused) => {
      const report = await refused.oncall.oncall('payments-api');
      expect(report.providers.map((answer) => [answer.id, answer.status, answer.message ?? ''])).toEqual([
        ['pagerduty', 'ok', ''],
        ['opsgenie', 'error', 'Opsgenie refused the API key (401): check the opsgenie plugin’s apiKey'],
      ]);
    });
  });

  it('gives scorecards hasOnCall only when someone is actually on call, and unknown when no provider could say', async () => {
    const checkOf = async (app: AppContext, name: string) => (await app.scorecards.entity(name)).scorecards[0]!.checks.find((check) => check.id === 'has-oncall')!.status;
    expect(await checkOf(context, 'payments-api')).toBe('pass');
    expect(await checkOf(context, 'quiet')).toBe('fail');
    expect(await checkOf(context, 'unpaged')).toBe('fail');
    await withApp(['wrong-token', 'wrong-key'], async (refused) => {
      expect(await checkOf(refused, 'payments-api')).toBe('unknown');
      expect((await refused.oncall.oncall('payments-api')).reasons).toEqual(['no on-call provider could be asked: see each one’s error']);
    });
  });

  it('lists both plugins as loaded, with the on-call providers they add', () => {
    expect(context.plugins.plugins.map((plugin) => [plugin.id, plugin.status, plugin.adds.onCallProviders])).toEqual([
      ['callboard', 'loaded', []],
      ['pagerduty', 'loaded', ['pagerduty']],
      ['opsgenie', 'loaded', ['opsgenie']],
    ]);
  });
});
