import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { SlackConfig } from '../config/config-schema.js';
import type { Db } from '../db/client.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SlashCommand } from './commands/registry.js';
import { BUILT_IN_COMMANDS } from './commands/built-in.js';
import { routeSlashCommands, type CommandAnswerer } from './command-route.js';
import { registerListeners } from './listeners.js';
import { slackAppSettings } from './settings.js';
import { backgroundWebClient, webApiOptions, type WebApiSettings } from './web-api.js';
import { BUILT_IN_SURFACES } from './surfaces/built-in.js';
import type { Surface } from './surfaces/surface.js';
import type { ScaffolderService } from '../scaffolder/scaffolder-service.js';
import type { DocsService } from '../docs/docs-service.js';
import type { HealthService } from '../kubernetes/health-service.js';
import type { ScorecardService } from '../scorecards/scorecard-service.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import type { CardSectionExtension } from '../plugins/plugin-api.js';
import { requestTimeProblem } from './request-time.js';

/** How often the workspace's people are listed again: someone who joins is mentioned from the next listing on. */
const WORKSPACE_LISTING_INTERVAL_MS = 6 * 3_600_000;

/** The longest wait between two attempts to reconnect to Socket Mode while Slack cannot be reached. */
const MAX_RECONNECT_DELAY_MS = 30_000;

export type SlackTransportName = 'socket-mode' | 'http';

export interface SlackAppDeps {
  slack: SlackConfig;
  catalog: CatalogService;
  db: Db;
  logger: Logger;
  commands?: SlashCommand[];
  surfaces?: Surface[];
  scaffolder: ScaffolderService;
  docs?: DocsService;
  health?: HealthService;
  scorecards?: ScorecardService;
  oncall?: OnCallService;
  /** The ownership card's sections, from the plugins (the built-in on-call one first). */
  cardSections?: CardSectionExtension[];
  /** notification:send's broadcast channel (callboard.scaffolder.broadcastChannel). */
  broadcastChannel?: string;
}

export interface RunningSlackApp {
  /** Where `/healthz` and `/readyz` (and in HTTP mode `/slack/events`) are served. */
  port: number;
  transport: SlackTransportName;
  stop(): Promise<void>;
}

