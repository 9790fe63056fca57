import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_COMMANDS } from '../../../src/slack/commands/built-in.js';

interface Manifest {
  features: { slash_commands: { command: string; description: string; usage_hint: string }[] };
}

describe('manifest.yml', () => {
  const manifest = yaml.load(readFileSync(path.resolve(import.meta.dirname, '../../../manifest.yml'), 'utf8')) as Manifest;

  it('lists exactly the slash commands the app registers, with their descriptions and hints', () => {
    const inManifest = manifest.features.slash_commands.map(({ command, description, usage_hint }) => ({ command, description, usageHint: usage_hint }));
    const registered = BUILT_IN_COMMANDS.map(({ command, description, usageHint }) => ({ command, description, usageHint }));
    expect(inManifest).toEqual(registered);
  });

  it('keeps every description and hint inside Slack limits', () => {
    for (const command of manifest.features.slash_commands) {
      expect(command.command.length).toBeLessThanOrEqual(32);
      expect(command.description.length).toBeLessThanOrEqual(2000);
      expect(command.usage_hint.length).toBeLessThanOrEqual(1000);
    }
  });
});
