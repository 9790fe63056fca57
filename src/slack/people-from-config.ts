import type { SlackConfig } from '../config/config-schema.js';
import type { Logger } from '../logger.js';
import { createPeopleDirectory, mentionsByEmail } from './people.js';
import { backgroundWebClient } from './web-api.js';

/** Slack user ids by lower-case email, asked of the workspace the bot token belongs to (for the CLI, which runs no app). */
export function slackUsersByEmail(slack: SlackConfig, logger: Logger, emails: string[]): Promise<Record<string, string>> {
  if (!slack.botToken || emails.length === 0) return Promise.resolve({});
  return mentionsByEmail(createPeopleDirectory(backgroundWebClient(slack.botToken, slack), logger, { budgetMs: 5_000 }), emails);
}
