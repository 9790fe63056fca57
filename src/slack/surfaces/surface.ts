import type { App } from '@slack/bolt';
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import type { RunNotifier } from '../../scaffolder/actions/notification-send.js';
import type { ScaffolderService } from '../../scaffolder/scaffolder-service.js';
import type { DocsService } from '../../docs/docs-service.js';
import type { HealthService } from '../../kubernetes/health-service.js';
import type { ScorecardService } from '../../scorecards/scorecard-service.js';
import type { OnCallService } from '../../oncall/oncall-service.js';
import type { CardSectionExtension } from '../../plugins/plugin-api.js';
import type { SlackMessage } from '../blocks/limits.js';
import type { PeopleDirectory } from '../people.js';

/** What every Slack surface gets to answer with. */
export interface SurfaceContext {
  catalog: CatalogService;
  people: PeopleDirectory;
  log: Logger;
  db: Db;
  scaffolder: ScaffolderService;
  /** The docs sites, where they are read. */
  docs?: DocsService;
  health?: HealthService;
  scorecards?: ScorecardService;
  oncall?: OnCallService;
  /** The ownership card's sections. */
  cardSections?: CardSectionExtension[];
  /** notification:send for runs started in Slack. */
  notifier: RunNotifier;
  /** The Slack user's User entity, by `slack.com/user-id` annotation or email. */
  userRefOf(slackUserId: string): Promise<string | undefined>;
  /** Logs the error in full under a reference id and sends the user a short apology that carries it. */
  apologise(send: (message: SlackMessage) => Promise<unknown>, error: unknown): Promise<void>;
}

export interface ShortcutManifest {
  name: string;
  type: 'message' | 'global';
  callback_id: string;
  description: string;
}

/** What a surface needs Slack to send it, as manifest.yml entries; the manifest is built from these. */
export interface SurfaceManifest {
  shortcuts?: ShortcutManifest[];
  botEvents?: string[];
  /** Each bot scope with why it is needed: least privilege means every scope has a reason. */
  scopes?: Record<string, string>;
  homeTab?: boolean;
  /** People can write to the app directly. */
  messagesTab?: boolean;
}

/** One Slack surface (a shortcut, an event, a view): its manifest entries and its listeners. */
export interface Surface {
  manifest: SurfaceManifest;
  register(app: App, context: SurfaceContext): void;
  /** Work to pick up once the app is connected: what a replica that stopped left unfinished. */
  start?(context: SurfaceContext, client: App['client']): Promise<void>;
}
