import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderSkeletonText } from '../../src/scaffolder/skeleton-text.js';
import { loadTemplateFolder } from '../../src/scaffolder/template-library.js';

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

  it("renders the create-app template's skeleton catalog-info.yaml into a valid entity", () => {
    const file = path.join(folders[1]!, 'template', 'content', 'catalog-info.yaml');
    const rendered = renderSkeletonText(readFileSync(file, 'utf8'), { values: { name: 'payments-api' } }, file);
    expect(yaml.load(rendered)).toMatchObject({ kind: 'Component', metadata: { name: 'payments-api' } });
  });
});