/** How Slack's deliveries reach the app; the listeners, probes and Web API client are the same on both. */
interface Transport {
  receiver: Receiver;
  /** A request to our port that is not a health probe; slash commands are answered by `answerCommand`. */
  handle(request: IncomingMessage, response: ServerResponse, pathname: string, answerCommand: CommandAnswerer): void;
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Slack app over Socket Mode (an outgoing WebSocket) or HTTP (Slack calls `/slack/events`),
 * with liveness and readiness served on `slack.port` either way.
 */
export async function startSlackApp({ slack, catalog, db, logger, commands = BUILT_IN_COMMANDS, surfaces = BUILT_IN_SURFACES, scaffolder, docs, health, scorecards, oncall, cardSections = [], broadcastChannel }: SlackAppDeps): Promise<RunningSlackApp> {
  const settings = slackAppSettings(slack);
  const log = logger.child({ module: 'slack' });
  const transport = settings.transport.name === 'socket-mode' ? socketModeTransport(settings.transport.appToken, slack, log) : httpTransport(settings.transport.signingSecret, log);
  const app = new App({
    token: settings.botToken,
    receiver: transport.receiver,
    logger: boltLogger(log),
    deferInitialization: true,
    clientOptions: webApiOptions(slack),
  });
  const { purgeExpired, people, answerCommand, startSurfaces } = registerListeners(app, { catalog, db, log, commands, surfaces, scaffolder, ...(docs ? { docs } : {}), ...(health ? { health } : {}), ...(scorecards ? { scorecards } : {}), ...(oncall ? { oncall } : {}), cardSections, broadcastChannel, peopleClient: backgroundWebClient(settings.botToken, slack) });

  try {
    await app.init();
  } catch (error) {
    const unreachable = (error as { code?: unknown }).code === 'slack_webapi_request_error';
    const problem = unreachable
      ? `could not reach Slack's Web API at ${slack.apiUrl ?? 'https://slack.com/api/'} (SLACK_API_URL / callboard.slack.apiUrl; check the network and proxy)`
      : 'Slack refused the bot token (SLACK_BOT_TOKEN / callboard.slack.botToken)';
    throw new Error(`${problem}: ${errorMessage(error)}`, { cause: error });
  }

  const server = await listen(settings.port, (request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && pathname === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (request.method === 'GET' && pathname === '/readyz') {
      void readiness(db, catalog).then((problem) => sendJson(response, problem ? 503 : 200, problem ? { status: 'unavailable', problem } : { status: 'ready', entities: catalog.view.size }));
      return;
    }
    transport.handle(request, response, pathname, answerCommand);
  });
  try {
    await transport.open();
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  startSurfaces();
  const purge = setInterval(() => void purgeExpired().catch((error: unknown) => log.warn({ err: error }, 'purging old Slack deliveries and template forms failed')), 3_600_000);
  purge.unref();
  // Who is in the workspace, read in the background so answers mention people without asking Slack per person.
  void people.listWorkspace();
  const relist = setInterval(() => void people.listWorkspace(), WORKSPACE_LISTING_INTERVAL_MS);
  relist.unref();
  const port = (server.address() as AddressInfo).port;
  log.info({ port, transport: settings.transport.name }, settings.transport.name === 'socket-mode' ? 'Slack app connected in Socket Mode' : 'Slack app listening on /slack/events');
  let stopped: Promise<void> | undefined;
  return {
    port,
    transport: settings.transport.name,
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(purge);
        clearInterval(relist);
        await transport.close();
        await closeServer(server);
      })()),
  };
}

/**
 * Slack's payloads are kilobytes, and it always says how long they are; Bolt would read a body of
 * any size into memory before checking its signature.
 */
const MAX_BODY_BYTES = 1024 * 1024;

function sizeRefusal(contentLength: string | undefined): { status: number; problem: string } | undefined {
  if (contentLength === undefined) return { status: 411, problem: 'a Content-Length is required' };
  return Number(contentLength) > MAX_BODY_BYTES ? { status: 413, problem: `the body is larger than ${MAX_BODY_BYTES} bytes` } : undefined;
}

/** Without a timestamp Bolt decides: it refuses the request, unless it is Slack's unsigned `ssl_check=1`. */
function timeRefusal(timestamp: string | string[] | undefined): { status: number; problem: string } | undefined {
  if (timestamp === undefined) return undefined;
  const problem = requestTimeProblem(timestamp);
  return problem ? { status: 401, problem } : undefined;
}

/**
 * Slack calls us. Requests of unstated or excessive size, or stamped outside Slack's five-minute
 * window either way (Bolt refuses only old ones), are refused first; signed slash commands are
 * answered by the command route, everything else by Bolt's receiver, which checks the signature.
 */
