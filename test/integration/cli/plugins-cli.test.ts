import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePagerDuty } from '../../support/fake-oncall.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { catalogInfoYaml } from '../../support/slack-harness.js';
import { callboard, REPO_ROOT } from '../../support/run-cli.js';

const repoRoot = REPO_ROOT;

describe('callboard plugins list, oncall and manifest, with plugins from the configuration', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-plugins-cli-'));
  let pagerduty: Awaited<ReturnType<typeof startFakePagerDuty>>;
  const config = path.join(scratch, 'app-config.yaml');

  beforeAll(async () => {
    pagerduty = await startFakePagerDuty('pd-token');
    writeFileSync(path.join(scratch, 'catalog-info.yaml'), catalogInfoYaml([{ kind: 'Group', metadata: { name: 'payments' }, spec: { type: 'team', children: [] } }, { kind: 'Component', metadata: { name: 'payments-api', annotations: { 'pagerduty.com/service-id': 'PSVC1' } }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } }]));
    writeFileSync(
      config,
      `callboard:\n  plugins:\n    - path: ${path.join(repoRoot, 'plugins/pagerduty/index.js')}\n      with: { token: pd-token, apiUrl: ${pagerduty.url} }\n    - path: ${path.join(repoRoot, 'test/fixtures/plugins/kitchen-sink.ts')}\n      with: { greeting: Hello }\n    - path: ${path.join(repoRoot, 'test/fixtures/plugins/throws-at-register.ts')}\n`,
    );
  });
  afterAll(async () => {
    await pagerduty?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('lists every plugin with what it adds, and the failed one with why, exiting 1', async () => {
    const { code, stdout } = await callboard(['plugins', 'list', '--config', config, '--json']);
    expect(code).toBe(1);
    const { plugins } = JSON.parse(stdout) as { plugins: { id: string; status: string; error?: string; adds: Record<string, string[]> }[] };
    expect(plugins.map((plugin) => [plugin.id, plugin.status])).toEqual([['callboard', 'loaded'], ['pagerduty', 'loaded'], ['kitchen-sink', 'loaded'], ['broken-register', 'failed']]);
    expect(plugins[1]!.adds).toEqual({ commands: [], cardSections: [], actions: [], facts: [], onCallProviders: ['pagerduty'], processors: [] });
    expect(plugins[3]!.error).toBe('register failed: register failed on purpose');
  }, 60_000);

  it('answers oncall --json in the documented shape', async () => {
    const { code, stdout } = await callboard(['oncall', 'payments-api', '--config', config, '--catalog', scratch, '--json']);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ entity: 'component:default/payments-api', providers: [{ id: 'pagerduty', status: 'ok', link: 'https://acme.pagerduty.com/service-directory/PSVC1' }] });
    expect(answer.providers[0].oncall[0]).toEqual({ name: 'Alice Ames', email: 'alice@acme.test', start: expect.any(String), end: expect.any(String), level: 1, when: 'now' });
  }, 60_000);

  it("gives each person on call their Slack user when a bot token is configured", async () => {
    const slack = new FakeSlack();
    const apiUrl = `${await slack.start()}/api/`;
    slack.usersByEmail.set('alice@acme.test', 'U0ALICE');
    const withSlack = path.join(scratch, 'with-slack.yaml');
    writeFileSync(withSlack, `callboard:\n  slack: { botToken: xoxb-test-token, apiUrl: ${apiUrl} }\n`);
    try {
      const { code, stdout } = await callboard(['oncall', 'payments-api', '--config', config, '--config', withSlack, '--catalog', scratch, '--json']);
      expect(code).toBe(0);
      const people = JSON.parse(stdout).providers[0].oncall as { name: string; slackUser?: string }[];
      expect(people.map((who) => [who.name, who.slackUser])).toEqual([['Alice Ames', 'U0ALICE'], ['Bob Bell', undefined], ['Carol Cho', undefined]]);
    } finally {
      await slack.stop();
    }
  }, 60_000);

  it("puts the plugins' commands in the manifest", async () => {
    const { code, stdout } = await callboard(['manifest', '--config', config]);
    expect(code).toBe(0);
    expect(stdout).toContain('command: /greet');
    // Verbs add one /callboard command, whatever their number.
    expect(stdout.match(/command: \/callboard$/gm)).toHaveLength(1);
    expect(stdout).toContain('command: /oncall');
  }, 60_000);
});
