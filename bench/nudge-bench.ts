/**
 * A nudge run for 1,000 teams against a loopback Slack that enforces Slack's rate limits: one
 * message a second per channel and a workspace-wide ceiling, both answered with 429 and
 * Retry-After. Every team owns one failing service and has a channel; a few pairs of teams share
 * one, next to each other in the run. Measures the run's time and checks that every message
 * arrived exactly once. Prints one JSON line. Run through bench/run-bench.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { webApi } from '@slack/bolt';
import yaml from 'js-yaml';
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { BUILT_IN_COLLECTORS } from '../src/scorecards/collectors/built-in.js';
import { runNudges } from '../src/scorecards/nudge-run.js';
import { loadScorecards } from '../src/scorecards/scorecard-library.js';
import { createScorecardService } from '../src/scorecards/scorecard-service.js';
import { slackNudgeSender } from '../src/slack/nudge-sender.js';
import { createPeopleDirectory } from '../src/slack/people.js';
import { benchDatabase, type BenchEngine } from './support.js';

const { values } = parseArgs({ options: { teams: { type: 'string', default: '1000' }, shared: { type: 'string', default: '20' }, 'workspace-per-second': { type: 'string', default: '100' }, engine: { type: 'string', default: 'pglite' }, 'server-url': { type: 'string' } } });
const teams = Number(values.teams);
const sharedPairs = Number(values.shared);
const workspacePerSecond = Number(values['workspace-per-second']);

// Teams 2k and 2k+1 share a channel for the first `shared` pairs: posted one after the other, the second must wait.
const channelOf = (team: number) => (team < sharedPairs * 2 ? `C${String(Math.floor(team / 2)).padStart(6, '0')}` : `C${String(team).padStart(6, '0')}`);
const teamName = (team: number) => `team-${String(team).padStart(5, '0')}`;
const documents = Array.from({ length: teams }, (_, team) => [
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: teamName(team), annotations: { 'slack.com/channel': channelOf(team) } }, spec: { type: 'team', children: [] } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: `${teamName(team)}-api` }, spec: { type: 'service', lifecycle: 'production', owner: teamName(team) } },
]).flat();
const folder = mkdtempSync(path.join(tmpdir(), 'callboard-nudge-bench-'));
writeFileSync(path.join(folder, 'catalog-info.yaml'), documents.map((document) => yaml.dump(document)).join('---\n'));

// The loopback Slack: posts recorded per channel, refused with 429 when a channel or the workspace is over its limit.
const lastPostAt = new Map<string, number>();
const recent: number[] = [];
const deliveries = new Map<string, number>();
let rateLimited = 0;
let minChannelGapMs = Number.POSITIVE_INFINITY;
const slack = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    if (request.url !== '/api/chat.postMessage') {
      // users.list before the run: nobody to find, the teams have channels.
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ ok: true, members: [], response_metadata: { next_cursor: '' } }));
    }
    const now = Date.now();
    const channel = String(body.channel);
    while (recent.length > 0 && recent[0]! <= now - 1_000) recent.shift();
    const sinceLast = now - (lastPostAt.get(channel) ?? 0);
    if (sinceLast < 1_000 || recent.length >= workspacePerSecond) {
      rateLimited += 1;
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      return void response.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    if (lastPostAt.has(channel)) minChannelGapMs = Math.min(minChannelGapMs, sinceLast);
    lastPostAt.set(channel, now);
    recent.push(now);
    const delivery = (JSON.parse(String(body.metadata)) as { event_payload: { delivery: string } }).event_payload.delivery;
    deliveries.set(delivery, (deliveries.get(delivery) ?? 0) + 1);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok: true, channel, ts: `${Math.floor(now / 1000)}.${String(deliveries.size).padStart(6, '0')}` }));
  });
});
await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
const apiUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;

const logger = createLogger({ level: 'warn' });
const store = benchDatabase(values.engine as BenchEngine, values['server-url'] ?? '');
const database = await store.fresh(1);
const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger });
try {
  await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
  const always = { intervalDays: 7, workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }, timezones: {} };
  const scorecards = createScorecardService({ db: database.db, catalog, library: loadScorecards({ folders: [], collectors: BUILT_IN_COLLECTORS }), collectors: BUILT_IN_COLLECTORS, nudges: always });
  await scorecards.evaluateAndRecord();
  const client = new webApi.WebClient('xoxb-bench', { slackApiUrl: apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  const sender = slackNudgeSender({ client, view: catalog.view, people: createPeopleDirectory(client, logger), logger });
  const slot = new Date();
  const started = performance.now();
  const report = await runNudges({ db: database.db, slot, sender, logger, plan: (at) => scorecards.planNudges(at) });
  const runMs = performance.now() - started;
  const repeated = [...deliveries.values()].filter((count) => count > 1).length;
  const lost = teams - deliveries.size;
  process.stdout.write(
    `${JSON.stringify({ teams, channels: new Set(Array.from({ length: teams }, (_, team) => channelOf(team))).size, workspacePerSecond, sent: report.sent.length, runMs, messagesPerSecond: (report.sent.length / runMs) * 1000, rateLimited, lost, repeated, pending: report.pending.length, minChannelGapMs })}\n`,
  );
} finally {
  slack.close();
  await catalog.whenIdle();
  await database.close();
  await store.drop();
  rmSync(folder, { recursive: true, force: true });
}