function httpTransport(signingSecret: string, log: Logger): Transport {
  const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', logger: boltLogger(log), unhandledRequestTimeoutMillis: 2_900 });
  const route = routeSlashCommands(signingSecret, (request, response) => receiver.requestListener(request, response));
  return {
    receiver,
    handle: (request, response, pathname, answerCommand) => {
      if (pathname !== '/slack/events' || request.method !== 'POST') return receiver.requestListener(request, response);
      const refusal = sizeRefusal(request.headers['content-length']) ?? timeRefusal(request.headers['x-slack-request-timestamp']);
      if (refusal) {
        log.warn({ problem: refusal.problem }, 'Slack request refused');
        request.resume();
        return sendJson(response, refusal.status, { error: refusal.problem });
      }
      route(request, response, answerCommand).catch((error: unknown) => {
        log.error({ err: error }, 'a slash command could not be answered');
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      });
    },
    open: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * We call Slack: `apps.connections.open` with the app token (on the configured Web API URL) gives a
 * WebSocket URL; deliveries arrive on it and are acknowledged by envelope id. Our port has only the probes.
 *
 * The client's own reconnection is off: in @slack/socket-mode 3.1 a failed reconnect is an unhandled
 * rejection (which ends the process) and a reconnect pending at disconnect() can connect again after it.
 * So reconnecting happens here: at once when Slack closes a connection (it recycles them routinely),
 * then backing off while it fails, never after close().
 */
function socketModeTransport(appToken: string, webApi: WebApiSettings, log: Logger): Transport {
  const receiver = new SocketModeReceiver({ appToken, logger: boltLogger(log), autoReconnectEnabled: false, installerOptions: { clientOptions: webApiOptions(webApi) } });
  const { client } = receiver;
  let closing = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;

  /** True when connected; a failure is logged and counted for the back-off. */
  const reconnect = async () => {
    try {
      await client.start();
      failures = 0;
      log.info('Socket Mode reconnected');
      return true;
    } catch (error) {
      failures += 1;
      log.warn({ failures, problem: connectionProblem(error) }, 'Socket Mode reconnection failed');
      return false;
    }
  };
  const scheduleReconnect = () => {
    // A failing attempt also reports "disconnected"; the attempt itself schedules the next one.
    if (closing || retry || attempt) return;
    const delay = failures === 0 ? 0 : Math.min(MAX_RECONNECT_DELAY_MS, 1_000 * 2 ** (failures - 1));
    retry = setTimeout(() => {
      retry = undefined;
      attempt = reconnect().then((connected) => {
        attempt = undefined;
        if (!connected) scheduleReconnect();
      });
    }, delay);
  };

  return {
    receiver,
    handle: (request, response) => {
      request.resume();
      sendJson(response, 404, { error: 'not found: in Socket Mode this port serves only /healthz and /readyz' });
    },
    open: async () => {
      try {
        await client.start();
      } catch (error) {
        throw new Error(`Socket Mode could not connect (SLACK_APP_TOKEN / callboard.slack.appToken): ${connectionProblem(error)}`, { cause: error });
      }
      client.on('disconnected', scheduleReconnect);
    },
    close: async () => {
      closing = true;
      clearTimeout(retry);
      // An attempt under way would otherwise connect after the disconnect below.
      await attempt;
      await client.disconnect();
    },
  };
}

/** Why a Socket Mode connection attempt failed; the client rejects with nothing when the socket closes before Slack's hello. */
function connectionProblem(error: unknown): string {
  return error === undefined ? 'the connection closed before Slack said hello' : errorMessage(error);
}

async function listen(port: number, route: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> {
  const server = createServer(route);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A probe answers in time or fails: a database that hangs is as unready as one that refuses. */
const READINESS_BUDGET_MS = 1_000;

async function readiness(db: Db, catalog: CatalogService): Promise<string | undefined> {
  const probe = db.execute(sql`select 1`).then(
    () => undefined,
    () => 'the database is not reachable',
  );
  const problem = await Promise.race([probe, sleep(READINESS_BUDGET_MS, `the database did not answer within ${READINESS_BUDGET_MS} ms`, { ref: false })]);
  return problem ?? (catalog.loaded ? undefined : 'the catalog is still loading');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Bolt logs through pino, so its lines are redacted and leveled like ours. */
function boltLogger(log: Logger): BoltLogger {
  return {
    // Bolt logs several debug lines per request; building them when nobody reads them costs throughput.
    debug: (...message) => log.isLevelEnabled('debug') && log.debug(message.map(String).join(' ')),
    info: (...message) => log.info(message.map(String).join(' ')),
    warn: (...message) => log.warn(message.map(String).join(' ')),
    error: (...message) => log.error(message.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
