import type { CatalogService } from '../../catalog/catalog-service.js';
import type { CardSectionExtension } from '../../plugins/plugin-api.js';
import type { OnCallService } from '../../oncall/oncall-service.js';
import type { DocsService } from '../../docs/docs-service.js';
import type { HealthService } from '../../kubernetes/health-service.js';
import type { ScorecardService } from '../../scorecards/scorecard-service.js';
import type { ScaffolderService } from '../../scaffolder/scaffolder-service.js';
import type { TemplateDefinition } from '../../scaffolder/template-definition.js';
import type { SlackMessage } from '../blocks/limits.js';
import type { PeopleDirectory } from '../people.js';

/** Where a template's form is filled in: Slack's modals, or the console's prompts. */
export interface TemplateForms {
  /** Runs are followed, listed and cancelled by their requester, so they need the asker's User entity. */
  needsCatalogUser: boolean;
  /** Offers `templates` to pick from, or goes straight to `chosen`'s form; says what to answer the command with, if anything. */
  open(templates: TemplateDefinition[], chosen: TemplateDefinition | undefined, userRef: string | undefined): Promise<SlackMessage | undefined>;
}

export interface CommandContext {
  catalog: CatalogService;
  /** The Slack user who asked. */
  userId: string;
  /** Maps catalog people to Slack users; absent where there is no Slack (the local console). */
  people?: PeopleDirectory;
  /** The docs sites; absent where they are not read. */
  docs?: DocsService;
  /** Kubernetes health; absent where it is not asked. */
  health?: HealthService;
  /** Best-practice scorecards; absent where they are not kept. */
  scorecards?: ScorecardService;
  /** The software templates; absent where they cannot run. */
  scaffolder?: ScaffolderService;
  forms?: TemplateForms;
  /** The asker's catalog User ref, when the catalog has them. */
  userRef?: () => Promise<string | undefined>;
  /** Who is on call, from the registered on-call providers. */
  oncall?: OnCallService;
  /** The ownership card's sections that plugins (and the built-ins) add. */
  cardSections?: CardSectionExtension[];
}

/** A slash command: its manifest entry and the answer it gives, as a message built by pure functions. */
export interface SlashCommand {
  command: `/${string}`;
  description: string;
  usageHint: string;
  /** Bot scopes the answer needs beyond `commands`, each with why. */
  scopes?: Record<string, string>;
  /** The answer; nothing when the command answered otherwise (it opened a modal). */
  answer(text: string, context: CommandContext): SlackMessage | undefined | Promise<SlackMessage | undefined>;
}

/** The slash commands the app answers; built-in ones register here exactly as plugins will. */
export class CommandRegistry {
  private readonly commands = new Map<string, SlashCommand>();

  register(command: SlashCommand): void {
    if (this.commands.has(command.command)) throw new Error(`two handlers claim the slash command ${command.command}`);
    this.commands.set(command.command, command);
  }

  get(name: string): SlashCommand | undefined {
    return this.commands.get(name);
  }

  list(): SlashCommand[] {
    return [...this.commands.values()];
  }
}
