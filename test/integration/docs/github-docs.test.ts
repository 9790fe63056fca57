import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';
import { MAX_PAGE_BYTES } from '../../../src/docs/mkdocs-site.js';
import { blobSha, startFakeGitHub } from '../../support/fake-github-server.js';

const ledgerFiles: Record<string, string> = {
  'catalog-info.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n    backstage.io/source-location: url:https://github.com/acme/ledger/tree/main/\nspec: { type: service, lifecycle: production, owner: payments }\n',
  'mkdocs.yml': 'site_name: Ledger\nnav:\n  - Home: index.md\n  - Operations: ops/index.md\n',
  'docs/index.md': '# Ledger\n\nBookkeeping.\n',
  'docs/ops/index.md': '# Operations\n\n## Restore a backup\n\nRun `ledgerctl restore`.\n',
  'src/main.ts': 'export {};\n',
};

describe('docs read from a GitHub repository through Octokit', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let context: AppContext;

  beforeAll(async () => {
    github = await startFakeGitHub({
      acme: {
        ledger: { files: ledgerFiles },
      },
    });
    const config = loadConfig({ files: [], env: { GITHUB_API_URL: github.baseUrl, GITHUB_TOKEN: 'ghp_test' } });
    config.catalog.locations = [{ type: 'url', target: 'https://github.com/acme/ledger/blob/main/catalog-info.yaml' }];
    context = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true });
    await context.catalog.refresh();
  });
  afterAll(async () => {
    await context?.close();
    await github?.close();
  });

  it('reads the site beside the catalog file in its repository, and does not fetch an unchanged page again', async () => {
    const first = await context.docs.refresh();
    expect(first).toMatchObject({ sites: 1, sections: 3, problems: [] });
    expect(context.docs.answer('restore backup').sections[0]).toMatchObject({ heading: 'Restore a backup', url: 'https://github.com/acme/ledger/blob/main/docs/ops/index.md#restore-a-backup' });
    const blobsRead = () => github.requests.filter((request) => request.includes('/git/blobs/')).length;
    const before = blobsRead();
    expect(before).toBe(3);
    await context.docs.refresh();
    // The tree is listed again; mkdocs.yml and the pages, unchanged, are not fetched.
    expect(blobsRead()).toBe(before);
  });

  it('keeps what it read when GitHub fails, and says so on the entity', async () => {
    github.fail({ match: /\/git\/trees\//, status: 500, times: 10 });
    const { problems } = await context.docs.refresh();
    github.clearFailures();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ entity: 'component:default/ledger', message: expect.stringContaining('the last ones read are kept') });
    expect(context.docs.answer('restore backup').sections).toHaveLength(1);
  });

  it('keeps the other pages when one page cannot be fetched, and names that page', async () => {
    github.fail({ match: new RegExp(`/git/blobs/${blobSha('# Ledger\n\nEdited.\n')}`), status: 404, times: 10 });
    ledgerFiles['docs/index.md'] = '# Ledger\n\nEdited.\n';
    const { problems } = await context.docs.refresh();
    github.clearFailures();
    expect(problems).toEqual([{ entity: 'component:default/ledger', file: 'https://github.com/acme/ledger/tree/main/', message: expect.stringMatching(/^docs\/index\.md: could not be read .*; the last reading is kept$/) }]);
    expect(context.docs.answer('restore backup').sections).toHaveLength(1);
    expect(context.docs.answer('bookkeeping').sections).toHaveLength(1);
  });

  it('names a page the nav lists that the repository does not have, and one too large, without fetching it', async () => {
    ledgerFiles['mkdocs.yml'] = 'site_name: Ledger\nnav:\n  - Home: index.md\n  - Operations: ops/index.md\n  - Gone: gone.md\n  - Huge: huge.md\n';
    ledgerFiles['docs/huge.md'] = 'x'.repeat(MAX_PAGE_BYTES + 1);
    const { problems } = await context.docs.refresh();
    expect(problems.map((problem) => problem.message)).toEqual(['docs/gone.md: the nav names this page, and it is not there', `docs/huge.md: ${MAX_PAGE_BYTES + 1} bytes, more than the ${MAX_PAGE_BYTES} a page may have to be indexed`]);
    expect(github.requests.some((request) => request.includes(`/git/blobs/${blobSha(ledgerFiles['docs/huge.md']!)}`))).toBe(false);
    expect(context.docs.answer('restore backup').sections).toHaveLength(1);
  });
});
