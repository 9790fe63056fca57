import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCatalogService } from '../../../src/catalog/catalog-service.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { OctokitGitHubClient } from '../../../src/github/octokit-github-client.js';
import { createLogger } from '../../../src/logger.js';
import { builtInActions } from '../../../src/scaffolder/actions/built-in.js';
import { ActionRegistry } from '../../../src/scaffolder/actions/registry.js';
import { runTemplate } from '../../../src/scaffolder/run-template.js';
import type { TemplateDefinition } from '../../../src/scaffolder/template-definition.js';
import { startFakeGitHub } from '../../support/fake-github-server.js';
import { templateFolder, templateHead } from '../../support/template-folder.js';
import { createTestDatabase } from '../../support/test-database.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-publish-github-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function serviceTemplate(publishInput: Record<string, unknown> = {}): Promise<TemplateDefinition> {
  const input = JSON.stringify({ repoUrl: '${{ parameters.repoUrl }}', description: 'The ${{ parameters.name }} service', defaultBranch: 'main', repoVisibility: 'internal', topics: ['go'], access: 'acme/platform', ...publishInput });
  const { folder, template } = await templateFolder(
    scratch,
    `${templateHead('service')}  parameters: [{ required: [name, repoUrl], properties: { name: { type: string }, repoUrl: { type: string } } }]
  steps:
    - { id: fetch, action: 'fetch:template', input: { url: ./skeleton, values: { name: '\${{ parameters.name }}' } } }
    - { id: publish, action: 'publish:github', input: ${input} }
    - { id: register, action: 'catalog:register', input: { repoContentsUrl: "\${{ steps['publish'].output.repoContentsUrl }}" } }
`,
    {
      'skeleton/catalog-info.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name | dump }}\nspec: { type: service, lifecycle: experimental, owner: group:default/platform }\n',
      'skeleton/run.sh': '#!/bin/sh\necho ${{ values.name }}\n',
    },
  );
  chmodSync(path.join(folder, 'skeleton', 'run.sh'), 0o755);
  return template;
}

/** GitHub asks for a second between writes, and Octokit keeps to it: cases not about these settings leave them out. */
const FEWER_WRITES = { topics: [], access: undefined, protectDefaultBranch: false };

