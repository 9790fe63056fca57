/**
 * One benchmark scenario in its own process (clean heap and RSS): a generated catalog of N entities
 * ingested into one engine several times (by the compiled app, bench/service-memory.mjs), then
 * re-sync, answers and the index measured here, and an edit and memory in the service process.
 * Prints one JSON line. Run through bench/run-bench.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { EntityIndex, toSearchDocument } from '../src/catalog/search/entity-index.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { entitySuggestions } from '../src/scaffolder/entity-suggestions.js';
import { createScaffolderService } from '../src/scaffolder/scaffolder-service.js';
import { findTemplate } from '../src/scaffolder/template-library.js';
import { benchDatabase, percentile, type BenchEngine } from './support.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    engine: { type: 'string' },
    dir: { type: 'string' },
    runs: { type: 'string', default: '3' },
    'server-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    names: { type: 'string' },
  },
});
const size = Number(values.size);
const engine = values.engine as BenchEngine;
const dir = path.resolve(values.dir!);
const runs = Number(values.runs);
const names = JSON.parse(readFileSync(values.names!, 'utf8')) as { components: string[]; words: string[] };
const repoRoot = path.resolve(import.meta.dirname, '..');
const config = loadConfig({ files: [], env: {} });
const logger = createLogger({ level: 'warn' });
const roots = [{ key: `file:${dir}`, type: 'file' as const, target: dir }];
const store = benchDatabase(engine, values['server-url']!);
/** PGlite serves one connection; PostgreSQL gets the pool a deployment has. */
const poolSize = engine === 'postgres' ? 4 : 1;

function time(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

const median = (samples: number[]) => percentile(samples, 50);

/** Milliseconds from starting the compiled CLI to its first output; the process must then exit cleanly. */
function timeToFirstOutput(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let firstOutput: number | undefined;
  child.stdout.on('data', () => (firstOutput ??= performance.now() - started));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && firstOutput !== undefined ? resolve(firstOutput) : reject(new Error(`the CLI exited with code ${code}`))));
  });
}
const result: Record<string, unknown> = { size, engine };

/** The compiled app's memory in a process of its own (bench/service-memory.mjs), with the allocator setting the container image runs with (see the Dockerfile). */
function serviceMemory(...args: string[]): { steadyRssMb?: number; peakRssMb: number; editVisibleMs?: number; ingestMs?: number } {
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', path.join(repoRoot, 'bench/service-memory.mjs'), '--dir', dir,
      ...('url' in store.location ? ['--url', store.location.url] : ['--data-dir', store.location.dataDir]), ...args],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MALLOC_ARENA_MAX: '2' } },
  );
  return JSON.parse(output) as ReturnType<typeof serviceMemory>;
}

// Ingest, committed, as deployed: the compiled app in a process of its own (its threads parse no
// TypeScript) stores the catalog into an empty database, `runs` times; PGlite's start (a new data
// folder, on disk, migrated) is included. The peak of a first load comes from the same processes.
const ingestMs: number[] = [];
let firstLoadPeakMb = 0;
for (let run = 0; run < runs; run++) {
  if (engine === 'pglite') await store.drop();
  else await (await store.fresh(poolSize)).close();
  const firstLoad = serviceMemory('--first-load', '--size', String(size));
  ingestMs.push(firstLoad.ingestMs!);
  firstLoadPeakMb = Math.max(firstLoadPeakMb, firstLoad.peakRssMb);
}
result.ingestMs = median(ingestMs);
const database = await store.open(poolSize);

// A restarted process knows no file yet, so its first re-sync parses everything ("cold"); later
// scheduled refreshes reuse what unchanged files produced ("warm").
const catalog = createCatalogService({ database, config, github: () => undefined, logger });
await catalog.load();
const coldStarted = performance.now();
await catalog.refresh(roots);
result.coldResyncMs = performance.now() - coldStarted;
const resyncMs: number[] = [];
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  await catalog.refresh(roots);
  resyncMs.push(performance.now() - started);
}
result.resyncMs = median(resyncMs);

// The file the service process edits (see bench/service-memory.mjs), and whose name start→answer asks for.
const edited = names.components[0]!;
const editedFile = execFileSync('grep', ['-rl', `name: ${edited}$`, dir], { encoding: 'utf8' }).split('\n')[0]!;

// Latency, not the ingest's leftover garbage or the first compilation: collect, then warm up on
// queries that are not among the measured ones.
globalThis.gc?.();
for (const name of names.components.slice(-50)) {
  catalog.whoOwns(name);
  catalog.find(name);
}
// Common words match most of the catalog, a path the names above never take: warm it with filtered
// variants of the measured words, which run the same code on different queries.
for (const word of names.words) {
  catalog.find(`kind:component ${word}`);
  catalog.find(`kind:component ${word.slice(0, 3)}`);
}
const whoOwnsMs = names.components.slice(0, 2_000).map((name) => time(() => catalog.whoOwns(name)));
result.whoOwnsP50 = percentile(whoOwnsMs, 50);
result.whoOwnsP99 = percentile(whoOwnsMs, 99);

