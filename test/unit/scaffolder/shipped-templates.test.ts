import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashText, processText } from '../../../src/catalog/ingestion/file-processing.js';
import { entityOf, hasContent } from '../../../src/catalog/processing/process-entity.js';
import { builtInActions } from '../../../src/scaffolder/actions/built-in.js';
import { ActionRegistry } from '../../../src/scaffolder/actions/registry.js';
import { assertWorkspaceYaml } from '../../../src/scaffolder/actions/workspace-yaml.js';
import { runTemplate } from '../../../src/scaffolder/run-template.js';
import { BUILT_IN_TEMPLATES, loadTemplateFolder } from '../../../src/scaffolder/template-library.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-shipped-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const actions = new ActionRegistry(builtInActions({ catalog: { register: () => Promise.reject(new Error('not here')) }, localRepositories: path.join(scratch, 'repositories') }));

// A description with quotes, a colon and a line break: what a YAML value could be broken by.
const values = {
  name: 'ledger-api',
  description: 'Keeps "the" ledger: entries\nand balances',
  owner: 'group:default/finance-team',
  system: 'system:default/finance',
  lifecycle: 'production',
  repoUrl: 'github.com?owner=acme&repo=ledger-api',
  visibility: 'internal',
};

describe('the templates shipped in templates/', () => {
  it('are the TypeScript service, the Go service and the documentation site, and load without problems', async () => {
    const { templates, problems } = await loadTemplateFolder(BUILT_IN_TEMPLATES);
    expect(problems).toEqual([]);
    expect(templates.map((template) => template.name)).toEqual(['docs-site', 'go-service', 'typescript-service']);
  });

  it.each(['docs-site', 'go-service', 'typescript-service'])('%s renders a skeleton with a valid catalog-info.yaml, README, CI workflow, Dockerfile and TechDocs', async (name) => {
    const { templates } = await loadTemplateFolder(BUILT_IN_TEMPLATES);
    const template = templates.find((candidate) => candidate.name === name)!;
    expect(template.steps.map((step) => step.action)).toEqual(['fetch:template', 'publish:github', 'catalog:register']);
    // The fetch step alone: publishing and registering are tested with their actions.
    const fetchOnly = { ...template, steps: template.steps.filter((step) => step.action === 'fetch:template') };
    const workspace = mkdtempSync(path.join(scratch, `${name}-`));
    const result = await runTemplate({ template: fetchOnly, values, workspace }, actions);
    expect(result.error).toBeUndefined();

    const files = readdirSync(workspace, { recursive: true }).map(String);
    expect(files).toEqual(expect.arrayContaining(['catalog-info.yaml', 'README.md', 'Dockerfile', path.join('.github', 'workflows', 'ci.yaml'), 'mkdocs.yml', path.join('docs', 'index.md')]));
    expect(() => assertWorkspaceYaml(workspace)).not.toThrow();
    // GitHub Actions' own expressions are the workflow's, not the template's.
    expect(readFileSync(path.join(workspace, '.github', 'workflows', 'ci.yaml'), 'utf8')).toContain('${{ github.sha }}');

    const text = readFileSync(path.join(workspace, 'catalog-info.yaml'), 'utf8');
    const processed = await processText(text, { key: 'file:catalog-info.yaml', display: 'catalog-info.yaml', originKey: 'file:.' }, hashText(text), () => Promise.reject(new Error('none')));
    expect(processed.problems).toEqual([]);
    const entity = entityOf(processed.entities.filter(hasContent)[0]!);
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: { name: 'ledger-api', description: values.description, annotations: { 'github.com/project-slug': 'acme/ledger-api', 'backstage.io/techdocs-ref': 'dir:.' } },
      spec: { owner: 'group:default/finance-team' },
    });
    if (name !== 'docs-site') expect(entity.spec).toMatchObject({ type: 'service', lifecycle: 'production', system: 'system:default/finance' });
    expect(readFileSync(path.join(workspace, 'docs', 'index.md'), 'utf8')).toMatch(/^# ledger-api\n/);
  });
});