describe('publish:github through Octokit against a loopback GitHub', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let client: OctokitGitHubClient;
  beforeEach(async () => {
    github = await startFakeGitHub({ acme: { taken: { files: {} } } }, ['ada', 'grace']);
    client = new OctokitGitHubClient({ baseUrl: github.baseUrl, token: 'ghp_test', retries: 2, retryBaseMs: 1 });
  });
  afterEach(() => github.close());

  const run = async (template: TemplateDefinition, values: Record<string, unknown>, timeoutMs?: number) => {
    const database = await createTestDatabase('pglite');
    const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => client, logger: createLogger({ level: 'silent' }) });
    const actions = new ActionRegistry(builtInActions({ catalog, localRepositories: path.join(scratch, 'local'), github: (host) => (host === 'github.com' ? client : undefined) }));
    try {
      const result = await runTemplate({ template, values, workspace: mkdtempSync(path.join(scratch, 'workspace-')), timeoutMs }, actions);
      return { result, whoOwns: (query: string) => catalog.whoOwns(query) };
    } finally {
      await database.close();
    }
  };
  const writes = () => github.bodies.map((request) => `${request.method} ${request.path}`);

  it('creates the repository in the organisation with one commit of the workspace, its topics, team and protection, and registers it', async () => {
    const { result, whoOwns } = await run(await serviceTemplate(), { name: 'ledger', repoUrl: 'github.com?owner=acme&repo=ledger' });
    expect(result.error).toBeUndefined();
    // Registered from GitHub, read back through the same API: answered as soon as the step ended.
    expect(whoOwns('ledger')).toMatchObject({ match: { ref: 'component:default/ledger' }, owner: { ref: 'group:default/platform' } });
    const repo = github.orgs.acme!.ledger!;
    expect(repo.settings).toMatchObject({ name: 'ledger', description: 'The ledger service', visibility: 'internal', private: true, auto_init: true });
    // One commit, with no parent: GitHub's own first commit is replaced.
    expect(repo.history).toHaveLength(1);
    expect(repo.history![0]).toMatchObject({ message: 'initial commit', parents: [] });
    expect(repo.history![0]!.files).toEqual({
      'catalog-info.yaml': { content: expect.stringContaining('name: "ledger"'), mode: '100644' },
      'run.sh': { content: '#!/bin/sh\necho ledger\n', mode: '100755' },
    });
    expect(repo.topics).toEqual(['go']);
    expect(repo.access).toEqual({ 'acme/platform': 'admin' });
    expect(repo.protection?.main).toMatchObject({ enforce_admins: true, required_pull_request_reviews: { required_approving_review_count: 1 } });
    expect(result.steps.map((step) => step.status)).toEqual(['completed', 'completed', 'completed']);
    const register = result.steps[2]!.log.join('\n');
    expect(register).toContain('registered https://github.com/acme/ledger/blob/main/catalog-info.yaml: component:default/ledger');
  });

  it('makes another default branch the repository default, with the one commit', async () => {
    const { result } = await run(await serviceTemplate({ ...FEWER_WRITES, defaultBranch: 'trunk' }), { name: 'ledger', repoUrl: 'github.com?owner=acme&repo=ledger' });
    expect(result.error).toBeUndefined();
    const repo = github.orgs.acme!.ledger!;
    expect(repo.defaultBranch).toBe('trunk');
    expect(Object.keys(repo.refs!)).toEqual(['trunk']);
    expect(repo.history).toHaveLength(1);
    expect(repo.protection).toBeUndefined();
  });

  it('refuses a repository that exists already before writing anything to GitHub', async () => {
    const { result } = await run(await serviceTemplate(), { name: 'taken', repoUrl: 'github.com?owner=acme&repo=taken' });
    expect(result.error).toBe('step publish (publish:github) failed: the repository acme/taken exists already on github.com; pick another name');
    expect(writes()).toEqual([]);
  });

  it('goes on with the repository when GitHub created it but its answer was lost (a 502), never posting it again', async () => {
    github.fail({ match: /^\/orgs\/acme\/repos$/, method: 'POST', status: 502, afterHandling: true, times: 1 });
    const { result } = await run(await serviceTemplate(FEWER_WRITES), { name: 'ledger', repoUrl: 'github.com?owner=acme&repo=ledger' });
    expect(result.error).toBeUndefined();
    expect(writes().filter((request) => request === 'POST /orgs/acme/repos')).toHaveLength(1);
    expect(Object.keys(github.orgs.acme!).sort()).toEqual(['ledger', 'taken']);
    expect(result.steps[1]!.log).toContain('GitHub had created acme/ledger on an attempt whose answer was lost; going on with it');
    expect(github.orgs.acme!.ledger!.history).toHaveLength(1);
  });

  it('retries a creation whose 502 made nothing, and refuses one another run made meanwhile (a 422), taking nothing over', async () => {
    github.fail({ match: /^\/orgs\/acme\/repos$/, method: 'POST', status: 502, times: 1 });
    const retried = await run(await serviceTemplate(FEWER_WRITES), { name: 'ledger', repoUrl: 'github.com?owner=acme&repo=ledger' });
    expect(retried.result.error).toBeUndefined();
    expect(writes().filter((request) => request === 'POST /orgs/acme/repos')).toHaveLength(2);
    // Someone else's run made the name between our check and our creation.
    github.fail({ match: /^\/orgs\/acme\/repos$/, method: 'POST', status: 422, message: 'Repository creation failed.', times: 1 });
    const before = JSON.stringify(github.orgs.acme);
    const raced = await run(await serviceTemplate(FEWER_WRITES), { name: 'other', repoUrl: 'github.com?owner=acme&repo=other' });
    expect(raced.result.error).toBe('step publish (publish:github) failed: the repository acme/other exists already (created meanwhile); pick another name');
    expect(JSON.stringify(github.orgs.acme)).toBe(before);
  });

  it('stops writing to GitHub when the run is stopped in the middle of publishing', async () => {
    const { result } = await run(await serviceTemplate(FEWER_WRITES), { name: 'ledger', repoUrl: 'github.com?owner=acme&repo=ledger' }, 1_500);
    expect(result.error).toMatch(/^step publish \(publish:github\) failed: the run took longer than 1500 ms and was stopped/);
    const written = writes().length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(writes().length).toBe(written);
    expect(github.orgs.acme!.ledger!.history).toEqual([expect.objectContaining({ message: 'Initial commit' })]);
  });

  it("creates for the token's own user, and refuses another user's account", async () => {
    const { result } = await run(await serviceTemplate(FEWER_WRITES), { name: 'mine', repoUrl: 'github.com?owner=ada&repo=mine' });
    expect(result.error).toBeUndefined();
    expect(writes()).toContain('POST /user/repos');
    expect(github.orgs.ada!.mine!.history).toHaveLength(1);
    const other = await run(await serviceTemplate(FEWER_WRITES), { name: 'theirs', repoUrl: 'github.com?owner=grace&repo=theirs' });
    expect(other.result.error).toMatch(/grace is a user other than the token's \(ada\)/);
    expect(writes().filter((request) => request.includes('theirs'))).toEqual([]);
  });

  it('finishes without branch protection when GitHub refuses it (a plan without it), saying so', async () => {
    github.fail({ match: /\/branches\/main\/protection$/, status: 403, message: 'Upgrade to GitHub Pro or make this repository public to enable this feature.' });
    const { result } = await run(await serviceTemplate({ topics: [], access: undefined }), { name: 'ledger', repoUrl: 'github.com?owner=acme&repo=ledger' });
    expect(result.error).toBeUndefined();
    expect(result.steps[1]!.log.some((line) => line.startsWith('warning: main was not protected'))).toBe(true);
  });
});