const exact = names.words.map((word) => time(() => catalog.find(word)));
const typeahead = names.words.flatMap((word) => [word.slice(0, 3), word.slice(0, 4)]).map((prefix) => time(() => catalog.find(prefix)));
const typos = names.words.map((word) => `${word.slice(0, 2)}${word[3]}${word[2]}${word.slice(4)}`).map((typo) => time(() => catalog.find(typo)));
result.findExactP50 = percentile(exact, 50);
result.findExactP99 = percentile(exact, 99);
result.findFuzzyP50 = percentile([...typeahead, ...typos], 50);
result.findFuzzyP99 = percentile([...typeahead, ...typos], 99);

// A template form's catalog pickers (block_suggestion): owners (groups and users) and systems, for
// nothing typed, prefixes and whole words.
const pickers = [
  { name: 'owner', title: 'Owner', required: true, kind: 'entity' as const, kinds: ['Group', 'User'] },
  { name: 'system', title: 'System', required: false, kind: 'entity' as const, catalogFilter: [{ kind: 'System' }] },
];
const typed = ['', ...names.words.flatMap((word) => [word.slice(0, 2), word.slice(0, 4), word])];
const suggestionMs = pickers.flatMap((picker) => typed.map((query) => time(() => entitySuggestions(catalog.view, picker, query))));
result.suggestionsP50 = percentile(suggestionMs, 50);
result.suggestionsP99 = percentile(suggestionMs, 99);

// The index on its own: build from every entity, then replace single entities.
const documents = [...catalog.view.refs()].map((ref) => toSearchDocument(ref, catalog.view.get(ref)!));
// Built afresh `runs` times, for a median; the heap is that of the last build.
const buildMs: number[] = [];
let index = new EntityIndex();
let heapBefore = 0;
for (let run = 0; run < runs; run++) {
  index = new EntityIndex();
  globalThis.gc?.();
  heapBefore = process.memoryUsage().heapUsed;
  buildMs.push(time(() => index.upsertAll(documents)));
}
result.indexBuildMs = median(buildMs);
globalThis.gc?.();
result.indexHeapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
const updates = documents.slice(0, 1_000).map((document) => time(() => index.upsert({ ...document, description: `${document.description} updated` })));
result.indexUpdateP50 = percentile(updates, 50);
result.indexUpdateP99 = percentile(updates, 99);

// The TypeScript service template end to end (fetch, publish:github publishing locally, register)
// on this catalog: one run to warm up, then `runs` timed ones.
const repositories = mkdtempSync(path.join(tmpdir(), 'callboard-bench-repositories-'));
const scaffolder = createScaffolderService({ db: database.db, catalog, localRepositories: repositories, publishesLocally: () => true });
const serviceTemplate = findTemplate((await scaffolder.templates()).templates, 'typescript-service')!;
const templateRunMs: number[] = [];
for (let run = 0; run <= runs; run++) {
  const started = performance.now();
  const name = `bench-service-${run}`;
  const { run: finished } = await scaffolder.run({
    template: serviceTemplate,
    values: { name, description: 'Made by the benchmark', owner: 'group:default/bench-team', repoUrl: `github.com?owner=bench&repo=${name}` },
  });
  if (finished.status !== 'completed') throw new Error(`the template run failed: ${finished.error}`);
  if (run > 0) templateRunMs.push(performance.now() - started);
}
result.templateRunMs = median(templateRunMs);
rmSync(repositories, { recursive: true, force: true });

await database.close();

// Memory as deployed: a process of its own that starts on this catalog, refreshes it twice and answers.
const service = serviceMemory('--edit-file', editedFile, '--edit-name', edited, '--runs', String(runs), ...names.components.slice(0, 50).flatMap((name) => ['--names', name]));
result.editVisibleMs = service.editVisibleMs;
result.steadyRssMb = service.steadyRssMb;
result.peakRssMb = Math.max(firstLoadPeakMb, service.peakRssMb);

// Start to first answer on the existing catalog, as a user runs it (the compiled CLI): until the
// answer is printed, not until the process has closed its database and exited.
const env: Record<string, string> = 'url' in store.location ? { DATABASE_URL: store.location.url } : { CALLBOARD_DATA_DIR: store.location.dataDir };
const startMs: number[] = [];
for (let run = 0; run < runs; run++) startMs.push(await timeToFirstOutput([path.join(repoRoot, 'bin/callboard.js'), 'whoowns', edited, '--json'], env));
result.startToAnswerMs = median(startMs);

await store.drop();
process.stdout.write(`${JSON.stringify(result)}\n`);
