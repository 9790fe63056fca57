/**
 * The docs search: a generated catalog of documented services (20,000 sections by default) on disk,
 * stored on PGlite, then the docs read, split and indexed (timed, twice: the second time every page
 * is unchanged), and questions answered. Prints one JSON line. Run through bench/run-bench.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { loadConfig } from '../src/config/load-config.js';
import { createDocsService } from '../src/docs/docs-service.js';
import { createLogger } from '../src/logger.js';
import { benchDatabase, percentile } from './support.js';

const { values } = parseArgs({ options: { sections: { type: 'string', default: '20000' }, 'server-url': { type: 'string' } } });
/** Sections per page: the text above its headings, and four headed sections. */
const SECTIONS_PER_PAGE = 5;
const PAGES_PER_SITE = 8;
const sites = Math.ceil(Number(values.sections) / (SECTIONS_PER_PAGE * PAGES_PER_SITE));
const VERBS = ['rotate', 'restore', 'scale', 'read', 'page', 'roll back', 'renew', 'drain', 'replay', 'tune', 'migrate', 'deploy', 'debug', 'profile', 'archive', 'purge', 'resize', 'throttle', 'audit', 'reindex', 'rebalance', 'pause', 'resume', 'seed', 'backfill', 'snapshot', 'encrypt', 'rekey', 'promote', 'demote'];
const OBJECTS = ['api keys', 'backup', 'workers', 'logs', 'on-call', 'deploy', 'certificate', 'node', 'dead letters', 'pool', 'schema', 'queue', 'cache', 'index', 'bucket', 'cluster', 'replica', 'topic', 'cron job', 'feature flag', 'rate limit', 'webhook', 'tenant', 'ledger', 'invoice', 'shipment', 'route', 'tariff', 'manifest', 'pallet', 'depot', 'carrier', 'parcel', 'customs form', 'driver app', 'price table', 'geofence', 'tracking feed', 'label printer', 'sftp drop'];
// A vocabulary of made-up words, so that sections differ as real pages do, not only in their headings.
let seed = 42;
const random = (below: number) => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed % below;
};
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tu', 'sa', 'vek', 'do', 'pri', 'nal', 'ost', 'qua', 'bel', 'zor', 'fin', 'gu'];
const VOCABULARY = Array.from({ length: 2_000 }, () => Array.from({ length: 2 + random(2) }, () => SYLLABLES[random(SYLLABLES.length)]).join(''));
const words = (count: number) => Array.from({ length: count }, () => VOCABULARY[random(VOCABULARY.length)]).join(' ');

const folder = mkdtempSync(path.join(tmpdir(), 'callboard-docs-bench-'));
for (let site = 0; site < sites; site++) {
  const name = `service-${site}`;
  const dir = path.join(folder, name);
  mkdirSync(path.join(dir, 'docs'), { recursive: true });
  writeFileSync(path.join(dir, 'catalog-info.yaml'), `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n  annotations: { backstage.io/techdocs-ref: 'dir:.' }\nspec: { type: service, lifecycle: production, owner: team-${site % 50} }\n`);
  const pages = Array.from({ length: PAGES_PER_SITE }, (_, page) => `page-${page}.md`);
  writeFileSync(path.join(dir, 'mkdocs.yml'), `site_name: ${name}\nnav:\n${pages.map((page) => `  - ${page}`).join('\n')}\n`);
  pages.forEach((page, pageIndex) => {
    const body = Array.from({ length: SECTIONS_PER_PAGE - 1 }, () => {
      const [verb, object] = [VERBS[random(VERBS.length)]!, OBJECTS[random(OBJECTS.length)]!];
      return `## How to ${verb} the ${object}\n\n${words(20)} ${verb} the ${object} ${words(30)}.\n`;
    });
    writeFileSync(path.join(dir, 'docs', page), `# ${words(3)}\n\n${words(25)}\n\n${body.join('\n')}`);
  });
}
const questions = Array.from({ length: 40 }, () => {
  const [verb, object] = [VERBS[random(VERBS.length)]!, OBJECTS[random(OBJECTS.length)]!];
  return [`how do I ${verb} the ${object}?`, `${verb} ${object}`, object.slice(0, 4), `${VOCABULARY[random(VOCABULARY.length)]} ${object}`];
}).flat();

const store = benchDatabase('pglite', values['server-url'] ?? '');
const database = await store.fresh(1);
const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'warn' }) });
try {
  await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
  const docs = createDocsService({ catalog });
  globalThis.gc?.();
  let started = performance.now();
  const first = await docs.refresh();
  const indexMs = performance.now() - started;
  started = performance.now();
  await docs.refresh();
  const unchangedMs = performance.now() - started;
  for (const question of questions) docs.answer(question);
  const searchMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const question of questions) {
      const at = performance.now();
      docs.answer(question);
      searchMs.push(performance.now() - at);
    }
  }
  process.stdout.write(`${JSON.stringify({ sites: first.sites, sections: first.sections, indexMs, unchangedMs, searchP50: percentile(searchMs, 50), searchP99: percentile(searchMs, 99), searches: searchMs.length })}\n`);
} finally {
  await catalog.whenIdle();
  await database.close();
  await store.drop();
  rmSync(folder, { recursive: true, force: true });
}
