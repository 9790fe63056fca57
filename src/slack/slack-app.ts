import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger, type RespondFn } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { SlackConfig } from '../config/config-schema.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { ACTIONS } from './blocks/action-ids.js';
import type { FindPageValue } from './blocks/find-results.js';
import { fitMessage, type SlackMessage } from './blocks/limits.js';
import { ownershipCard } from './blocks/ownership-card.js';
import { createDeliveryLog, deliveryKey } from './delivery-log.js';
import { findCommand, findPage } from './commands/find.js';
import { CommandRegistry, type SlashCommand } from './commands/registry.js';
import { whoOwnsCommand } from './commands/whoowns.js';
import { requestTimeProblem } from './request-time.js';

export const BUILT_IN_COMMANDS: SlashCommand[] = [whoOwnsCommand, findCommand];

/** An answer ready within this long goes back in the acknowledgement itself; a slower one follows through response_url. */
const ANSWER_IN_ACK_MS = 1_500;
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
  const registry = new CommandRegistry();
  for (const command of commands) registry.register(command);
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
  const deliveries = createDeliveryLog(db);

  // A delivery seen before (Slack's retry, a replay) is acknowledged and otherwise ignored.
  app.use(async ({ body, next, ...rest }) => {
    const key = deliveryKey(body as Record<string, unknown>);
    if (key && !(await deliveries.claim(key))) {
      log.info({ key }, 'duplicate Slack delivery ignored');
      if ('ack' in rest && typeof rest.ack === 'function') await (rest.ack as () => Promise<void>)();
      return;
    }
    await next();
  });

  const apologise = async (respond: RespondFn, error: unknown) => {
    const reference = randomUUID().slice(0, 8);
    log.error({ err: error, reference }, 'a Slack request failed');
    await respond({ response_type: 'ephemeral', replace_original: false, text: `Sorry, that failed. If it keeps failing, give your platform team reference ${reference}.` }).catch(
      (respondError: unknown) => log.error({ err: respondError, reference }, 'could not tell the user about the failure'),
    );
  };

  app.command(/^\/.+/, async ({ command, ack, respond }) => {
    const handler = registry.get(command.command);
    if (!handler) {
      await ack({ response_type: 'ephemeral', text: `Callboard does not know ${command.command}.` });
      return;
    }
    const answering = Promise.resolve().then(() => handler.answer(command.text, { catalog, userId: command.user_id }));
    const quick = await Promise.race([answering.then((message) => ({ message }), () => undefined), delay(ANSWER_IN_ACK_MS)]);
    if (quick) {
      await ack({ response_type: 'ephemeral', ...fitMessage(quick.message) });
      return;
    }
    await ack();
    try {
      await respond({ response_type: 'ephemeral', ...fitMessage(await answering) });
    } catch (error) {
      await apologise(respond, error);
    }
  });

  /** A button press: acknowledged at once, then answered through its response_url; a failure is an apology. */
  const onButton = (actionId: string | RegExp, answer: (value: string, respond: RespondFn) => Promise<unknown>) =>
    app.action(actionId, async ({ action, ack, respond }) => {
      await ack();
      try {
        await answer(String((action as { value?: string }).value ?? ''), respond);
      } catch (error) {
        await apologise(respond, error);
      }
    });
  /** Posts the answer where everyone in the channel sees it, then removes the private copy it came from. */
  const shareInChannel = async (respond: RespondFn, message: SlackMessage) => {
    await respond({ response_type: 'in_channel', replace_original: false, ...message });
    await respond({ delete_original: true });
  };

  onButton(new RegExp(`^${ACTIONS.findPage}:`), (value, respond) => {
    const { q, offset } = findPageValue(value);
    return respond({ replace_original: true, ...findPage(q, offset, { catalog }) });
  });
  onButton(ACTIONS.shareFind, (value, respond) => {
    const { q, offset } = findPageValue(value);
    return shareInChannel(respond, findPage(q, offset, { catalog }, true));
  });
  onButton(new RegExp(`^${ACTIONS.suggestion}:`), (value, respond) => respond({ replace_original: true, ...ownershipCard(catalog.whoOwns(value), {}) }));
  onButton(ACTIONS.share, (value, respond) => shareInChannel(respond, ownershipCard(catalog.whoOwns(value), { shared: true })));

  app.error(async (error) => {
    log.error({ err: error }, 'unhandled Slack listener error');
  });

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
  const purge = setInterval(() => void deliveries.purge().catch((error: unknown) => log.warn({ err: error }, 'purging old Slack deliveries failed')), 3_600_000);
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

/** The query and offset a find button carries; anything malformed reads as the first page of nothing. */
function findPageValue(value: string): FindPageValue {
  const parsed = JSON.parse(value || '{}') as Partial<FindPageValue>;
  return { q: typeof parsed.q === 'string' ? parsed.q : '', offset: Math.max(0, Math.floor(Number(parsed.offset)) || 0) };
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

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
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
