import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';
import type { RefreshReport } from '../../../src/catalog/catalog-service.js';
import { catalogInfoYaml } from '../../support/slack-harness.js';

const service = (name: string, extra: { annotations?: Record<string, string>; lifecycle?: string } = {}) => ({
  kind: 'Component',
  metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { type: 'service', lifecycle: extra.lifecycle ?? 'production', owner: 'data' },
});

describe("plugins' catalog processors, run over every entity a refresh reads", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-processors-'));
  let context: AppContext;
  let report: RefreshReport;

  beforeAll(async () => {
    writeFileSync(
      path.join(scratch, 'catalog-info.yaml'),
      catalogInfoYaml([
        { kind: 'Group', metadata: { name: 'data' }, spec: { type: 'team', children: [] } },
        { kind: 'Resource', metadata: { name: 'shared-db' }, spec: { type: 'database', owner: 'data' } },
        service('orders', { annotations: { 'acme.dev/uses-shared-db': 'true' } }),
        service('sandbox', { lifecycle: 'experimental' }),
        service('cursed'),
        service('renamed'),
        service('ghost'),
        service('slowpoke'),
      ]),
    );
    const config = loadConfig({ files: [], env: {} });
    config.callboard.plugins = [{ path: path.join(import.meta.dirname, '../../fixtures/plugins/processors.ts') }];
    context = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true });
    report = await context.catalog.refresh([{ key: `file:${scratch}`, type: 'file', target: scratch }]);
  }, 30_000);
  afterAll(async () => {
    await context?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('stores what a processor adds: an annotation, and a relation the rest of the catalog sees', () => {
    const orders = context.catalog.view.get('component:default/orders')!;
    expect(orders.metadata.annotations).toMatchObject({ 'acme.dev/db-team': 'data', 'backstage.io/managed-by-location': expect.stringContaining('catalog-info.yaml') });
    expect(context.catalog.view.related('component:default/orders', 'dependsOn')).toEqual(['resource:default/shared-db']);
    expect(context.catalog.view.related('resource:default/shared-db', 'dependencyOf')).toEqual(['component:default/orders']);
  });

  it('keeps an entity a processor objects to, fails on or renames, as it was, with a warning naming the processor', () => {
    const warnings = report.problems.filter((problem) => problem.message.startsWith('catalog processor')).map((problem) => [problem.ref, problem.severity, problem.message]);
    expect(warnings).toEqual([
      ['component:default/sandbox', 'warning', 'catalog processor no-experiments: experimental services should not be in this catalog'],
      ['component:default/cursed', 'warning', 'catalog processor unreliable: failed: the processor tripped; the entity is kept as it was'],
      ['component:default/renamed', 'warning', "catalog processor unreliable: it returned component:default/something-else for component:default/renamed: a processor may not change an entity's kind, namespace or name; the entity is kept as it was"],
      ['component:default/ghost', 'warning', 'catalog processor careless: failed: returned neither an entity nor { problem }; the entity is kept as it was'],
      ['component:default/slowpoke', 'warning', 'catalog processor slow: failed: took longer than 2000 ms; the entity is kept as it was'],
    ]);
    for (const name of ['sandbox', 'cursed', 'renamed', 'ghost', 'slowpoke']) expect(context.catalog.view.has(`component:default/${name}`)).toBe(true);
    expect(context.catalog.view.has('component:default/something-else')).toBe(false);
  });

  it('lists the processors the plugin adds', () => {
    expect(context.plugins.plugins.find((plugin) => plugin.id === 'processors')!.adds.processors).toEqual(['shared-db', 'no-experiments', 'careless', 'slow', 'unreliable']);
  });
});
