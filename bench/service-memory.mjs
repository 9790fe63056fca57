/**
 * Memory of Callboard as it runs in production, in a process of its own: start on an existing
 * catalog (PostgreSQL at --url, or PGlite in --data-dir), refresh it (the first refresh after a
 * start parses every file), refresh again (as the schedule does), answer questions, edit one file
 * and time until answers show it (--edit-file), then report the settled RSS and the process's peak.
 * With --first-load, the database is empty and the process only stores the catalog for the first
 * time, reporting its peak and how long that took (--size: the entities it must have stored).
 * Prints one JSON line. Run by bench/scenario.ts, with --expose-gc.
 *
 * Plain JavaScript over the compiled app (dist/, built by the benchmark), run by node alone: a
 * TypeScript loader would add its own thread and caches to the memory measured.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createCatalogService } from '../dist/catalog/catalog-service.js';
import { loadConfig } from '../dist/config/load-config.js';
import { openDatabase } from '../dist/db/client.js';
import { openConfiguredDatabase } from '../dist/db/pglite-template.js';
import { createLogger } from '../dist/logger.js';
import { tuneHeapForService } from '../dist/service-heap.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'data-dir': { type: 'string' },
    dir: { type: 'string' },
    names: { type: 'string', multiple: true },
    'first-load': { type: 'boolean' },
    size: { type: 'string' },
    'edit-file': { type: 'string' },
    'edit-name': { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
// A first load is timed as `callboard refresh` runs it; the steady process runs its heap as
// `callboard start` does (see src/service-heap.ts).
if (!values['first-load']) tuneHeapForService();
const settings = { statementTimeoutMs: 600_000 };
const opening = performance.now();
const database = values.url
  ? await openDatabase({ url: values.url, dataDir: '', poolSize: 4, ...settings })
  : await openConfiguredDatabase({ dataDir: values['data-dir'], poolSize: 1, ...settings });
const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'warn' }) });
const roots = [{ key: `file:${values.dir}`, type: 'file', target: values.dir }];
if (values['first-load']) {
  // PGlite's start counts (it runs in this process); a PostgreSQL server is already up.
  const started = values.url ? performance.now() : opening;
  const report = await catalog.refresh(roots);
  const ingestMs = performance.now() - started;
  if (values.size && report.added !== Number(values.size)) throw new Error(`expected ${values.size} entities, stored ${report.added}; problems: ${report.problems.length}`);
  await database.close();
  process.stdout.write(`${JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1e3, ingestMs })}\n`);
  process.exit(0);
}
await catalog.load();
await catalog.refresh(roots);
await catalog.refresh(roots);
for (const name of values.names ?? []) {
  catalog.whoOwns(name);
  catalog.find(name.split('-')[0]);
}
// One edited file, as a running deployment sees it: the time from the start of the refresh that
// reads it to the answer showing it, for as many edits (a new owner each time) as runs.
let editVisibleMs;
if (values['edit-file']) {
  const file = values['edit-file'];
  const original = readFileSync(file, 'utf8');
  const editMs = [];
  for (let run = 0; run < Number(values.runs); run++) {
    writeFileSync(file, original.replace(/owner: (\S+)/, `owner: bench-new-owner-${run}`));
    const started = performance.now();
    await catalog.refresh(roots);
    const answer = catalog.whoOwns(values['edit-name']);
    editMs.push(performance.now() - started);
    if (answer.owner?.ref !== `group:default/bench-new-owner-${run}`) throw new Error(`the edit is not visible: ${answer.owner?.ref}`);
  }
  writeFileSync(file, original);
  await catalog.refresh(roots);
  editVisibleMs = editMs.sort((a, b) => a - b)[Math.floor(editMs.length / 2)];
}
// Steady: as between two events, once the collector has run. Forced collections, for a figure
// that does not depend on when V8's memory reducer runs (left idle, V8 compacts the heap further
// after some seconds to minutes and gives the pages back). The collector's own threads return the
// pages it freed within a quarter of a second after it: RSS is read once they have.
globalThis.gc();
await new Promise((resolve) => setTimeout(resolve, 5_000));
globalThis.gc();
await new Promise((resolve) => setTimeout(resolve, 1_000));
const steadyRssMb = process.memoryUsage().rss / 1e6;
const peakRssMb = process.resourceUsage().maxRSS / 1e3;
await database.close();
process.stdout.write(`${JSON.stringify({ steadyRssMb, peakRssMb, editVisibleMs })}\n`);
