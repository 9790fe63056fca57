/**
 * Memory of Callboard as it runs in production, in a process of its own: start on an existing
 * catalog (PostgreSQL at --url, or PGlite in --data-dir), refresh it (the first refresh after a
 * start parses every file), refresh again (as the schedule does), answer questions, then report
 * the settled RSS and the process's peak. With --first-load, the database is empty and the process
 * only stores the catalog for the first time, reporting its peak. Prints one JSON line. Run by
 * bench/scenario.ts; the steady figure takes one to three minutes of idling.
 *
 * Plain JavaScript over the compiled app (dist/, built by the benchmark), run by node alone: a
 * TypeScript loader would add its own thread and caches to the memory measured.
 */
import { parseArgs } from 'node:util';
import { createCatalogService } from '../dist/catalog/catalog-service.js';
import { loadConfig } from '../dist/config/load-config.js';
import { openDatabase } from '../dist/db/client.js';
import { openConfiguredDatabase } from '../dist/db/pglite-template.js';
import { createLogger } from '../dist/logger.js';

const { values } = parseArgs({
  options: { url: { type: 'string' }, 'data-dir': { type: 'string' }, dir: { type: 'string' }, names: { type: 'string', multiple: true }, 'first-load': { type: 'boolean' } },
});
const settings = { statementTimeoutMs: 600_000 };
const database = values.url
  ? await openDatabase({ url: values.url, dataDir: '', poolSize: 4, ...settings })
  : await openConfiguredDatabase({ dataDir: values['data-dir'], poolSize: 1, ...settings });
const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'warn' }) });
const roots = [{ key: `file:${values.dir}`, type: 'file', target: values.dir }];
if (values['first-load']) {
  await catalog.refresh(roots);
  await database.close();
  process.stdout.write(`${JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1e3 })}\n`);
  process.exit(0);
}
await catalog.load();
await catalog.refresh(roots);
await catalog.refresh(roots);
for (const name of values.names ?? []) {
  catalog.whoOwns(name);
  catalog.find(name.split('-')[0]);
}
// Steady: as between two events. V8 compacts its heap and gives the freed pages back once the
// process has been idle a while (its memory reducer, some tens of seconds), which a forced
// collection does not do: idle a minute, then until RSS stops falling.
const idle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMb = () => process.memoryUsage().rss / 1e6;
await idle(60_000);
let steadyRssMb = rssMb();
for (let waited = 60; waited < 180; waited += 10) {
  await idle(10_000);
  const now = rssMb();
  const settled = now > 0.99 * steadyRssMb;
  steadyRssMb = Math.min(steadyRssMb, now);
  if (settled) break;
}
const peakRssMb = process.resourceUsage().maxRSS / 1e3;
await database.close();
process.stdout.write(`${JSON.stringify({ steadyRssMb, peakRssMb })}\n`);
