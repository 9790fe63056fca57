import { findTemplate } from '../../scaffolder/template-library.js';
import { section } from '../blocks/block-parts.js';
import type { SlackMessage } from '../blocks/limits.js';
import { escapeText } from '../blocks/mrkdwn.js';
import { runList } from '../blocks/template-runs.js';
import type { CommandContext, SlashCommand } from './registry.js';

const USAGE = '`/create-service` picks a template; `/create-service NAME` starts that one; `/create-service status` lists your runs; `/create-service cancel RUN_ID` stops one.';

const say = (text: string): SlackMessage => ({ text, blocks: [section(text)] });

/** Said to someone the catalog does not know: runs are theirs to follow and cancel, so they must be found first. */
export const NOT_IN_CATALOG =
  'I could not find you in the catalog, and a run needs to know whose it is. Ask your platform team to give your User entity your Slack email (`spec.profile.email`) or a `slack.com/user-id` annotation.';

/**
 * Backstage's "Create": runs a software template through a form (Slack's modals, the console's
 * prompts), then reports the run step by step. Also lists and cancels the asker's runs.
 */
export const createServiceCommand: SlashCommand = {
  command: '/create-service',
  description: 'Create a service, website or library from a software template',
  usageHint: '[template] | status | cancel RUN_ID',
  scopes: { 'chat:write': "chat.postMessage and chat.update: a run's progress, in a direct message to whoever started it" },
  async answer(text, context) {
    const { scaffolder, forms } = context;
    if (!scaffolder || !forms) return say('Software templates cannot be run here.');
    const [verb = '', ...rest] = text.trim().split(/\s+/);
    const userRef = await context.userRef?.();
    if (!userRef && forms.needsCatalogUser) return say(NOT_IN_CATALOG);
    if (verb === 'help') return say(USAGE);
    if (verb === 'status' || verb === 'cancel') {
      if (!userRef) return say('Runs are listed per person: start the console with `--as user:default/you` to see yours.');
      if (verb === 'status') return statusOf(userRef, context);
      const runId = rest[0];
      if (!runId) return say('Name the run to cancel: `/create-service cancel RUN_ID` (`/create-service status` lists them).');
      return say((await scaffolder.cancel(runId, userRef)) ? `Run \`${escapeText(runId)}\` is cancelled: it stops before its next step.` : `No run \`${escapeText(runId)}\` of yours is waiting or running.`);
    }
    const { templates } = await scaffolder.templates(userRef);
    if (templates.length === 0) return say('There is no template you may run. Templates come from templates/ and from Template entities in the catalog.');
    if (!verb) return forms.open(templates, undefined, userRef);
    const chosen = findTemplate(templates, text.trim());
    if (!chosen) {
      const names = templates.slice(0, 20).map((template) => `\`${escapeText(template.name)}\``).join(', ');
      return say(`No template you may run is called "${escapeText(text.trim())}". Try one of ${names}, or \`/create-service\` to pick.`);
    }
    return forms.open(templates, chosen, userRef);
  },
};

async function statusOf(userRef: string, { scaffolder }: CommandContext): Promise<SlackMessage> {
  const [runs, { templates }] = await Promise.all([scaffolder!.runsOf(userRef), scaffolder!.templates()]);
  return runList(runs, (ref) => templates.find((template) => template.ref === ref)?.title ?? ref);
}
