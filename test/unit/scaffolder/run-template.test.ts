import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/catalog/model/entity.js';
import type { ScaffolderAction } from '../../../src/scaffolder/actions/action.js';
import { builtInActions } from '../../../src/scaffolder/actions/built-in.js';
import { ActionRegistry } from '../../../src/scaffolder/actions/registry.js';
import { runTemplate } from '../../../src/scaffolder/run-template.js';
import { templateDefinition } from '../../../src/scaffolder/template-definition.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A template folder with a skeleton, and a definition read from it. */
function templateIn(spec: Record<string, unknown>, skeleton: Record<string, string | Buffer> = {}) {
  const folder = mkdtempSync(path.join(scratch, 'template-'));
  for (const [file, content] of Object.entries(skeleton)) {
    mkdirSync(path.dirname(path.join(folder, 'skeleton', file)), { recursive: true });
    writeFileSync(path.join(folder, 'skeleton', file), content);
  }
  mkdirSync(path.join(folder, 'skeleton'), { recursive: true });
  const entity: Entity = { apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'service', namespace: 'default' }, spec: { type: 'service', ...spec } };
  return { folder, template: templateDefinition(entity, `file:${path.join(folder, 'template.yaml')}`) };
}

const workspace = () => mkdtempSync(path.join(scratch, 'workspace-'));
const BUILT_IN_ACTIONS = builtInActions({
  catalog: { register: () => Promise.reject(new Error('these runs register nothing')) },
  localRepositories: path.join(scratch, 'repositories'),
});
const NAME_PAGE = { title: 'Name', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z-]+$', 'ui:field': 'EntityNamePicker' }, public: { type: 'boolean' } } };
const recorder = (id: string, calls: Record<string, unknown>[], options: Partial<ScaffolderAction> = {}): ScaffolderAction => ({
  id,
  description: 'records its input',
  supportsDryRun: false,
  inputSchema: { type: 'object' },
  async handler({ input, output, log }) {
    calls.push(input);
    log(`got ${JSON.stringify(input)}`);
    output('remoteUrl', `https://github.com/acme/${String(input.name)}`);
  },
  ...options,
});

