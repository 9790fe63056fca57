import type { ScaffolderAction } from '../scaffolder/actions/action.js';
import type { FactCollector } from '../scorecards/fact-collector.js';
import type { CommandContext, SlashCommand } from '../slack/commands/registry.js';
import { definePlugin, type CallboardPlugin, type CommandExtension } from './plugin-api.js';
import { linesAsSections } from '../slack/blocks/block-parts.js';
import { providerLines } from '../slack/blocks/oncall-answer.js';

const BUILT_IN_ANSWER_MS = 29 * 60 * 1000;

/** A built-in command answers with a message already: it is registered with nothing left to render. */
function asExtension(command: SlashCommand): CommandExtension<Awaited<ReturnType<SlashCommand['answer']>>> {
  return {
    command: command.command,
    description: command.description,
    usageHint: command.usageHint,
    ...(command.scopes ? { scopes: command.scopes } : {}),
    // The context handed to every command is the app's own, seen through the plugin API: built-ins read the rest of it.
    answer: (text, context) => command.answer(text, context as unknown as CommandContext),
    render: (message) => message,
    // A built-in answer may wait out a rate limit: it is given until Slack's response_url expires (30 minutes).
    timeoutMs: BUILT_IN_ANSWER_MS,
  };
}

/** Callboard's own features (commands, the on-call card section, fact collectors, scaffolder actions), registered through the plugin API like any plugin, before the configured ones. */
export function builtInPlugin({ commands, collectors, actions = [] }: { commands: SlashCommand[]; collectors: FactCollector[]; actions?: ScaffolderAction[] }): CallboardPlugin {
  return definePlugin({
    id: 'callboard',
    register(api) {
      for (const command of commands) api.addCommand(asExtension(command));
      // Who is on call now, from the on-call plugins, on every card they have an answer for.
      api.addCardSection({
        id: 'oncall',
        budgetMs: 700,
        render: async ({ entity }, { onCall, mentionsFor }) => {
          const answers = await onCall(entity);
          if (answers.length === 0) return [];
          const mentions = await mentionsFor(answers.flatMap((answer) => answer.oncall.flatMap((who) => (who.email ? [who.email] : []))));
          return linesAsSections(answers.flatMap((answer) => providerLines(answer, mentions)));
        },
      });
      for (const collector of collectors) api.addFactCollector(collector);
      for (const action of actions) api.addAction(action);
    },
  });
}
