import yaml from 'js-yaml';
import type { SlashCommand } from './commands/registry.js';
import type { Surface } from './surfaces/surface.js';

/** Stands in for the Backstage host until `callboard manifest` is run with a config naming `app.baseUrl`. */
export const PLACEHOLDER_UNFURL_DOMAIN = 'backstage.example.com';

const HEADER = `# Slack app manifest: create the app from it at https://api.slack.com/apps ("From a manifest").
# Generated from the registered commands and surfaces by \`npx callboard manifest\`, which puts your Backstage
# host (app.baseUrl) under unfurl_domains; test/integration/slack/manifest.test.ts keeps this file in step.
`;

/**
 * The Slack app manifest for exactly what the app registers: every command, shortcut, event and
 * scope comes from the command or surface that needs it, so the manifest cannot ask for more, or
 * less, than the listeners use.
 */
export interface ManifestOptions {
  /** The Backstage hosts whose links are unfurled (app.baseUrl's). */
  unfurlDomains?: string[];
  /** HTTP mode: Slack's requests go to this URL (`https://<host>/slack/events`), and Socket Mode is off. */
  requestUrl?: string;
}

export function slackManifest(commands: SlashCommand[], surfaces: Surface[], { unfurlDomains = [], requestUrl }: ManifestOptions = {}): Record<string, unknown> {
  const manifests = surfaces.map((surface) => surface.manifest);
  const scopes = new Set<string>(commands.length > 0 ? ['commands'] : []);
  for (const owner of [...commands, ...manifests]) for (const scope of Object.keys(owner.scopes ?? {})) scopes.add(scope);
  const shortcuts = manifests.flatMap((manifest) => manifest.shortcuts ?? []);
  const botEvents = [...new Set(manifests.flatMap((manifest) => manifest.botEvents ?? []))].sort();
  const messagesTab = manifests.some((manifest) => manifest.messagesTab);
  const features: Record<string, unknown> = {
    app_home: { home_tab_enabled: manifests.some((manifest) => manifest.homeTab), messages_tab_enabled: messagesTab, messages_tab_read_only_enabled: !messagesTab },
    bot_user: { display_name: 'Callboard', always_online: true },
  };
  if (shortcuts.length > 0) features.shortcuts = shortcuts;
  if (commands.length > 0) {
    features.slash_commands = commands.map((command) => ({
      command: command.command,
      ...(requestUrl ? { url: requestUrl } : {}),
      description: command.description,
      usage_hint: command.usageHint,
      should_escape: false,
    }));
  }
  if (botEvents.includes('link_shared')) features.unfurl_domains = unfurlDomains.length > 0 ? unfurlDomains : [PLACEHOLDER_UNFURL_DOMAIN];
  return {
    display_information: { name: 'Callboard', description: 'Who owns what, and where it lives, from your Backstage catalog.', background_color: '#1d3557' },
    features,
    oauth_config: { scopes: { bot: [...scopes].sort() } },
    settings: {
      ...(botEvents.length > 0 ? { event_subscriptions: { ...(requestUrl ? { request_url: requestUrl } : {}), bot_events: botEvents } } : {}),
      interactivity: { is_enabled: true, ...(requestUrl ? { request_url: requestUrl } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: !requestUrl,
      token_rotation_enabled: false,
    },
  };
}

export function manifestYaml(manifest: Record<string, unknown>): string {
  return HEADER + yaml.dump(manifest, { lineWidth: 120, noRefs: true });
}