describe('running a template', () => {
  it("renders the skeleton, passes each step's outputs on, and renders the output", async () => {
    const calls: Record<string, unknown>[] = [];
    const { template } = templateIn(
      {
        parameters: [NAME_PAGE],
        steps: [
          { id: 'fetch', action: 'fetch:template', input: { url: './skeleton', values: { name: '${{ parameters.name }}', owner: '${{ user.ref }}' } } },
          { id: 'publish', action: 'test:publish', input: { name: '${{ parameters.name }}', public: '${{ parameters.public }}' } },
          { id: 'never', action: 'test:publish', if: '${{ parameters.public }}', input: { name: 'x' } },
          { id: 'log', action: 'debug:log', input: { message: 'published ${{ steps.publish.output.remoteUrl }}', listWorkspace: 'with-filenames' } },
        ],
        output: {
          links: [{ title: 'Repository', url: "${{ steps['publish'].output.remoteUrl }}" }, { title: 'Hidden', url: 'x', if: '${{ parameters.public }}' }],
          text: [{ title: 'Next', content: 'Clone ${{ parameters.name }}' }],
        },
      },
      { 'catalog-info.yaml': 'metadata:\n  name: ${{ values.name | dump }}\nspec:\n  owner: ${{ values.owner }}\n', '${{ values.name }}/main.go': 'package main // ${{ values.name }}\n' },
    );
    const folder = workspace();
    const actions = new ActionRegistry([...BUILT_IN_ACTIONS, recorder('test:publish', calls)]);
    const result = await runTemplate({ template, values: { name: 'payments-api', public: false }, user: { ref: 'user:default/ada' }, workspace: folder }, actions);

    expect(result).toMatchObject({ status: 'completed', output: { links: [{ title: 'Repository', url: 'https://github.com/acme/payments-api' }], text: [{ title: 'Next', content: 'Clone payments-api' }] } });
    expect(result.steps.map((step) => [step.id, step.status])).toEqual([['fetch', 'completed'], ['publish', 'completed'], ['never', 'skipped'], ['log', 'completed']]);
    expect(readFileSync(path.join(folder, 'catalog-info.yaml'), 'utf8')).toBe('metadata:\n  name: "payments-api"\nspec:\n  owner: user:default/ada\n');
    expect(readFileSync(path.join(folder, 'payments-api', 'main.go'), 'utf8')).toBe('package main // payments-api\n');
    expect(calls).toEqual([{ name: 'payments-api', public: false }]);
    expect(result.steps[3]!.log).toEqual(['published https://github.com/acme/payments-api', 'catalog-info.yaml', path.join('payments-api', 'main.go')]);
  });

  it('runs a step once per item of its each, with each.key and each.value', async () => {
    const calls: Record<string, unknown>[] = [];
    const { template } = templateIn({ steps: [{ id: 'many', action: 'test:publish', each: ['a', 'b'], input: { name: '${{ each.value }}-${{ each.key }}' } }] });
    const result = await runTemplate({ template, values: {}, workspace: workspace() }, new ActionRegistry([recorder('test:publish', calls)]));
    expect(result.status).toBe('completed');
    expect(calls).toEqual([{ name: 'a-0' }, { name: 'b-1' }]);
  });

  it('checks the values against every page before any step, naming each field', async () => {
    const calls: Record<string, unknown>[] = [];
    const { template } = templateIn({ parameters: [NAME_PAGE, { title: 'Where', required: ['repoUrl'], properties: { repoUrl: { type: 'string' } } }], steps: [{ id: 'publish', action: 'test:publish', input: {} }] });
    const result = await runTemplate({ template, values: { name: 'Not Valid', public: 'yes' }, workspace: workspace() }, new ActionRegistry([recorder('test:publish', calls)]));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^the values do not fit the template: /);
    expect(result.error).toContain('name: must match pattern "^[a-z-]+$"');
    expect(result.error).toContain('public: must be boolean');
    expect(result.error).toContain('repoUrl: is required');
    expect(calls).toEqual([]);
    expect(result.steps.every((step) => step.status === 'open')).toBe(true);
  });

  it('fills in the defaults the form pages declare, as the form would have shown them', async () => {
    const { template } = templateIn({
      parameters: [{ title: 'About', properties: { lifecycle: { type: 'string', default: 'experimental' }, replicas: { type: 'integer', default: 2 } } }],
      steps: [{ id: 'log', action: 'debug:log', input: { message: '${{ parameters.lifecycle }} x${{ parameters.replicas }}' } }],
    });
    const result = await runTemplate({ template, values: { replicas: 5 }, workspace: workspace() }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(result.steps[0]!.log).toEqual(['experimental x5']);
  });

  it('refuses a template with an unknown action before running anything', async () => {
    const calls: Record<string, unknown>[] = [];
    const { template } = templateIn({ steps: [{ id: 'ok', action: 'test:publish', input: {} }, { id: 'push', action: 'publish:gitlab', input: {} }] });
    const result = await runTemplate({ template, values: {}, workspace: workspace() }, new ActionRegistry([recorder('test:publish', calls)]));
    expect(result).toMatchObject({ status: 'failed', error: 'step push uses the unknown action publish:gitlab; the actions are test:publish' });
    expect(calls).toEqual([]);
  });

  it('stops a run that takes longer than its time, even in an action that does not heed the signal', async () => {
    const slow = recorder('test:slow', [], {
      handler: () => new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref()),
    });
    const { template } = templateIn({ steps: [{ id: 'wait', action: 'test:slow', input: {} }, { id: 'after', action: 'test:slow', input: {} }] });
    const started = Date.now();
    const result = await runTemplate({ template, values: {}, workspace: workspace(), timeoutMs: 200, stopGraceMs: 300 }, new ActionRegistry([slow]));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ status: 'failed', error: 'step wait (test:slow) failed: the run took longer than 200 ms and was stopped' });
    expect(result.steps.map((step) => step.status)).toEqual(['failed', 'open']);
  });

  it('waits, when it stops, for an action that heeds the signal to stop, so nothing of it runs on', async () => {
    let stoppedAt = 0;
    const heeding = recorder('test:heeding', [], {
      handler: ({ signal }) =>
        new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              stoppedAt = Date.now();
              reject(new Error('aborted'));
            }, 100),
          ),
        ),
    });
    const { template } = templateIn({ steps: [{ id: 'wait', action: 'test:heeding', input: {} }] });
    const result = await runTemplate({ template, values: {}, workspace: workspace(), timeoutMs: 100 }, new ActionRegistry([heeding]));
    // Stopped by the time the run returned: the run waited for it.
    expect(stoppedAt).toBeGreaterThan(0);
    expect(result.error).toBe('step wait (test:heeding) failed: the run took longer than 100 ms and was stopped');
  });

  it("ends the run at the first failing step, with the step's error, running nothing after it", async () => {
    const calls: Record<string, unknown>[] = [];
    const failing = recorder('test:fail', [], {
      async handler() {
        throw new Error('the repository exists already');
      },
    });
    const { template } = templateIn({ steps: [{ id: 'first', action: 'test:fail', input: {} }, { id: 'second', action: 'test:publish', input: {} }] });
    const result = await runTemplate({ template, values: {}, workspace: workspace() }, new ActionRegistry([failing, recorder('test:publish', calls)]));
    expect(result).toMatchObject({ status: 'failed', error: 'step first (test:fail) failed: the repository exists already' });
    expect(result.steps.map((step) => step.status)).toEqual(['failed', 'open']);
    expect(calls).toEqual([]);
  });

  it("checks a step's rendered input against its action's schema", async () => {
    const { template } = templateIn({ steps: [{ id: 'fetch', action: 'fetch:template', input: { values: {} } }] });
    const result = await runTemplate({ template, values: {}, workspace: workspace() }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(result.error).toBe("step fetch (fetch:template) failed: its input does not fit fetch:template: input.url: is required");
  });

  it('describes, rather than runs, what a dry run may not do', async () => {
    const calls: Record<string, unknown>[] = [];
    const { template } = templateIn({ steps: [{ id: 'publish', action: 'test:publish', input: { name: 'x' } }] });
    const result = await runTemplate({ template, values: {}, workspace: workspace(), dryRun: true }, new ActionRegistry([recorder('test:publish', calls)]));
    expect(result.status).toBe('completed');
    expect(result.steps[0]!.log).toEqual(['dry run: would run test:publish with {"name":"x"}']);
    expect(calls).toEqual([]);
  });
});

