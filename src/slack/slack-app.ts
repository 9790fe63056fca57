import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { SlackConfig } from '../config/config-schema.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { SlashCommand } from './commands/registry.js';
import { BUILT_IN_COMMANDS } from './commands/built-in.js';
import { registerListeners } from './listeners.js';
import { requestTimeProblem } from './request-time.js';

/** Web API calls give up rather than hold a listener: the client's default retries for about 30 minutes. */
const WEB_API_TIMEOUT_MS = 10_000;

export interface SlackAppDeps {
  slack: SlackConfig & { botToken: string; signingSecret: string };
  catalog: CatalogService;
  db: Db;
  logger: Logger;
  commands?: SlashCommand[];
}

export interface RunningSlackApp {
  port: number;
  stop(): Promise<void>;
}

/**
 * The Slack app over HTTP: Bolt's receiver behind a server of ours that adds liveness and
 * readiness, refuses requests stamped outside Slack's five-minute window (either way) before Bolt
 * sees them, and hands everything else to Bolt, which checks the signature.
 */
export async function startSlackApp({ slack, catalog, db, logger, commands = BUILT_IN_COMMANDS }: SlackAppDeps): Promise<RunningSlackApp> {
  const log = logger.child({ module: 'slack' });
  const receiver = new HTTPReceiver({ signingSecret: slack.signingSecret, endpoints: '/slack/events', logger: boltLogger(log), unhandledRequestTimeoutMillis: 2_900 });
  const app = new App({
    token: slack.botToken,
    receiver,
    logger: boltLogger(log),
    deferInitialization: true,
    clientOptions: {
      slackApiUrl: slack.apiUrl,
      timeout: WEB_API_TIMEOUT_MS,
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000 },
    },
  });
  const { purgeDeliveries } = registerListeners(app, { catalog, db, log, commands });

  try {
    await app.init();
  } catch (error) {
    throw new Error(`Slack refused the bot token (SLACK_BOT_TOKEN / callboard.slack.botToken): ${(error as Error).message}`, { cause: error });
  }

  const server = createServer((request, response) => route(request, response));
  const route = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (request.method === 'GET' && url.pathname === '/readyz') {
      void readiness(db, catalog).then((problem) => sendJson(response, problem ? 503 : 200, problem ? { status: 'unavailable', problem } : { status: 'ready', entities: catalog.view.size }));
      return;
    }
    if (url.pathname === '/slack/events') {
      const problem = requestTimeProblem(request.headers['x-slack-request-timestamp']);
      if (problem) {
        log.warn({ problem }, 'Slack request refused');
        request.resume();
        return sendJson(response, 401, { error: 'invalid request timestamp' });
      }
    }
    receiver.requestListener(request, response);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(slack.port, () => resolve());
  });
  const purge = setInterval(() => void purgeDeliveries().catch((error: unknown) => log.warn({ err: error }, 'purging old Slack deliveries failed')), 3_600_000);
  purge.unref();
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'Slack app listening on /slack/events');
  return {
    port,
    stop: async () => {
      clearInterval(purge);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readiness(db: Db, catalog: CatalogService): Promise<string | undefined> {
  try {
    await db.execute(sql`select 1`);
  } catch {
    return 'the database is not reachable';
  }
  return catalog.loaded ? undefined : 'the catalog is still loading';
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Bolt logs through pino, so its lines are redacted and leveled like ours. */
function boltLogger(log: Logger): BoltLogger {
  return {
    debug: (...message) => log.debug(message.map(String).join(' ')),
    info: (...message) => log.info(message.map(String).join(' ')),
    warn: (...message) => log.warn(message.map(String).join(' ')),
    error: (...message) => log.error(message.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
