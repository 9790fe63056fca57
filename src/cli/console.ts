import { createInterface } from 'node:readline';
import type { CatalogService } from '../catalog/catalog-service.js';
import { errorMessage } from '../errors.js';
import { answerPlainQuestion } from '../slack/plain-question.js';
import { messageAsText } from '../slack/blocks/text-rendering.js';
import { BUILT_IN_COMMANDS } from '../slack/commands/built-in.js';
import { CommandRegistry, type SlashCommand } from '../slack/commands/registry.js';
import { formatProblems } from './format.js';
import { consoleTemplateForms, type Ask } from './console-form.js';
import type { ScaffolderService } from '../scaffolder/scaffolder-service.js';
import type { DocsService } from '../docs/docs-service.js';
import type { HealthService } from '../kubernetes/health-service.js';
import type { ScorecardService } from '../scorecards/scorecard-service.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import type { CardSectionExtension } from '../plugins/plugin-api.js';

/** The console's user id: commands that look the asker up find nobody, as for a Slack user not in the catalog. */
const CONSOLE_USER = 'console';

export interface ConsoleIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * The local console the main job runs without Slack tokens: the Slack app's own slash commands and
 * plain questions, one per line, answered with the same Block Kit messages, shown as text. Reads until end of
 * input, so it also works with piped questions.
 */
export interface ConsoleOptions {
  commands?: SlashCommand[];
  /** Runs /create-service's templates; without it the console has none. */
  scaffolder?: ScaffolderService;
  /** Who the console's user is in the catalog (--as): their groups decide which templates they may run. */
  userRef?: string;
  docs?: DocsService;
  health?: HealthService;
  scorecards?: ScorecardService;
  oncall?: OnCallService;
  cardSections?: CardSectionExtension[];
}

export async function runConsole(catalog: CatalogService, io: ConsoleIo, { commands = BUILT_IN_COMMANDS, scaffolder, userRef, docs, health, scorecards, oncall, cardSections = [] }: ConsoleOptions = {}): Promise<void> {
  const registry = new CommandRegistry();
  for (const command of commands) registry.register(command);
  const interactive = (io.input as { isTTY?: boolean }).isTTY === true;
  const lines = createInterface({ input: io.input, output: interactive ? io.output : undefined, terminal: interactive });
  const write = (text: string) => io.output.write(`${text}\n`);
  const help = helpText(registry.list());
  write(`${help}\n`);
  const prompt = 'callboard> ';
  const input = lines[Symbol.asyncIterator]();
  /** The next line, after asking `question` (a terminal shows it as the prompt); undefined at end of input. */
  const ask = async (question: string): Promise<string | undefined> => {
    if (interactive) {
      lines.setPrompt(question);
      lines.prompt();
    }
    const next = await input.next();
    return next.done ? undefined : next.value;
  };
  // Piped answers are not echoed by a terminal: the form writes each question with its answer.
  const askInForm: Ask = async (question, options) => {
    const line = await ask(question);
    if (!interactive && line !== undefined) write(`${question}${options?.secret && line ? '****' : line}`);
    return line;
  };
  const forms = scaffolder ? consoleTemplateForms(askInForm, write, scaffolder, catalog.view) : undefined;
  const context = { catalog, userId: CONSOLE_USER, ...(scaffolder && forms ? { scaffolder, forms } : {}), ...(docs ? { docs } : {}), ...(health ? { health } : {}), ...(scorecards ? { scorecards } : {}), ...(oncall ? { oncall } : {}), cardSections, userRef: async () => userRef };
  for (let line = await ask(prompt); line !== undefined; line = await ask(prompt)) {
    const [word = '', ...rest] = line.trim().split(/\s+/);
    const text = rest.join(' ');
    const command = registry.get(word.startsWith('/') ? word : `/${word}`);
    try {
      if (word === 'quit' || word === 'exit') break;
      if (command) {
        const message = await command.answer(text, context);
        if (message) write(messageAsText(message, { ansi: interactive }));
      }
      else if (word === 'problems') {
        const problems = await catalog.problems();
        write(problems.length > 0 ? formatProblems(problems) : 'No problems.');
      } else if (word === 'help' || word === '?') write(help);
      else if (word) write(messageAsText(await answerPlainQuestion(line, { catalog, ...(docs ? { docs } : {}), ...(oncall ? { oncall } : {}) }), { ansi: interactive }));
    } catch (error) {
      write(`Sorry, that failed: ${errorMessage(error)}`);
    }
    write('');
  }
  lines.close();
}

function helpText(commands: SlashCommand[]): string {
  const width = Math.max(...commands.map((command) => `${command.command} ${command.usageHint}`.length), 'problems'.length) + 2;
  const row = (usage: string, description: string) => `  ${usage.padEnd(width)}${description}`;
  return [
    'Ask Callboard as you would in Slack: a slash command (the leading / is optional) or a question',
    'such as "who owns payments-api?" or "is there a geocoding API?".',
    ...commands.map((command) => row(`${command.command} ${command.usageHint}`, command.description)),
    row('problems', 'what is wrong in the catalog files'),
    row('help', 'this help'),
    '  quit',
  ].join('\n');
}
