/**
 * Callboard's plugin API: what a plugin module's default export is, and everything `register` may
 * add. The built-in features register through this same API, so it is the one the app itself uses.
 * Plugin authors import it as `callboard/plugin`.
 */
import type { KnownBlock } from '@slack/types';
import type { CatalogView } from '../catalog/answers/catalog-view.js';
import type { Entity } from '../catalog/model/entity.js';
import type { Logger } from '../logger.js';
import type { ScaffolderAction } from '../scaffolder/actions/action.js';
import type { FactCollector } from '../scorecards/fact-collector.js';
import type { EntityProcessor } from '../catalog/processing/run-processors.js';
import type { OnCallProvider, OnCallProviderAnswer } from '../oncall/oncall-provider.js';
import type { SlackMessage } from '../slack/blocks/limits.js';

export type { Entity, KnownBlock, SlackMessage };
export type { FactCollector, FactContext, FactType } from '../scorecards/fact-collector.js';
export type { ActionContext } from '../scaffolder/actions/action.js';

/** What a plugin command's handler may read: the catalog as it stands, and who asked. */
export interface PluginCommandContext {
  view: CatalogView;
  /** The entity a query names (a name, a ref or a title), as `/whoowns` finds it. */
  resolve(query: string): { ref: string; entity: Entity } | undefined;
  /** The Slack user who asked, and their catalog User ref when the catalog has them. */
  slackUserId: string;
  userRef(): Promise<string | undefined>;
  /** Who is on call for an entity, from every on-call provider registered. */
  onCall(entity: Entity): Promise<OnCallProviderAnswer[]>;
  /** Aborted when the answer took too long and the asker was told so. */
  signal: AbortSignal;
}

/**
 * A slash command (`/oncall`) or a `/callboard <verb>` subcommand (`tier`): `answer` gives a domain answer,
 * `render` turns it into a message with pure functions. The app acknowledges, times the answer out
 * and fits the message within Block Kit's limits.
 */
export interface CommandExtension<Answer = unknown> {
  /** `/oncall`: a slash command of its own (added to the Slack app's manifest); `tier`: a verb, answered as `/callboard tier`, with no change to the Slack app. */
  command: string;
  description: string;
  usageHint: string;
  /** Bot scopes the answer needs beyond `commands`, each with why. */
  scopes?: Record<string, string>;
  answer(text: string, context: PluginCommandContext): Answer | Promise<Answer>;
  /** Nothing when the command answered otherwise (it opened a modal). */
  render(answer: Answer): SlackMessage | undefined;
  /** How long `answer` may take before the asker is told it failed (default 10 s). */
  timeoutMs?: number;
}

/** What a card section may read while it renders. */
export interface CardSectionContext {
  view: CatalogView;
  /** Who is on call for an entity, from every on-call provider registered. */
  onCall(entity: Entity): Promise<OnCallProviderAnswer[]>;
  /** Slack user ids by (lower-case) email, for people to mention; none on a card shared in a channel, where a mention would notify them. */
  mentionsFor(emails: string[]): Promise<Record<string, string>>;
  /** Aborted once the section's budget is spent: the card has gone without it. */
  signal: AbortSignal;
}

/** A section of the ownership card: the entity in, blocks out. A section slower than its budget is left out of the card. */
export interface CardSectionExtension {
  id: string;
  /** Milliseconds the section may take (default 300); the card does not wait longer for it. */
  budgetMs?: number;
  render(entity: { ref: string; entity: Entity }, context: CardSectionContext): KnownBlock[] | Promise<KnownBlock[]>;
}

export type { OnCallPerson, OnCallProvider, OnCallProviderAnswer } from '../oncall/oncall-provider.js';

/**
 * A catalog processor: an entity in, the same entity with more annotations or relations out, or a
 * problem with it (a warning on the entity, which is kept as it was). It may not rename the entity.
 */
export type ProcessorExtension = EntityProcessor;

/** What `register` gets: the plugin's own validated config, a logger, and the ways to extend Callboard. */
export interface PluginApi<Config = unknown> {
  /** The plugin's `with:` from the configuration, checked against its `configSchema`. */
  config: Config;
  logger: Logger;
  addCommand<Answer>(command: CommandExtension<Answer>): void;
  addCardSection(section: CardSectionExtension): void;
  addAction(action: ScaffolderAction): void;
  addFactCollector(collector: FactCollector): void;
  addOnCallProvider(provider: OnCallProvider): void;
  addProcessor(processor: ProcessorExtension): void;
}

export interface CallboardPlugin<Config = unknown> {
  /** Unique among the plugins loaded; it names the plugin in `callboard plugins list` and in every problem. */
  id: string;
  /** A JSON Schema for the plugin's `with:` config, checked at start-up. */
  configSchema?: Record<string, unknown>;
  register(api: PluginApi<Config>): void | Promise<void>;
}

/** A plugin module's default export. */
export function definePlugin<Config = unknown>(plugin: CallboardPlugin<Config>): CallboardPlugin<Config> {
  return plugin;
}
