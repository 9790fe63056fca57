/**
 * The Slack app under load, in its own process: a generated catalog stored and loaded as the
 * service does it, the real app (startSlackApp over HTTP) on a loopback port, and Slack in a worker
 * thread (bench/slack-load.ts) sending it signed `/whoowns` commands. Latency is from sending a
 * command to its ownership card arriving; commands/s is over the whole measured run. Prints one
 * JSON line. Run through bench/run-bench.ts.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { createScaffolderService } from '../src/scaffolder/scaffolder-service.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { startSlackApp, type RunningSlackApp } from '../src/slack/slack-app.js';
import type { LoadResult, LoadSettings, ModalResult, StartLoad } from './slack-load.js';
import { benchDatabase, percentile, type BenchEngine } from './support.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    engine: { type: 'string' },
    dir: { type: 'string' },
    names: { type: 'string' },
    'server-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    concurrency: { type: 'string', default: '50' },
    requests: { type: 'string', default: '3000' },
    'warm-up': { type: 'string', default: '3000' },
    'modal-requests': { type: 'string', default: '50' },
  },
});
const size = Number(values.size);
const engine = values.engine as BenchEngine;
const dir = path.resolve(values.dir!);
const components = (JSON.parse(readFileSync(values.names!, 'utf8')) as { components: string[] }).components;
const config = loadConfig({ files: [], env: {} });
const logger = createLogger({ level: 'warn' });
const signingSecret = 'bench-signing-secret';

// Stored as a first load stores it, with the pool the service would open.
const store = benchDatabase(engine, values['server-url']!);
const database = await store.fresh(engine === 'postgres' ? config.callboard.database.poolSize : 1);
const catalog = createCatalogService({ database, config, github: () => undefined, logger });
const report = await catalog.refresh([{ key: `file:${dir}`, type: 'file', target: dir }]);
if (report.added !== size) throw new Error(`expected ${size} entities, stored ${report.added}; problems: ${report.problems.length}`);

const half = Math.ceil(components.length / 2);
const settings: LoadSettings = {
  signingSecret,
  warmUpNames: components.slice(half),
  names: components.slice(0, half),
  warmUpRequests: Number(values['warm-up']),
  requests: Number(values.requests),
  concurrency: Number(values.concurrency),
  askerEmail: askerEmail(),
  modalRequests: Number(values['modal-requests']),
};
// A thread does not inherit tsx's loader: it registers it, then imports the TypeScript.
const slackSource = new URL('./slack-load.ts', import.meta.url).href;
const slack = new Worker(
  `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(slackSource)}); });`,
  { eval: true, workerData: settings },
);
const failed = new Promise<never>((_, reject) => {
  slack.once('error', reject);
  slack.once('exit', (code) => reject(new Error(`the Slack worker exited (${code}) before it reported`)));
});
const fromSlack = <T>() => Promise.race([new Promise<T>((resolve) => slack.once('message', resolve)), failed]);

let app: RunningSlackApp | undefined;
let measured: LoadResult;
let modals: ModalResult;
try {
  const slackUrl = await fromSlack<string>();
  // The ingest's garbage is not the app's: collect it before the app starts answering.
  globalThis.gc?.();
  app = await startSlackApp({
    slack: { ...config.callboard.slack, port: 0, botToken: 'xoxb-bench-token', signingSecret, apiUrl: `${slackUrl}/api/` },
    catalog,
    db: database.db,
    logger,
    // The load sends no template runs: nothing is ever published here.
    scaffolder: createScaffolderService({ db: database.db, catalog, localRepositories: path.join(os.tmpdir(), 'callboard-bench-repositories') }),
  });
  slack.postMessage({ port: app.port } satisfies StartLoad);
  measured = await fromSlack<LoadResult>();
  modals = await fromSlack<ModalResult>();
} finally {
  // Load first, database last; a failed run leaves no database behind on the shared server.
  await slack.terminate();
  await app?.stop();
  await database.close();
  await store.drop();
}

process.stdout.write(`${JSON.stringify({
  size,
  engine,
  concurrency: settings.concurrency,
  requests: measured.latenciesMs.length,
  p50Ms: percentile(measured.latenciesMs, 50),
  p99Ms: percentile(measured.latenciesMs, 99),
  maxMs: Math.max(...measured.latenciesMs),
  commandsPerSecond: (measured.latenciesMs.length / measured.elapsedMs) * 1000,
  deferred: measured.deferred,
  webApiCalls: measured.webApiCalls,
  pickerP50Ms: percentile(modals.pickerMs, 50),
  pickerP99Ms: percentile(modals.pickerMs, 99),
  firstPageP50Ms: percentile(modals.firstPageMs, 50),
  firstPageP99Ms: percentile(modals.firstPageMs, 99),
})}\n`);

/** The email of one of the catalog's users: the benchmark's Slack user is them. */
function askerEmail(): string {
  const [user] = catalog.find('kind:user', { limit: 1 }).results;
  const email = (catalog.view.get(user!.ref)?.spec?.profile as { email?: string } | undefined)?.email;
  if (!email) throw new Error('the generated catalog has no user with an email');
  return email;
}
