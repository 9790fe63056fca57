import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../../../src/plugins/load-plugins.js';
import { builtInPlugin } from '../../../src/plugins/built-in-plugin.js';
import { BUILT_IN_COLLECTORS } from '../../../src/scorecards/collectors/built-in.js';
import { BUILT_IN_COMMANDS } from '../../../src/slack/commands/built-in.js';
import { captureLogger } from '../../support/capture-logger.js';
import { catalogInfoYaml, startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { templateFolder, templateHead } from '../../support/template-folder.js';
import { createAppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';

const guide = readFileSync(path.join(import.meta.dirname, '../../../docs/plugins.md'), 'utf8');
/** The guide's example plugin, exactly as the page shows it. */
const example = /```js\n([\s\S]*?)```/.exec(guide)![1]!;
const CATALOG = catalogInfoYaml([
  { kind: 'Group', metadata: { name: 'payments' }, spec: { type: 'team', children: [] } },
  { kind: 'Component', metadata: { name: 'payments-api', annotations: { 'callboard.dev/tier': '1' } }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
  { kind: 'Component', metadata: { name: 'batch-job' }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
  { kind: 'Component', metadata: { name: 'legacy', annotations: { 'callboard.dev/tier': '4' } }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
]);
/** The guide's scorecard check, in a scorecard of its own. */
const check = /```yaml\n(- id: tier-known[\s\S]*?)```/.exec(guide)![1]!;

describe("the plugin guide's example, loaded from the page as written", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-plugin-guide-'));
  const pluginFile = path.join(scratch, 'service-tier.js');
  let harness: SlackHarness;

  beforeAll(async () => {
    writeFileSync(pluginFile, example);
    const { extensions, plugins } = await loadPlugins([{ path: pluginFile, with: { defaultTier: 3 } }], { logger: captureLogger().logger, builtIns: [builtInPlugin({ commands: BUILT_IN_COMMANDS, collectors: BUILT_IN_COLLECTORS })] });
    expect(plugins[1]).toMatchObject({ id: 'service-tier', status: 'loaded', adds: { commands: ['/tier'], cardSections: ['tier'], actions: ['tier:record'], facts: ['tier'] } });
    harness = await startSlackHarness('pglite', { catalogYaml: CATALOG, commands: extensions.commands, cardSections: extensions.cardSections });
  });
  afterAll(async () => {
    await harness?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is under 60 lines', () => {
    expect(example.trimEnd().split('\n').length).toBeLessThan(60);
  });

  it('answers its command and adds its card section through signed Slack requests', async () => {
    const tier = (await (await harness.slashCommand('/tier', 'payments-api')).json()) as { text: string };
    expect(tier.text).toBe('component:default/payments-api is a tier 1 service');
    const card = (await (await harness.slashCommand('/whoowns', 'batch-job')).json()) as { blocks: KnownBlock[] };
    expect(JSON.stringify(card.blocks)).toContain('"text":"Tier 3"');
  });

  it('runs its action in a template and gives scorecards its fact', async () => {
    const scorecards = path.join(scratch, 'scorecards');
    mkdirSync(scorecards);
    writeFileSync(path.join(scorecards, 'tiers.yaml'), `id: tiers\ntitle: Tiers\nfilter: { kinds: [Component] }\nlevels:\n  - id: known\n    title: Known\n    checks:\n${check.replace(/^/gm, '      ')}`);
    const config = loadConfig({ files: [], env: {} });
    config.callboard.plugins = [{ path: pluginFile, with: { defaultTier: 3 } }];
    config.callboard.scorecards.paths = [scorecards];
    const context = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true, localRepositories: path.join(scratch, 'repositories') });
    try {
      const { template } = await templateFolder(scratch, `${templateHead('tiered')}  steps:\n    - id: record\n      name: Record the tier\n      action: tier:record\n      input:\n        tier: 2\n`);
      const finished = await context.scaffolder.run({ template, values: {} });
      expect(finished.run.status).toBe('completed');
      expect(finished.files).toContain('TIER');
      expect(context.scorecards.library.problems).toEqual([]);
      writeFileSync(path.join(scratch, 'catalog-info.yaml'), CATALOG);
      await context.catalog.refresh([{ key: `file:${scratch}`, type: 'file', target: path.join(scratch, 'catalog-info.yaml') }]);
      const statusOf = async (name: string) => (await context.scorecards.entity(name)).scorecards.find((scorecard) => scorecard.id === 'tiers')!.checks[0]!.status;
      expect([await statusOf('payments-api'), await statusOf('batch-job'), await statusOf('legacy')]).toEqual(['pass', 'pass', 'fail']);
    } finally {
      await context.close();
    }
  });
});
