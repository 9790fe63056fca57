import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguredPlugins } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors.js';
import { loadPlugins } from '../../../src/plugins/load-plugins.js';
import { captureLogger } from '../../support/capture-logger.js';

const fixture = (name: string) => path.join(import.meta.dirname, '../../fixtures/plugins', `${name}.ts`);
const configWith = (plugins: unknown[]) => {
  const config = loadConfig({ files: [], env: {} });
  config.callboard.plugins = plugins as typeof config.callboard.plugins;
  return config;
};
const problemsOf = async (loading: Promise<unknown>) => {
  const error = await loading.then(() => undefined, (failure: unknown) => failure);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
};

describe('plugins loaded from the configuration', () => {
  it('registers the built-in features first, through the same API, then each plugin, and says what each adds', async () => {
    const { plugins, extensions } = await loadConfiguredPlugins(configWith([{ path: fixture('kitchen-sink'), with: { greeting: 'Hello' } }]), captureLogger().logger);
    expect(plugins.map((plugin) => [plugin.id, plugin.status])).toEqual([['callboard', 'loaded'], ['kitchen-sink', 'loaded']]);
    expect(plugins[0]!.adds.commands).toEqual(['/whoowns', '/find', '/docs', '/health', '/oncall', '/scorecard', '/create-service']);
    expect(plugins[0]!.adds.cardSections).toEqual(['oncall']);
    expect(plugins[0]!.adds.facts).toContain('hasGroupOwner');
    expect(plugins[1]).toMatchObject({ source: `path ${fixture('kitchen-sink')}`, adds: { commands: ['/greet', '/callboard wave', '/explode', '/hang', '/malformed'], cardSections: ['greeting', 'stalled', 'broken', 'messy', 'sprawling'], actions: ['greet:log'], facts: ['carelessFact', 'greeted'], onCallProviders: [], processors: [] } });
    expect(extensions.commands.map((command) => command.command)).toContain('/greet');
    expect(extensions.actions.map((action) => action.id)).toEqual(expect.arrayContaining(['fetch:template', 'publish:github', 'greet:log']));
  });

  it('runs without a plugin that cannot be imported, exports no plugin, or fails or hangs in register, and says why for each', async () => {
    const captured = captureLogger();
    const entries = [{ path: fixture('throws-at-load') }, { path: fixture('not-a-plugin') }, { path: fixture('throws-at-register') }, { path: fixture('hangs-at-register') }, { package: 'callboard-plugin-that-is-not-installed' }, { path: fixture('hangs-at-import') }, { path: fixture('rejects-in-register') }, { path: fixture('kitchen-sink'), with: { greeting: 'Hi' } }];
    const { plugins, extensions } = await loadPlugins(entries, { logger: captured.logger, builtIns: [], registerBudgetMs: 300 });
    expect(plugins.map((plugin) => [plugin.id, plugin.status, plugin.error?.replace(/\(.*\)/s, '(…)').replace(/from '.*'$/, 'from (…)')])).toEqual([
      [fixture('throws-at-load'), 'failed', 'could not be loaded: this module cannot even be imported'],
      [fixture('not-a-plugin'), 'failed', 'could not be loaded: its default export is not a plugin: export default definePlugin(…)'],
      ['broken-register', 'failed', 'register failed: register failed on purpose'],
      ['hanging-register', 'failed', 'register failed: register did not finish within 300 ms'],
      ['callboard-plugin-that-is-not-installed', 'failed', "could not be loaded: Cannot find package 'callboard-plugin-that-is-not-installed' imported from (…)"],
      [fixture('hangs-at-import'), 'failed', 'could not be loaded: importing it did not finish within 300 ms'],
      ['rejecting-register', 'failed', 'register failed: register rejected on purpose'],
      ['kitchen-sink', 'loaded', undefined],
    ]);
    // What a failed register added before it threw is not kept.
    expect(extensions.commands.map((command) => command.command)).toEqual(['/greet', '/explode', '/hang', '/malformed', '/callboard']);
    expect(captured.lines.filter((line) => line.msg === 'a plugin failed to register; running without it')).toHaveLength(3);
  });

  it("checks every plugin's config against its schema and reports every problem at once", async () => {
    const problems = await problemsOf(loadPlugins([{ path: fixture('kitchen-sink'), with: { greeting: '', extra: true } }, { path: fixture('kitchen-sink') }], { logger: captureLogger().logger, builtIns: [] }));
    expect(problems).toEqual([
      'callboard.plugins[0].with (plugin kitchen-sink): must NOT have additional properties (extra)',
      'callboard.plugins[0].with.greeting (plugin kitchen-sink): must NOT have fewer than 1 characters',
      "callboard.plugins[1].with (plugin kitchen-sink): must have required property 'greeting'",
    ]);
    // Listed twice, each time well configured: one id, two plugins.
    const twice = await problemsOf(loadPlugins([{ path: fixture('kitchen-sink'), with: { greeting: 'a' } }, { path: fixture('kitchen-sink'), with: { greeting: 'b' } }], { logger: captureLogger().logger, builtIns: [] }));
    expect(twice).toEqual([`two plugins have the id kitchen-sink (path ${fixture('kitchen-sink')}, and path ${fixture('kitchen-sink')}): list one of them in callboard.plugins`]);
  });

  it('refuses two plugins claiming one command or fact, or a built-in command, naming both', async () => {
    const problems = await problemsOf(loadConfiguredPlugins(configWith([{ path: fixture('kitchen-sink'), with: { greeting: 'Hello' } }, { path: fixture('claims-greet') }]), captureLogger().logger));
    expect(problems).toEqual([
      'the fact collector id github is claimed by both the callboard and the greet-again plugin: remove one of them from callboard.plugins',
      'the slash command /greet is claimed by both the kitchen-sink and the greet-again plugin: remove one of them from callboard.plugins',
      'the slash command /whoowns is claimed by both the callboard and the greet-again plugin: remove one of them from callboard.plugins',
      'the fact greeted is claimed by both the kitchen-sink and the greet-again plugin: remove one of them from callboard.plugins',
    ]);
  });

  it("refuses a plugin claiming a built-in action or card section, or another plugin's on-call provider, naming both", async () => {
    const problems = await problemsOf(
      loadConfiguredPlugins(configWith([{ path: path.join(import.meta.dirname, '../../../plugins/pagerduty/index.js'), with: { token: 't' } }, { path: fixture('claims-built-ins') }]), captureLogger().logger),
    );
    expect(problems).toEqual([
      'the card section oncall is claimed by both the callboard and the claims-built-ins plugin: remove one of them from callboard.plugins',
      'the scaffolder action publish:github is claimed by both the callboard and the claims-built-ins plugin: remove one of them from callboard.plugins',
      'the on-call provider pagerduty is claimed by both the pagerduty and the claims-built-ins plugin: remove one of them from callboard.plugins',
    ]);
  });

  it('validates callboard.plugins entries with the rest of the configuration: a package or a path, each once', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'callboard-plugin-config-'));
    try {
      writeFileSync(path.join(folder, 'app-config.yaml'), 'callboard:\n  plugins:\n    - { package: a, path: ./b.js }\n    - { with: {} }\n    - { path: ./c.js, with: { any: thing } }\n');
      const problems = (() => {
        try {
          loadConfig({ files: [path.join(folder, 'app-config.yaml')], env: {} });
          return [];
        } catch (error) {
          return (error as ConfigError).problems;
        }
      })();
      expect(problems.filter((problem) => problem.includes('callboard.plugins[0]'))).not.toEqual([]);
      expect(problems.filter((problem) => problem.includes('callboard.plugins[1]'))).not.toEqual([]);
      expect(problems.filter((problem) => problem.includes('callboard.plugins[2]'))).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
