import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCatalogService, type CatalogService } from '../../src/catalog/catalog-service.js';
import type { Config } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Database } from '../../src/db/client.js';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/slack-app.js';
import { captureLogger } from './capture-logger.js';
import { FakeSlack, slackSignature } from './fake-slack.js';
import { createTestDatabase, type Engine } from './test-database.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-token';

export interface SlackHarnessOptions {
  /** The catalog, as the YAML of one catalog-info.yaml file. */
  catalogYaml: string;
  /** Config on top of the defaults (app.baseUrl, opsgenie.domain, ...). */
  config?: Partial<Config>;
  /** Set up the loopback Slack before the app starts (users it knows, failures to give). */
  prepare?: (slack: FakeSlack) => void;
}

/**
 * The Slack app in HTTP mode on a real database, a loopback Slack for its Web API and
 * response_urls, and helpers that send what Slack sends, correctly signed.
 */
export interface SlackHarness {
  slack: FakeSlack;
  catalog: CatalogService;
  /** The loopback Slack's base URL (response_urls point under it). */
  slackUrl: string;
  /** The app's base URL. */
  appUrl: string;
  logLines: Record<string, unknown>[];
  /** POSTs a body to /slack/events, signed unless `headers` already carries a signature. */
  post(body: string, options?: { contentType?: string; headers?: Record<string, string> }): Promise<Response>;
  /** A slash command as Slack sends it, with a fresh trigger_id and a response_url on the loopback Slack. */
  slashCommand(command: string, text: string, fields?: Record<string, string>): Promise<Response>;
  /** An interaction payload (block_actions, shortcut, view_submission...), form-encoded as Slack sends it. */
  interaction(payload: Record<string, unknown>): Promise<Response>;
  /** An Events API callback wrapping `event`; the same eventId with retryNum is Slack's retry. */
  event(event: Record<string, unknown>, options?: { eventId?: string; retryNum?: number }): Promise<Response>;
  /** A response_url on the loopback Slack, unique to this name. */
  responseUrl(name: string): string;
  stop(): Promise<void>;
}

export async function startSlackHarness(engine: Engine, options: SlackHarnessOptions): Promise<SlackHarness> {
  const database: Database = await createTestDatabase(engine);
  const folder = mkdtempSync(path.join(tmpdir(), 'callboard-slack-'));
  writeFileSync(path.join(folder, 'catalog-info.yaml'), options.catalogYaml);
  const captured = captureLogger();
  const config = { ...loadConfig({ files: [], env: {} }), ...options.config };
  const catalog = createCatalogService({ database, config, github: () => undefined, logger: captured.logger });
  await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
  const slack = new FakeSlack();
  const slackUrl = await slack.start();
  options.prepare?.(slack);
  let app: RunningSlackApp;
  try {
    app = await startSlackApp({ slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: `${slackUrl}/api/`, port: 0 }, catalog, db: database.db, logger: captured.logger });
  } catch (error) {
    await slack.stop();
    await database.close();
    throw error;
  }
  const appUrl = `http://127.0.0.1:${app.port}`;
  const post: SlackHarness['post'] = (body, { contentType = 'application/x-www-form-urlencoded', headers } = {}) =>
    fetch(`${appUrl}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...(headers ?? slackSignature(SIGNING_SECRET, body)) }, body });
  const responseUrl = (name: string) => `${slackUrl}/response/${name}`;
  return {
    slack,
    catalog,
    slackUrl,
    appUrl,
    logLines: captured.lines,
    post,
    responseUrl,
    slashCommand: (command, text, fields = {}) => {
      const trigger = `trigger-${randomUUID()}`;
      return post(new URLSearchParams({ token: 'legacy', team_id: 'T0001', channel_id: 'C0001', user_id: 'U0001', command, text, response_url: responseUrl(trigger), trigger_id: trigger, ...fields }).toString());
    },
    interaction: (payload) => post(new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T0001' }, user: { id: 'U0001' }, trigger_id: `trigger-${randomUUID()}`, ...payload }) }).toString()),
    event: (event, { eventId = `Ev${randomUUID()}`, retryNum } = {}) => {
      const body = JSON.stringify({ type: 'event_callback', team_id: 'T0001', api_app_id: 'A0001', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event });
      const retry: Record<string, string> = retryNum === undefined ? {} : { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' };
      return post(body, { contentType: 'application/json', headers: { ...slackSignature(SIGNING_SECRET, body), ...retry } });
    },
    stop: async () => {
      await app.stop();
      await slack.stop();
      await catalog.whenIdle();
      await database.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
