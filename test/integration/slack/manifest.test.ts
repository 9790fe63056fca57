import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from '@slack/bolt';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../../../src/slack/blocks/action-ids.js';
import { BUILT_IN_COMMANDS } from '../../../src/slack/commands/built-in.js';
import { manifestYaml, slackManifest } from '../../../src/slack/manifest.js';
import { BUILT_IN_SURFACES } from '../../../src/slack/surfaces/built-in.js';
import type { SurfaceContext } from '../../../src/slack/surfaces/surface.js';

interface Manifest {
  features: {
    slash_commands: { command: string; description: string; usage_hint: string }[];
    shortcuts: { name: string; type: string; callback_id: string; description: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] } };
}

const committed = readFileSync(path.resolve(import.meta.dirname, '../../../manifest.yml'), 'utf8');
const manifest = yaml.load(committed) as Manifest;

/** Registers every surface on a stand-in app that records what each listens to. */
function registeredListeners() {
  const events: string[] = [];
  const shortcuts: string[] = [];
  const app = {
    event: (name: string) => events.push(name),
    shortcut: (constraints: { callback_id: string }) => shortcuts.push(constraints.callback_id),
    action: () => undefined,
    view: () => undefined,
    options: () => undefined,
  } as unknown as App;
  for (const surface of BUILT_IN_SURFACES) surface.register(app, {} as SurfaceContext);
  return { events, shortcuts };
}

describe('manifest.yml', () => {
  it('is what `callboard manifest` generates from the registered commands and surfaces', () => {
    expect(committed).toBe(manifestYaml(slackManifest(BUILT_IN_COMMANDS, BUILT_IN_SURFACES)));
  });

  it('subscribes to exactly the events the surfaces listen to, and declares every shortcut they register', () => {
    const { events, shortcuts } = registeredListeners();
    // message.im arrives as a "message" event with channel_type im.
    expect(manifest.settings.event_subscriptions.bot_events.map((event) => event.replace(/\.im$/, '')).sort()).toEqual([...new Set(events)].sort());
    expect(manifest.features.shortcuts.map((shortcut) => shortcut.callback_id).sort()).toEqual([...shortcuts].sort());
    expect([...shortcuts].sort()).toEqual(Object.values(SHORTCUTS).sort());
  });

  it('lists exactly the slash commands the app registers, with their descriptions and hints', () => {
    const inManifest = manifest.features.slash_commands.map(({ command, description, usage_hint }) => ({ command, description, usageHint: usage_hint }));
    expect(inManifest).toEqual(BUILT_IN_COMMANDS.map(({ command, description, usageHint }) => ({ command, description, usageHint })));
  });

  it('asks for each scope for a stated reason, and the README gives every one', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    for (const scope of manifest.oauth_config.scopes.bot) expect(readme, `README explains ${scope}`).toContain(`\`${scope}\``);
  });

  it('points every command, event and interaction at the request URL in HTTP mode, with Socket Mode off', () => {
    const url = 'https://callboard.example.com/slack/events';
    const http = slackManifest(BUILT_IN_COMMANDS, BUILT_IN_SURFACES, { requestUrl: url }) as unknown as {
      settings: { socket_mode_enabled: boolean; interactivity: { request_url: string }; event_subscriptions: { request_url: string } };
      features: { slash_commands: { url: string }[] };
    };
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(http.settings.interactivity.request_url).toBe(url);
    expect(http.settings.event_subscriptions.request_url).toBe(url);
    expect(http.features.slash_commands.map((command) => command.url)).toEqual(BUILT_IN_COMMANDS.map(() => url));
  });

  it('keeps names, descriptions and hints inside Slack limits', () => {
    for (const command of manifest.features.slash_commands) {
      expect(command.command.length).toBeLessThanOrEqual(32);
      expect(command.description.length).toBeLessThanOrEqual(2000);
      expect(command.usage_hint.length).toBeLessThanOrEqual(1000);
    }
    for (const shortcut of manifest.features.shortcuts) {
      expect(shortcut.name.length).toBeLessThanOrEqual(24);
      expect(shortcut.description.length).toBeLessThanOrEqual(150);
    }
  });
});
