import type { SlackConfig } from '../config/config-schema.js';
import { ConfigError } from '../errors.js';

/** What the Slack app runs with: Socket Mode when there is an app token, else HTTP with the signing secret. */
export interface SlackAppSettings {
  botToken: string;
  transport: { name: 'socket-mode'; appToken: string } | { name: 'http'; signingSecret: string };
  apiUrl?: string;
  port: number;
}

/**
 * The settings the Slack app needs from `callboard.slack`, or a ConfigError naming every missing
 * one with the environment variable and the config key that set it.
 */
export function slackAppSettings(slack: SlackConfig): SlackAppSettings {
  const transport = transportOf(slack);
  if (slack.botToken && transport) return { botToken: slack.botToken, transport, apiUrl: slack.apiUrl, port: slack.port };
  throw new ConfigError(slackSettingsProblems(slack));
}

/** What is missing before the Slack app can start, one line each with the variable and config key to set; empty when nothing is. */
export function slackSettingsProblems(slack: SlackConfig): string[] {
  const missing: string[] = [];
  if (!slack.botToken) missing.push('SLACK_BOT_TOKEN (callboard.slack.botToken) is not set: the Slack app needs its bot token (xoxb-…, under "OAuth & Permissions")');
  if (!transportOf(slack)) {
    missing.push(
      'SLACK_SIGNING_SECRET (callboard.slack.signingSecret) for HTTP mode, or SLACK_APP_TOKEN (callboard.slack.appToken) for Socket Mode: neither is set (both are under "Basic Information")',
    );
  }
  return missing;
}

function transportOf(slack: SlackConfig): SlackAppSettings['transport'] | undefined {
  return slack.appToken ? { name: 'socket-mode', appToken: slack.appToken } : slack.signingSecret ? { name: 'http', signingSecret: slack.signingSecret } : undefined;
}