describe('publish:local', () => {
  it('writes nothing when a value would smuggle YAML into a rendered file', async () => {
    const { template } = templateIn(
      {
        steps: [
          { id: 'fetch', action: 'fetch:template', input: { url: './skeleton', values: { description: '${{ parameters.description }}' } } },
          { id: 'publish', action: 'publish:local', input: { repoUrl: 'github.com?owner=acme&repo=smuggled' } },
        ],
      },
      { 'catalog-info.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  description: ${{ values.description }}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n' },
    );
    const result = await runTemplate({ template, values: { description: 'x\nspec:\n  owner: attacker' }, workspace: workspace() }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^step fetch \(fetch:template\) failed: catalog-info.yaml:5: a value with a line break would change this YAML file's structure; place it with \| dump/);
    expect(existsSync(path.join(scratch, 'repositories', 'acme', 'smuggled'))).toBe(false);
  });
});

describe('the check before publishing', () => {
  it('publishes nothing when a rendered YAML file does not parse or holds an invalid entity', async () => {
    const { template } = templateIn(
      {
        steps: [
          { id: 'fetch', action: 'fetch:template', input: { url: './skeleton', values: { lifecycle: '${{ parameters.lifecycle }}' } } },
          { id: 'publish', action: 'publish:local', input: { repoUrl: 'github.com?owner=acme&repo=invalid' } },
        ],
      },
      {
        'catalog-info.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n  lifecycle: ${{ values.lifecycle }}\n  owner: team-a\n',
        'config/app.yaml': 'port: 80\nport: 81\n',
      },
    );
    const result = await runTemplate({ template, values: {}, workspace: workspace() }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(result.error).toMatch(/^step publish \(publish:local\) failed: the rendered files are not valid, so nothing was published: /);
    expect(result.error).toContain('catalog-info.yaml:1: spec.lifecycle must be string');
    expect(result.error).toMatch(/config\/app.yaml:\d+: .*duplicated mapping key/);
    expect(existsSync(path.join(scratch, 'repositories', 'acme', 'invalid'))).toBe(false);
  });
});

describe('fetch:template', () => {
  const fetchRun = async (input: Record<string, unknown>, skeleton: Record<string, string | Buffer>, values: Record<string, unknown> = {}) => {
    const { template, folder: templateFolder } = templateIn({ steps: [{ id: 'fetch', action: 'fetch:template', input: { url: './skeleton', ...input } }] }, skeleton);
    const folder = workspace();
    const result = await runTemplate({ template, values, workspace: folder }, new ActionRegistry(BUILT_IN_ACTIONS));
    return { result, folder, templateFolder };
  };

  it('copies contents verbatim for copyWithoutTemplating, everything for copyWithoutRender, and binary files as they are', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]);
    const { result, folder } = await fetchRun(
      { values: { name: 'svc' }, copyWithoutTemplating: ['.github/workflows/*'], copyWithoutRender: ['docs/**'] },
      { '.github/workflows/ci.yaml': 'run: ${{ github.sha }}\n', 'docs/${{ values.name }}.md': '${{ values.name }}', 'logo.png': png, 'README.md': '# ${{ values.name }}' },
    );
    expect(result.status).toBe('completed');
    expect(readFileSync(path.join(folder, '.github/workflows/ci.yaml'), 'utf8')).toBe('run: ${{ github.sha }}\n');
    expect(readFileSync(path.join(folder, 'docs/${{ values.name }}.md'), 'utf8')).toBe('${{ values.name }}');
    expect(readFileSync(path.join(folder, 'logo.png'))).toEqual(png);
    expect(readFileSync(path.join(folder, 'README.md'), 'utf8')).toBe('# svc');
  });

  it('renders only files with templateFileExtension, dropping the extension', async () => {
    const { folder } = await fetchRun({ values: { name: 'svc' }, templateFileExtension: true }, { 'main.go.njk': '// ${{ values.name }}', 'Makefile': '${{ keep }}' });
    expect(readFileSync(path.join(folder, 'main.go'), 'utf8')).toBe('// svc');
    expect(readFileSync(path.join(folder, 'Makefile'), 'utf8')).toBe('${{ keep }}');
  });

  it('writes nothing when a rendered file name climbs out of the target folder', async () => {
    const { result, folder } = await fetchRun({ values: { name: '../../escaped' } }, { 'a.txt': 'first', '${{ values.name }}.txt': 'x' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/climbs out of the target folder; nothing was written/);
    expect(existsSync(path.join(folder, 'a.txt'))).toBe(false);
  });

  it('refuses a targetPath or url outside the workspace or template, and a link out of the skeleton', async () => {
    expect((await fetchRun({ targetPath: '../elsewhere' }, { 'a.txt': 'x' })).result.error).toMatch(/targetPath \.\.\/elsewhere leaves the workspace/);
    expect((await fetchRun({ url: '../../etc' }, {})).result.error).toMatch(/leaves the template's folder/);
    const { template, folder: templateFolder } = templateIn({ steps: [{ id: 'fetch', action: 'fetch:template', input: { url: './skeleton' } }] }, { 'a.txt': 'x' });
    writeFileSync(path.join(scratch, 'secret.txt'), 'secret');
    symlinkSync(path.join(scratch, 'secret.txt'), path.join(templateFolder, 'skeleton', 'leak.txt'));
    const folder = workspace();
    const result = await runTemplate({ template, values: {}, workspace: folder }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(result.error).toMatch(/leak.txt in the skeleton is a link to .*secret.txt, outside it; refused/);
    expect(existsSync(path.join(folder, 'a.txt'))).toBe(false);
  });

  it('refuses a .git folder in the skeleton, a skeleton folder that links out of the template, and a link loop', async () => {
    expect((await fetchRun({}, { '.git/hooks/pre-commit': '#!/bin/sh\ntouch /tmp/pwned\n' })).result.error).toMatch(/holds \.git: a \.git folder would configure the repository/);
    expect((await fetchRun({ values: { name: '.git' } }, { '${{ values.name }}/config': '[core]' })).result.error).toMatch(/inside a \.git folder; nothing was written/);

    const outside = mkdtempSync(path.join(scratch, 'outside-'));
    writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    const linked = templateIn({ steps: [{ id: 'fetch', action: 'fetch:template', input: { url: './linked' } }] });
    symlinkSync(outside, path.join(linked.folder, 'linked'));
    const escaped = await runTemplate({ template: linked.template, values: {}, workspace: workspace() }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(escaped.error).toMatch(/url \.\/linked is a link out of the template's folder/);

    const looped = templateIn({ steps: [{ id: 'fetch', action: 'fetch:template', input: { url: './skeleton' } }] }, { 'a.txt': 'x' });
    symlinkSync(path.join(looped.folder, 'skeleton'), path.join(looped.folder, 'skeleton', 'again'));
    const loop = await runTemplate({ template: looped.template, values: {}, workspace: workspace() }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(loop.error).toMatch(/a link loop\); refused/);
  });

  it('keeps the mode of an executable file', async () => {
    const { template, folder: templateFolder } = templateIn({ steps: [{ id: 'fetch', action: 'fetch:template', input: { url: './skeleton' } }] }, { 'run.sh': '#!/bin/sh\n' });
    const script = path.join(templateFolder, 'skeleton', 'run.sh');
    await import('node:fs').then((fs) => fs.chmodSync(script, 0o755));
    const folder = workspace();
    await runTemplate({ template, values: {}, workspace: folder }, new ActionRegistry(BUILT_IN_ACTIONS));
    expect(statSync(path.join(folder, 'run.sh')).mode & 0o777).toBe(0o755);
  });
});
