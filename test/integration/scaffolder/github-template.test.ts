import { statSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';
import { findTemplate } from '../../../src/scaffolder/template-library.js';
import { startFakeGitHub } from '../../support/fake-github-server.js';

const TEMPLATE = (name: string, skeleton: string) => `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: { name: ${name} }
spec:
  owner: platform-team
  type: service
  parameters:
    - required: [name]
      properties: { name: { type: string, ui:field: EntityNamePicker } }
  steps:
    - { id: fetch, action: fetch:template, input: { url: ${skeleton}, values: { name: '\${{ parameters.name }}' } } }
    - { id: publish, action: publish:local, input: { repoUrl: 'github.com?owner=acme&repo=\${{ parameters.name }}' } }
    - { id: register, action: catalog:register, input: { repoContentsUrl: "\${{ steps['publish'].output.repoContentsUrl }}", catalogInfoPath: /catalog-info.yaml } }
`;

describe("templates the catalog read from GitHub, with their skeletons read from the same repository", () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let context: AppContext;
  const out = mkdtempSync(path.join(tmpdir(), 'callboard-github-template-'));

  beforeAll(async () => {
    github = await startFakeGitHub({
      acme: {
        templates: {
          files: {
            'service/template.yaml': TEMPLATE('remote-service', './skeleton'),
            'service/skeleton/catalog-info.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name | dump }}\nspec:\n  type: service\n  lifecycle: experimental\n  owner: platform-team\n',
            'service/skeleton/README.md': '# ${{ values.name }}\n',
            'service/skeleton/bin/start.sh': '#!/bin/sh\necho ${{ values.name }}\n',
            'climber/template.yaml': TEMPLATE('climber', '../service/skeleton'),
          },
          modes: { 'service/skeleton/bin/start.sh': '100755' },
        },
      },
    });
    const config = loadConfig({ files: [], env: { GITHUB_API_URL: github.baseUrl, GITHUB_TOKEN: 'ghp_test' } });
    config.catalog.locations = ['service', 'climber'].map((folder) => ({ type: 'url', target: `https://github.com/acme/templates/blob/main/${folder}/template.yaml` }));
    config.callboard.scaffolder.localRepositories = out;
    context = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true });
    await context.catalog.refresh();
  });
  afterAll(async () => {
    await context?.close();
    await github?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('renders the skeleton read through Octokit, keeps executables executable, and registers the result', async () => {
    const template = findTemplate((await context.scaffolder.templates()).templates, 'remote-service')!;
    expect(template.base).toEqual({ type: 'url', url: 'https://github.com/acme/templates/blob/main/service/' });
    const { run, files } = await context.scaffolder.run({ template, values: { name: 'from-github' } });
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    expect(run.steps[0]!.log).toEqual(['rendered 3 file(s) from https://github.com/acme/templates/blob/main/service/skeleton']);
    expect(files.sort()).toEqual(['README.md', 'bin/start.sh', 'catalog-info.yaml']);
    const repository = path.join(out, 'acme', 'from-github');
    expect(readFileSync(path.join(repository, 'bin', 'start.sh'), 'utf8')).toBe('#!/bin/sh\necho from-github\n');
    expect(statSync(path.join(repository, 'bin', 'start.sh')).mode & 0o111).not.toBe(0);
    expect(context.catalog.whoOwns('from-github').match?.ref).toBe('component:default/from-github');
    expect(github.requests.some((request) => request.startsWith('GET /repos/acme/templates/git/blobs/'))).toBe(true);
    // Only the skeleton's own tree is listed whole, never the repository's: a monorepo's would pass GitHub's limit.
    const trees = github.requests.filter((request) => request.includes('/git/trees/'));
    expect(trees.filter((request) => request.includes('recursive'))).toHaveLength(1);
    expect(trees.find((request) => request.includes('recursive'))).not.toContain('/git/trees/main');
  });

  it("refuses a skeleton outside the template's own folder before reading it", async () => {
    const template = findTemplate((await context.scaffolder.templates()).templates, 'climber')!;
    const { run } = await context.scaffolder.run({ template, values: { name: 'climbed' } });
    expect(run.status).toBe('failed');
    expect(run.error).toContain("leaves the template's folder");
  });
});
