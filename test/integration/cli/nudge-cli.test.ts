import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../support/fake-slack.js';
import { catalogInfoYaml } from '../../support/slack-harness.js';
import { callboard, REPO_ROOT } from '../../support/run-cli.js';

const repoRoot = REPO_ROOT;
const serverUrl = process.env.TEST_DATABASE_URL;

const team = (name: string) => ({ kind: 'Group', metadata: { name, annotations: { 'slack.com/channel': `C0${name.toUpperCase()}` } }, spec: { type: 'team', children: [] } });
const service = (name: string, owner: string) => ({ kind: 'Component', metadata: { name }, spec: { type: 'service', lifecycle: 'production', owner } });

/** Each delivery's id in the messages Slack holds: a message sent twice shows as a repeated id. */
const deliveriesIn = (slack: FakeSlack) => slack.messages.map((message) => (message.metadata as { event_payload: { delivery: string } }).event_payload.delivery);

// A process killed with SIGKILL is the case here; PostgreSQL survives its client dying mid-statement, which is what replicas run on.
describe.skipIf(!serverUrl)('callboard nudge, killed in the middle and run again', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-nudge-'));
  const slack = new FakeSlack();
  const name = `callboard_nudge_${randomBytes(5).toString('hex')}`;
  const admin = serverUrl ? postgres(serverUrl, { max: 1, onnotice: () => {} }) : undefined;
  let env: Record<string, string>;
  let database: postgres.Sql | undefined;

  beforeAll(async () => {
    const apiUrl = `${await slack.start()}/api/`;
    await admin!.unsafe(`create database ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    writeFileSync(path.join(scratch, 'catalog-info.yaml'), catalogInfoYaml([team('alpha'), team('beta'), team('gamma'), service('alpha-api', 'alpha'), service('beta-api', 'beta'), service('gamma-api', 'gamma')]));
    writeFileSync(
      path.join(scratch, 'app-config.yaml'),
      `catalog:\n  locations:\n    - { type: file, target: ${path.join(scratch, 'catalog-info.yaml')} }\ncallboard:\n  scorecards:\n    nudges:\n      workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }\n  slack:\n    botToken: xoxb-test-token\n    apiUrl: ${apiUrl}\n    webApiTimeoutMs: 2000\n`,
    );
    env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: url.href };
    database = postgres(url.href, { max: 1, onnotice: () => {} });
    // Nudges are about the catalog the replicas serve: stored first, as callboard start would.
    const ingested = await callboard(['catalog', 'ingest', '--config', path.join(scratch, 'app-config.yaml')], env);
    if (ingested.code !== 0) throw new Error(`catalog ingest failed: ${ingested.stderr}`);
  }, 60_000);
  afterAll(async () => {
    await slack.stop();
    await database?.end();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
    rmSync(scratch, { recursive: true, force: true });
  });

  const nudge = ['nudge', '--config', path.join(scratch, 'app-config.yaml'), '--json'];
  const args = ['--import', 'tsx', 'src/cli/main.ts', ...nudge];

  it('resends nothing Slack already has and skips nothing, after a kill while a message was being sent', async () => {
    // Slack posts the second message, and the process is killed before it hears back.
    slack.postBehaviours.push('answer', 'post-then-hang');
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (slack.messages.length < 2 && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await exited;
    expect(slack.messages).toHaveLength(2);

    // The dead process's lease holds until it lapses: a run straight away is refused, and says why.
    const blocked = await callboard(nudge, env);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('another replica is sending nudges right now');
    // A quarter of an hour on, as far as the lease and the send cut short can tell: the lease has lapsed, and the send is past taking any longer.
    await database!.unsafe(`update scheduled_jobs set lease_until = now() - interval '1 second' where job = 'scorecards.nudge'`);
    await database!.unsafe(`update nudge_deliveries set attempted_at = attempted_at - interval '16 minutes', sent_at = sent_at - interval '16 minutes'`);
    for (const message of slack.messages) message.ts = `${Number(message.ts.split('.')[0]) - 16 * 60}.${message.ts.split('.')[1]}`;
    const again = await callboard(nudge, env);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { sent: { team: string }[]; confirmed: number; pending: unknown[] };
    expect(report.confirmed).toBe(1);
    expect(report.pending).toEqual([]);
    expect(slack.messages).toHaveLength(3);
    expect(new Set(deliveriesIn(slack)).size).toBe(3);
    expect(new Set(slack.messages.map((message) => message.channel))).toEqual(new Set(['C0ALPHA', 'C0BETA', 'C0GAMMA']));

    // And a third run, within the interval, has nothing to send.
    const third = JSON.parse((await callboard(nudge, env)).stdout) as { sent: unknown[] };
    expect(third.sent).toEqual([]);
    expect(slack.messages).toHaveLength(3);
  }, 120_000);

  it('refuses a real run without a bot token, or about a catalog other than the stored one, and says what to do', async () => {
    const refused = (extra: string[], more: Record<string, string> = {}) => callboard(['nudge', ...extra], { ...env, ...more });
    const noToken = await refused([], { DATABASE_URL: '' });
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toContain('set SLACK_BOT_TOKEN');
    const otherCatalog = await refused(['--config', path.join(scratch, 'app-config.yaml'), '--catalog', scratch]);
    expect(otherCatalog.code).not.toBe(0);
    expect(otherCatalog.stderr).toContain('--catalog is for --dry-run');
  }, 60_000);

  it('sends the nudges on their schedule from callboard serve, one message a team, and stops cleanly on SIGTERM', async () => {
    const served = `${name}_served`;
    await admin!.unsafe(`create database ${served}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${served}`;
    const scheduled = new FakeSlack();
    const apiUrl = `${await scheduled.start()}/api/`;
    const config = path.join(scratch, 'served-config.yaml');
    writeFileSync(
      config,
      `catalog:\n  locations:\n    - { type: file, target: ${path.join(scratch, 'catalog-info.yaml')} }\ncallboard:\n  scorecards:\n    nudges:\n      schedule: "*/2 * * * * *"\n      workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }\n  slack:\n    botToken: xoxb-test-token\n    signingSecret: test-secret\n    apiUrl: ${apiUrl}\n    port: 0\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', config], { cwd: repoRoot, env: { ...env, DATABASE_URL: url.href }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (scheduled.messages.length < 3 && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
      // Later times find nothing new to say within the interval.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('Slack app listening');
      expect(scheduled.messages.map((message) => message.channel).sort()).toEqual(['C0ALPHA', 'C0BETA', 'C0GAMMA']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await scheduled.stop();
      await admin!.unsafe(`drop database if exists ${served} with (force)`);
    }
  }, 120_000);
});
