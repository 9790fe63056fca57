import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCatalogService, type CatalogService } from '../../../src/catalog/catalog-service.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/client.js';
import { createLogger } from '../../../src/logger.js';
import { builtInActions } from '../../../src/scaffolder/actions/built-in.js';
import { ActionRegistry } from '../../../src/scaffolder/actions/registry.js';
import { runTemplate } from '../../../src/scaffolder/run-template.js';
import type { TemplateDefinition } from '../../../src/scaffolder/template-definition.js';
import { templateFolder, templateHead } from '../../support/template-folder.js';
import { createTestDatabase, ENGINES } from '../../support/test-database.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-publish-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A template in the shape of Backstage's create-app example: fetch the skeleton, publish, register. */
async function serviceTemplate(): Promise<TemplateDefinition> {
  const skeleton = {
    'skeleton/catalog-info.yaml':
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name | dump }}\n  description: ${{ values.description | dump }}\nspec:\n  type: service\n  lifecycle: experimental\n  owner: ${{ values.owner | dump }}\n',
    'skeleton/README.md': '# ${{ values.name }}\n',
  };
  return (
    await templateFolder(
      scratch,
      `${templateHead('service')}  parameters:
    - title: About it
      required: [name, owner]
      properties:
        name: { type: string, ui:field: EntityNamePicker }
        description: { type: string }
        owner: { type: string, ui:field: OwnerPicker }
    - title: Where it lives
      required: [repoUrl]
      properties:
        repoUrl: { type: string, ui:field: RepoUrlPicker }
  steps:
    - id: fetch
      action: fetch:template
      input: { url: ./skeleton, values: { name: '\${{ parameters.name }}', description: '\${{ parameters.description }}', owner: '\${{ parameters.owner }}' } }
    - id: publish
      action: publish:local
      input: { repoUrl: '\${{ parameters.repoUrl }}', defaultBranch: main, gitCommitMessage: 'Create \${{ parameters.name }}' }
    - id: register
      action: catalog:register
      input: { repoContentsUrl: "\${{ steps['publish'].output.repoContentsUrl }}", catalogInfoPath: /catalog-info.yaml }
  output:
    links:
      - { title: Repository, url: "\${{ steps['publish'].output.remoteUrl }}" }
      - { title: Open in catalog, entityRef: "\${{ steps['register'].output.entityRef }}" }
`,
      skeleton,
    )
  ).template;
}

describe.each(ENGINES)('publish:local and catalog:register on %s', (engine) => {
  async function withCatalog(use: (catalog: CatalogService, database: Database) => Promise<void>): Promise<void> {
    const database = await createTestDatabase(engine);
    try {
      await use(createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'silent' }) }), database);
    } finally {
      await database.close();
    }
  }

  it('creates a git repository with one commit, registers its catalog-info.yaml, and whoOwns answers for it at once and after later refreshes', async () => {
    await withCatalog(async (catalog) => {
      const repositories = mkdtempSync(path.join(scratch, 'repositories-'));
      const actions = new ActionRegistry(builtInActions({ catalog, localRepositories: repositories }));
      const template = await serviceTemplate();
      const values = { name: 'invoice-service', description: 'Sends invoices', owner: 'group:default/billing-team', repoUrl: 'github.com?owner=acme&repo=invoice-service' };
      const workspace = mkdtempSync(path.join(scratch, 'workspace-'));
      const result = await runTemplate({ template: template!, values, user: { ref: 'user:default/ada' }, workspace }, actions);

      expect(result.error).toBeUndefined();
      const repository = path.join(repositories, 'acme', 'invoice-service');
      expect(result.output.links).toEqual([
        { title: 'Repository', url: `file://${repository}` },
        { title: 'Open in catalog', entityRef: 'component:default/invoice-service' },
      ]);
      const log = execFileSync('git', ['log', '--format=%s|%an', 'main'], { cwd: repository, encoding: 'utf8' }).trim().split('\n');
      expect(log).toEqual(['Create invoice-service|Callboard']);
      expect(execFileSync('git', ['status', '--porcelain'], { cwd: repository, encoding: 'utf8' })).toBe('');
      expect(readFileSync(path.join(repository, 'README.md'), 'utf8')).toBe('# invoice-service\n');

      expect(catalog.whoOwns('invoice-service')).toMatchObject({ match: { ref: 'component:default/invoice-service' }, owner: { ref: 'group:default/billing-team' } });
      // A complete refresh reads registered locations too: the new entity stays.
      await catalog.refresh();
      expect(catalog.whoOwns('invoice-service').match?.ref).toBe('component:default/invoice-service');

      // The same repository again: refused before anything is written, and the first one is untouched.
      const again = await runTemplate({ template: template!, values, workspace: mkdtempSync(path.join(scratch, 'workspace-')) }, actions);
      expect(again.error).toBe(`step publish (publish:local) failed: the repository acme/invoice-service exists already (${repository}); pick another name`);
      expect(again.steps.map((step) => step.status)).toEqual(['completed', 'failed', 'open']);
      expect(execFileSync('git', ['rev-list', '--count', 'main'], { cwd: repository, encoding: 'utf8' }).trim()).toBe('1');
    });
  });

  it('registers nothing from a location that holds no entity, and fails the step saying why', async () => {
    await withCatalog(async (catalog) => {
      const actions = new ActionRegistry(builtInActions({ catalog, localRepositories: mkdtempSync(path.join(scratch, 'repositories-')) }));
      const file = path.join(scratch, 'broken-catalog-info.yaml');
      writeFileSync(file, 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: Not A Name }\nspec: { type: service, lifecycle: x, owner: y }\n');
      const template = await serviceTemplate();
      const registerOnly = { ...template!, steps: [{ id: 'register', name: 'register', action: 'catalog:register', input: { catalogInfoUrl: `file://${file}` } }] };
      const result = await runTemplate({ template: registerOnly, values: { name: 'x', owner: 'y', repoUrl: 'github.com?owner=a&repo=b' }, workspace: mkdtempSync(path.join(scratch, 'workspace-')) }, actions);
      expect(result.error).toMatch(/^step register \(catalog:register\) failed: file:\/\/.*broken-catalog-info.yaml holds no entity the catalog could read, so nothing was registered: .*metadata.name/);
      await catalog.refresh();
      expect(catalog.view.size).toBe(0);
      expect(existsSync(file)).toBe(true);
    });
  });
});
