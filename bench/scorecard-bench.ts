/**
 * Scorecards at scale: a generated catalog stored on PGlite (or PostgreSQL), then every entity
 * scored on the shipped scorecard's entity-fact checks (timed, median of three), stored twice
 * (first every result, then with nothing changed), and
 * `scorecard --team` answered for 200 groups. Prints one JSON line. Run through bench/run-bench.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { BUILT_IN_COLLECTORS } from '../src/scorecards/collectors/built-in.js';
import { loadScorecards } from '../src/scorecards/scorecard-library.js';
import { createScorecardService } from '../src/scorecards/scorecard-service.js';
import { generateCatalog } from './generate-catalog.js';
import { benchDatabase, percentile, type BenchEngine } from './support.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '100000' }, engine: { type: 'string', default: 'pglite' }, 'server-url': { type: 'string' } } });
const size = Number(values.size);
const folder = mkdtempSync(path.join(tmpdir(), 'callboard-scorecard-bench-'));
generateCatalog(size, folder);
const store = benchDatabase(values.engine as BenchEngine, values['server-url'] ?? '');
const database = await store.fresh(1);
const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'warn' }) });
try {
  await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
  const library = loadScorecards({ folders: [], collectors: BUILT_IN_COLLECTORS });
  const scorecards = createScorecardService({ db: database.db, catalog, library, collectors: BUILT_IN_COLLECTORS, nudges: loadConfig({ files: [], env: {} }).callboard.scorecards.nudges });
  const evaluateMs: number[] = [];
  let scored = 0;
  for (let run = 0; run < 3; run++) {
    globalThis.gc?.();
    const started = performance.now();
    scored = (await scorecards.evaluateAll()).size;
    evaluateMs.push(performance.now() - started);
  }
  // Stored with its history: the first time every pair is written, then only what changed (nothing).
  let started = performance.now();
  await scorecards.evaluateAndRecord();
  const recordFirstMs = performance.now() - started;
  started = performance.now();
  await scorecards.evaluateAndRecord();
  const recordAgainMs = performance.now() - started;
  const groups = [...catalog.view.refs()].filter((ref) => ref.startsWith('group:')).slice(0, 200);
  for (const group of groups.slice(0, 20)) await scorecards.team(group);
  const teamMs: number[] = [];
  for (const group of groups) {
    const started = performance.now();
    await scorecards.team(group);
    teamMs.push(performance.now() - started);
  }
  process.stdout.write(`${JSON.stringify({ size, engine: values.engine, scored, evaluateMs: percentile(evaluateMs, 50), recordFirstMs, recordAgainMs, teamP50: percentile(teamMs, 50), teamP99: percentile(teamMs, 99), teams: teamMs.length })}\n`);
} finally {
  await catalog.whenIdle();
  await database.close();
  await store.drop();
  rmSync(folder, { recursive: true, force: true });
}
