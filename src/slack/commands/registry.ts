import type { CatalogService } from '../../catalog/catalog-service.js';
import type { SlackMessage } from '../blocks/limits.js';
import type { PeopleDirectory } from '../people.js';

export interface CommandContext {
  catalog: CatalogService;
  /** The Slack user who asked. */
  userId: string;
  /** Maps catalog people to Slack users; absent where there is no Slack (the local console). */
  people?: PeopleDirectory;
}

/** A slash command: its manifest entry and the answer it gives, as a message built by pure functions. */
export interface SlashCommand {
  command: `/${string}`;
  description: string;
  usageHint: string;
  /** Bot scopes the answer needs beyond `commands`, each with why. */
  scopes?: Record<string, string>;
  answer(text: string, context: CommandContext): SlackMessage | Promise<SlackMessage>;
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
