import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { availableTemplates, catalogTemplates, findTemplate, loadTemplateFolder } from '../../../src/scaffolder/template-library.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-templates-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function templateYaml(name: string, extra = ''): string {
  return `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: ${name}
  title: ${name} title
  description: Makes a ${name}
spec:
  owner: group:platform-team
  type: service
  parameters:
    - title: Name it
      required: [name]
      properties:
        name: { type: string, ui:field: EntityNamePicker }
    - title: Place it
      properties:
        repoUrl: { type: string, ui:field: RepoUrlPicker }
  steps:
    - id: fetch
      name: Fetch
      action: fetch:template
      input: { url: ./skeleton, values: { name: '\${{ parameters.name }}' } }
    - action: debug:log
      input: { message: done }
  output:
    links:
      - title: Repository
        url: \${{ steps['publish'].output.remoteUrl }}
${extra}`;
}

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(scratch, 'set-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.join(folder, name), { recursive: true });
    writeFileSync(path.join(folder, name, 'template.yaml'), text);
  }
  return folder;
}

describe('templates in a folder (templates/<name>/template.yaml)', () => {
  it('loads each valid template with its pages, steps and base folder, and names the file of one that is not', async () => {
    const folder = folderWith({
      service: templateYaml('service'),
      broken: 'apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: { name: broken }\nspec: { type: service }\n',
      component: 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: not-a-template }\nspec: { type: service, lifecycle: production, owner: a }\n',
    });
    const { templates, problems } = await loadTemplateFolder(folder);
    expect(templates.map((template) => template.name)).toEqual(['service']);
    const [service] = templates;
    expect(service).toMatchObject({
      ref: 'template:default/service',
      title: 'service title',
      description: 'Makes a service',
      type: 'service',
      owner: 'group:platform-team',
      source: path.join(folder, 'service', 'template.yaml'),
      base: { type: 'folder', folder: path.join(folder, 'service') },
    });
    expect(service!.pages.map((page) => page.title)).toEqual(['Name it', 'Place it']);
    expect(service!.steps.map((step) => [step.id, step.action])).toEqual([['fetch', 'fetch:template'], ['step-2', 'debug:log']]);
    expect(service!.output.links).toEqual([{ title: 'Repository', url: "${{ steps['publish'].output.remoteUrl }}" }]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: path.join(folder, 'broken', 'template.yaml'), message: expect.stringMatching(/steps/) }),
        expect.objectContaining({ file: path.join(folder, 'component', 'template.yaml'), message: expect.stringMatching(/kind Component is not allowed/) }),
      ]),
    );
  });

  it('gives nothing, and no problem, for a folder that does not exist', async () => {
    expect(await loadTemplateFolder(path.join(scratch, 'missing'))).toEqual({ templates: [], problems: [] });
  });
});

describe('templates on offer', () => {
  const catalogTemplate = (name: string, title: string): Entity => ({
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name, namespace: 'default', title, annotations: { 'backstage.io/managed-by-location': `url:https://github.com/acme/templates/blob/main/${name}/template.yaml` } },
    spec: { type: 'service', steps: [{ id: 'log', action: 'debug:log', input: {} }] },
  });

  it("offers the catalog's templates beside the built-in ones, a catalog template replacing a built-in one of the same ref", async () => {
    const view = new CatalogView({});
    view.upsert('template:default/service', catalogTemplate('service', 'Our own service'));
    view.upsert('template:default/library', catalogTemplate('library', 'Library'));
    expect(catalogTemplates(view).templates.map((template) => template.base)).toEqual([
      { type: 'url', url: 'https://github.com/acme/templates/blob/main/service/' },
      { type: 'url', url: 'https://github.com/acme/templates/blob/main/library/' },
    ]);
    const folder = folderWith({ service: templateYaml('service'), website: templateYaml('website') });
    const { templates } = await availableTemplates(view, folder);
    expect(templates.map((template) => [template.ref, template.title])).toEqual([
      ['template:default/library', 'Library'],
      ['template:default/service', 'Our own service'],
      ['template:default/website', 'website title'],
    ]);
    expect(findTemplate(templates, 'website')?.ref).toBe('template:default/website');
    expect(findTemplate(templates, 'template:default/library')?.title).toBe('Library');
    expect(findTemplate(templates, 'nothing')).toBeUndefined();
  });

  it('leaves out a template whose expressions do not parse, naming where', async () => {
    const view = new CatalogView({});
    const broken = catalogTemplate('broken', 'Broken');
    broken.spec!.steps = [{ id: 'log', action: 'debug:log', input: { message: '${{ parameters.name | }}' } }];
    view.upsert('template:default/broken', broken);
    const folder = folderWith({ odd: templateYaml('odd').replace("url: ./skeleton", "url: '${{ parameters.name ==  }}'") });
    const { templates, problems } = await availableTemplates(view, folder);
    expect(templates).toEqual([]);
    expect(problems).toEqual([
      { file: 'https://github.com/acme/templates/blob/main/broken/template.yaml', message: expect.stringMatching(/^template:default\/broken: spec.steps\[0\].input.message: in "\$\{\{ parameters.name \| \}\}": expected a filter name/) },
      { file: path.join(folder, 'odd', 'template.yaml'), message: expect.stringMatching(/^template:default\/odd: spec.steps\[0\].input.url: .*expected a value/) },
    ]);
  });
});
