import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { createCatalogService } from '../../src/catalog/catalog-service.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { builtInActions } from '../../src/scaffolder/actions/built-in.js';
import { ActionRegistry } from '../../src/scaffolder/actions/registry.js';
import { checkedValues, runTemplate } from '../../src/scaffolder/run-template.js';
import { renderSkeletonText } from '../../src/scaffolder/skeleton-text.js';
import { loadTemplateFolder } from '../../src/scaffolder/template-library.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * Backstage's sample templates and the template every new Backstage app ships with (kept outside
 * the repository, see ../shared/reference/backstage/SOURCE.md) load as templates unchanged. The
 * expectations are read from the files themselves.
 */
const reference = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'backstage', 'examples');
const folders = [
  path.join(reference, 'plugins', 'scaffolder-backend', 'sample-templates'),
  path.join(reference, 'packages', 'create-app', 'templates', 'default-app', 'examples'),
];
const exists = existsSync(reference);
if (!exists) console.warn('../shared/reference/backstage is absent: the Backstage template corpus test is skipped');

describe.skipIf(!exists)("Backstage's own templates", () => {
  it('all load, with the pages and steps their files declare, and no problem', async () => {
    let loaded = 0;
    for (const folder of folders) {
      const { templates, problems } = await loadTemplateFolder(folder);
      expect(problems).toEqual([]);
      for (const template of templates) {
        const declared = yaml.load(readFileSync(template.source, 'utf8')) as { metadata: { name: string }; spec: { parameters?: unknown; steps: { id?: string; action: string }[] } };
        expect(template.name).toBe(declared.metadata.name);
        const pages = Array.isArray(declared.spec.parameters) ? declared.spec.parameters : declared.spec.parameters ? [declared.spec.parameters] : [];
        expect(template.pages).toHaveLength(pages.length);
        expect(template.steps.map((step) => step.action)).toEqual(declared.spec.steps.map((step) => step.action));
        loaded += 1;
      }
    }
    // The four sample templates and the create-app example.
    expect(loaded).toBe(5);
  });

  it('runs the create-app example template end to end: fetch, publish (locally), register, notify', async () => {
    const database = await createTestDatabase('pglite');
    const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-create-app-'));
    try {
      const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'silent' }) });
      const actions = new ActionRegistry(builtInActions({ catalog, localRepositories: path.join(scratch, 'repositories'), publishesLocally: () => true }));
      const { templates } = await loadTemplateFolder(folders[1]!);
      const result = await runTemplate(
        { template: templates[0]!, values: { name: 'my-service', repoUrl: 'github.com?owner=acme&repo=my-service' }, workspace: mkdtempSync(path.join(scratch, 'workspace-')) },
        actions,
      );
      expect(result.error).toBeUndefined();
      expect(result.steps.map((step) => [step.id, step.status])).toEqual([['fetch-base', 'completed'], ['publish', 'completed'], ['register', 'completed'], ['notify', 'completed']]);
      expect(result.steps[3]!.log).toEqual(['not delivered to user:default/guest (no Slack app in this process)']);
      expect(result.output.links).toEqual([
        { title: 'Repository', url: `file://${path.join(scratch, 'repositories', 'acme', 'my-service')}` },
        { title: 'Open in catalog', entityRef: 'component:default/my-service' },
      ]);
      expect(catalog.whoOwns('my-service').match?.ref).toBe('component:default/my-service');
    } finally {
      await database.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("asks for a conditional page's values only when its when holds (the conditional-parameters demo)", async () => {
    const { templates } = await loadTemplateFolder(folders[0]!);
    const demo = templates.find((template) => template.name === 'conditional-parameters-demo')!;
    const gcp = checkedValues(demo, { name: 'svc', cloudProvider: 'GCP', gcpProjectId: 'acme-prod' });
    expect(gcp.problems).toEqual([]);
    expect(gcp.values).toMatchObject({ gcpRegion: 'us-central1' });
    expect(gcp.values).not.toHaveProperty('azureRegion');
    expect(checkedValues(demo, { name: 'svc', cloudProvider: 'AWS' }).problems).toEqual(['awsRegion: is required']);
  });

  it("renders the create-app template's skeleton catalog-info.yaml into a valid entity", () => {
    const file = path.join(folders[1]!, 'template', 'content', 'catalog-info.yaml');
    const rendered = renderSkeletonText(readFileSync(file, 'utf8'), { values: { name: 'payments-api' } }, file);
    expect(yaml.load(rendered)).toMatchObject({ kind: 'Component', metadata: { name: 'payments-api' } });
  });
});
