import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestLocations, type IngestResult, type RootLocation } from '../../../src/catalog/ingestion/ingest-locations.js';
import { ParsePool } from '../../../src/catalog/ingestion/parse-pool.js';
import { hasContent } from '../../../src/catalog/processing/process-entity.js';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
const rough = mkdtempSync(path.join(tmpdir(), 'callboard-threads-'));
const roots: RootLocation[] = [
  { key: `file:${examples}`, type: 'file', target: examples },
  { key: `file:${rough}`, type: 'file', target: rough },
];
const component = (name: string, extra = '') =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n${extra}`;

beforeAll(() => {
  const write = (file: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(rough, file)), { recursive: true });
    writeFileSync(path.join(rough, file), content);
  };
  write('a/good.yaml', `${component('good-one')}---\n${component('good-two')}`);
  write('a/syntax.yaml', `${component('before-error')}---\nkind: [unclosed\n`);
  write('a/schema.yaml', 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: no-spec\n');
  write('b/duplicate.yaml', component('good-one'));
  write('b/placeholder.yaml', `apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: with-definition\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./definition.txt\n`);
  write('b/definition.txt', 'openapi: 3.0.0\n');
  write('c/latin1.yaml', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
  write('c/huge.yaml', `# ${'x'.repeat(1_100_000)}\n`);
});
afterAll(() => rmSync(rough, { recursive: true, force: true }));

async function ingest(parsing: { threads: number; minFiles?: number; heapLimitMb?: number }): Promise<IngestResult> {
  return ingestLocations(roots, { github: () => undefined, maxFileBytes: 1 << 20, parsing });
}

/** What a refresh would store and report, without the order maps happen to be filled in. */
function outcome(result: IngestResult) {
  return {
    entities: [...result.entities.values()].map((entity) => JSON.stringify(entity)).sort(),
    problems: result.problems.map((problem) => JSON.stringify(problem)).sort(),
    files: { ...result.fileCounts, threaded: undefined },
  };
}

describe('parsing threads', () => {
  it('produce exactly what the main thread produces, problems, placeholders and Locations included', async () => {
    const alone = await ingest({ threads: 0 });
    const threaded = await ingest({ threads: 2, minFiles: 1 });
    expect(alone.entities.size).toBeGreaterThan(100);
    expect(alone.problems.length).toBeGreaterThan(0);
    expect(outcome(threaded)).toEqual(outcome(alone));
    expect(alone.fileCounts.threaded).toBe(0);
    // Every file found by walking the folders went to a thread; only the one a Location names was read here.
    expect(threaded.fileCounts.threaded).toBeGreaterThan(threaded.fileCounts.found - 5);
  });

  it('reuse the previous refresh through its cache as the main thread does', async () => {
    const first = await ingest({ threads: 2, minFiles: 1 });
    const stored = new Map([...first.entities.values()].map((entity) => [entity.ref, entity]));
    const again = await ingestLocations(roots, {
      github: () => undefined,
      maxFileBytes: 1 << 20,
      parsing: { threads: 2, minFiles: 1 },
      cache: first.cache,
      stored: (ref) => stored.get(ref),
    });
    expect(again.fileCounts.parsed).toBeLessThan(first.fileCounts.parsed);
    expect([...again.entities.keys()].sort()).toEqual([...first.entities.keys()].sort());
  });

  it('hand on no content for entities the store already holds as they are, when nothing is cached (a restart)', async () => {
    const first = await ingest({ threads: 2, minFiles: 1 });
    const stored = new Map([...first.entities.values()].map((entity) => [entity.ref, entity]));
    const held = 'component:default/good-two';
    const restarted = await ingestLocations(roots, {
      github: () => undefined,
      maxFileBytes: 1 << 20,
      parsing: { threads: 2, minFiles: 1 },
      // One row changed since: that entity comes with its content, to be written.
      stored: (ref) => (ref === held ? { ...stored.get(ref)!, contentHash: 'changed' } : stored.get(ref)),
      storedFrom: (locationKey) =>
        [...stored.values()].filter((entity) => entity.locationKey === locationKey).map(({ ref, contentHash }) => ({ ref, contentHash: ref === held ? 'changed' : contentHash })),
    });
    expect(restarted.fileCounts.parsed).toBe(first.fileCounts.parsed);
    const withContent = [...restarted.entities.values()].filter(hasContent).map((entity) => entity.ref);
    expect(withContent.filter((ref) => !ref.startsWith('location:'))).toEqual([held]);
    expect([...restarted.entities.keys()].sort()).toEqual([...first.entities.keys()].sort());
  });

  it('send back only the fingerprint of an entity stored from the same file with the same content', async () => {
    const pool = new ParsePool(1);
    try {
      const file = path.join(rough, 'a/good.yaml');
      const key = `file:${file}`;
      const job = (stored: { ref: string; contentHash: string }[]) => pool.run({ originKey: `file:${rough}`, maxFileBytes: 1 << 20, files: [{ path: file, key, stored }] });
      const [read] = await job([]);
      const entities = read?.type === 'processed' ? read.processed.entities : [];
      expect(entities.map((entity) => hasContent(entity))).toEqual([true, true]);
      const [one, two] = entities;
      const [again] = await job([{ ref: one!.ref, contentHash: one!.contentHash }, { ref: two!.ref, contentHash: 'other' }]);
      expect(again?.type === 'processed' && again.processed.entities.map((entity) => [entity.ref, hasContent(entity)])).toEqual([
        [one!.ref, false],
        [two!.ref, true],
      ]);
    } finally {
      await pool.close();
    }
  });

  it('leave their files to the main thread when they cannot run, with the same result', async () => {
    // A heap too small to even start: every thread dies before its first reply.
    const starved = await ingest({ threads: 2, minFiles: 1, heapLimitMb: 1 });
    expect(starved.fileCounts.threaded).toBe(0);
    expect(outcome(starved)).toEqual(outcome(await ingest({ threads: 0 })));
  });
});
