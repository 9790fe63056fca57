/**
 * Plugins at scale: what loading ten plugins (each adding a command, a card section, an action
 * and a fact) adds to start-up, and the ownership card at 100k entities with three plugin
 * sections that answer at once, then with one of them hanging. Prints one JSON line. Run through
 * bench/run-bench.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { builtInPlugin } from '../src/plugins/built-in-plugin.js';
import { loadPlugins } from '../src/plugins/load-plugins.js';
import type { CardSectionExtension } from '../src/plugins/plugin-api.js';
import { BUILT_IN_COLLECTORS } from '../src/scorecards/collectors/built-in.js';
import { BUILT_IN_COMMANDS } from '../src/slack/commands/built-in.js';
import { ownershipAnswer } from '../src/slack/commands/whoowns.js';
import { generateCatalog } from './generate-catalog.js';
import { benchDatabase, percentile, type BenchEngine } from './support.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '100000' }, engine: { type: 'string', default: 'pglite' }, 'server-url': { type: 'string' }, runs: { type: 'string', default: '9' } } });
const size = Number(values.size);
const runs = Number(values.runs);
const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-plugin-bench-'));
const logger = createLogger({ level: 'silent' });

/** A plugin file of its own per run and plugin: a module imported once is cached, and start-up imports each afresh. */
const pluginSource = (index: number) => `export default {
  id: 'bench-${index}',
  configSchema: { type: 'object', properties: { level: { type: 'integer' } } },
  register(api) {
    api.addCommand({ command: '/bench-${index}', description: 'bench', usageHint: '', answer: (text) => text, render: (text) => ({ text, blocks: [] }) });
    api.addCardSection({ id: 'bench-${index}', render: () => [] });
    api.addAction({ id: 'bench:${index}', description: 'bench', inputSchema: { type: 'object' }, supportsDryRun: true, handler: async () => {} });
    api.addFactCollector({ id: 'bench-${index}', cost: 'cheap', facts: { bench${index}: { type: 'boolean', description: 'bench' } }, collect: () => ({ bench${index}: true }) });
  },
};
`;
const builtIns = () => [builtInPlugin({ commands: BUILT_IN_COMMANDS, collectors: BUILT_IN_COLLECTORS })];

const addedMs: number[] = [];
for (let run = 0; run < runs; run++) {
  const entries = Array.from({ length: 10 }, (_, index) => {
    const file = path.join(scratch, `run-${run}-plugin-${index}.mjs`);
    writeFileSync(file, pluginSource(index));
    return { path: file, with: { level: index } };
  });
  let started = performance.now();
  await loadPlugins([], { logger, builtIns: builtIns() });
  const alone = performance.now() - started;
  started = performance.now();
  const { plugins } = await loadPlugins(entries, { logger, builtIns: builtIns() });
  if (plugins.some((plugin) => plugin.status !== 'loaded')) throw new Error('a bench plugin failed to load');
  addedMs.push(performance.now() - started - alone);
}

const folder = path.join(scratch, 'catalog');
const generated = generateCatalog(size, folder);
const store = benchDatabase(values.engine as BenchEngine, values['server-url'] ?? '');
const database = await store.fresh(1);
const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger });
try {
  await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
  const section = (id: string, render: CardSectionExtension['render'], budgetMs?: number): CardSectionExtension => ({ id, render, ...(budgetMs ? { budgetMs } : {}) });
  const instant = [1, 2, 3].map((index) => section(`instant-${index}`, ({ ref }) => [{ type: 'context', elements: [{ type: 'mrkdwn', text: `section ${index} for ${ref}` }] }]));
  const hanging = [...instant.slice(0, 2), section('hanging', () => new Promise(() => {}), 300)];
  const names = generated.componentNames;
  const timeCards = async (cardSections: CardSectionExtension[], count: number) => {
    const times: number[] = [];
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      await ownershipAnswer(names[(index * 7919) % names.length]!, { catalog, cardSections });
      times.push(performance.now() - started);
    }
    return times;
  };
  await timeCards(instant, 500);
  const instantMs = await timeCards(instant, 2_000);
  const hangingMs = await timeCards(hanging, 20);
  process.stdout.write(
    `${JSON.stringify({ size, engine: values.engine, plugins: 10, loadAddedMs: percentile(addedMs, 50), loadAddedMaxMs: Math.max(...addedMs), cards: instantMs.length, cardP50: percentile(instantMs, 50), cardP99: percentile(instantMs, 99), hangingCards: hangingMs.length, hangingP50: percentile(hangingMs, 50), hangingMax: Math.max(...hangingMs), hangingBudgetMs: 300 })}\n`,
  );
} finally {
  await catalog.whenIdle();
  await database.close();
  await store.drop();
  rmSync(scratch, { recursive: true, force: true });
}
