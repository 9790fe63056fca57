import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';
import { blobSha, startFakeGitHub } from '../../support/fake-github-server.js';

const HOST = 'ghe.acme.test';
const NOT_UTF8 = Buffer.from([0xff, 0xfe, 0x41]);

const component = (name: string, annotations: Record<string, string>) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n  annotations:\n${Object.entries(annotations)
    .map(([key, value]) => `    ${key}: '${value}'`)
    .join('\n')}\nspec: { type: service, lifecycle: production, owner: payments }\n`;

/** Any TCP connection at all: a request by any client, over http or https, would open one first. */
async function startRecordingServer() {
  const connections: string[] = [];
  const server: Server = createServer((socket) => {
    connections.push(`${socket.remoteAddress}:${socket.remotePort}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('docs named by url: refs and source locations, read through Octokit from the configured hosts only', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let elsewhere: Awaited<ReturnType<typeof startRecordingServer>>;
  let context: AppContext;

  beforeAll(async () => {
    elsewhere = await startRecordingServer();
    const secretSite = { 'mkdocs.yml': 'site_name: Secret\n', 'docs/index.md': '# Secret\n\n## Classified\n\nTOKEN=supersecret\n' };
    github = await startFakeGitHub({
      acme: {
        catalog: {
          files: {
            'catalog-info.yaml': [
              component('handbook-service', { 'backstage.io/techdocs-ref': `url:https://${HOST}/acme/handbook/tree/main/docs-folder` }),
              // The same owner and repository as one the integration can read: only the host says where it is.
              component('elsewhere-url', { 'backstage.io/techdocs-ref': `url:https://${elsewhere.host}/acme/secret-docs/tree/main/docs-folder` }),
              component('elsewhere-source', { 'backstage.io/techdocs-ref': 'dir:.', 'backstage.io/source-location': `url:https://${elsewhere.host}/acme/secret-docs/tree/main/` }),
              component('ledger', { 'backstage.io/techdocs-ref': `url:https://${HOST}/acme/ledger/tree/main/` }),
            ].join('---\n'),
          },
        },
        handbook: {
          files: {
            'README.md': '# Handbook\n',
            'docs-folder/mkdocs.yml': 'site_name: Handbook\nnav:\n  - Home: index.md\n  - On call: oncall.md\n',
            'docs-folder/docs/index.md': '# Handbook\n\nHow the payments team works.\n',
            'docs-folder/docs/oncall.md': '# On call\n\n## Page the secondary\n\nEscalate after fifteen minutes without an acknowledgement.\n',
          },
        },
        'secret-docs': { files: { ...secretSite, ...Object.fromEntries(Object.entries(secretSite).map(([path, content]) => [`docs-folder/${path}`, content])) } },
        ledger: {
          files: {
            'mkdocs.yml': 'site_name: Ledger\nnav:\n  - Home: index.md\n  - Legacy: legacy.md\n  - Runbook: runbook.md\n',
            'docs/index.md': '# Ledger\n\nDouble-entry bookkeeping.\n',
            'docs/legacy.md': NOT_UTF8,
            'docs/runbook.md': '# Runbook\n\n## Reconcile the accounts\n\nRun `ledgerctl reconcile` at month end.\n',
          },
        },
      },
    });
    const config = loadConfig({ files: [], env: {} });
    config.integrations.github = [{ host: HOST, apiBaseUrl: github.baseUrl, token: 'ghs_test' }];
    config.catalog.locations = [{ type: 'url', target: `https://${HOST}/acme/catalog/blob/main/catalog-info.yaml` }];
    context = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true });
    await context.catalog.refresh();
  });
  afterAll(async () => {
    await context?.close();
    await github?.close();
    await elsewhere?.close();
  });

  it('reads a url: folder of a repository on a configured host, and links its pages there', async () => {
    const { problems } = await context.docs.refresh();
    expect(problems.filter((problem) => problem.entity === 'component:default/handbook-service')).toEqual([]);
    const answer = context.docs.answer('handbook-service');
    expect(answer.links[0]).toEqual({ title: 'Handbook', url: `https://${HOST}/acme/handbook/blob/main/docs-folder/docs/index.md` });
    expect(answer.toc.map(({ title, level }) => [title, level])).toEqual([
      ['Home', 1],
      ['On call', 1],
      ['Page the secondary', 2],
    ]);
    expect(context.docs.answer('when do I page the secondary').sections[0]).toMatchObject({
      entity: 'component:default/handbook-service',
      heading: 'Page the secondary',
      url: `https://${HOST}/acme/handbook/blob/main/docs-folder/docs/oncall.md#page-the-secondary`,
    });
    // Only the docs folder is read: the README beside it is not fetched.
    expect(github.requests.some((request) => request.includes(`/git/blobs/${blobSha('# Handbook\n')}`))).toBe(false);
  });

  it('fetches nothing from a host that is not among integrations.github, and names the host on the entity', async () => {
    const { problems } = await context.docs.refresh();
    const refused = `the docs are on ${elsewhere.host}, which is not among integrations.github, so they are not read: add the host there (with a token) to index them`;
    expect(problems.filter((problem) => problem.entity.startsWith('component:default/elsewhere'))).toEqual([
      { entity: 'component:default/elsewhere-url', file: `https://${elsewhere.host}/acme/secret-docs/tree/main/docs-folder`, message: refused },
      { entity: 'component:default/elsewhere-source', file: `https://${elsewhere.host}/acme/secret-docs/tree/main/`, message: refused },
    ]);
    expect(elsewhere.connections).toEqual([]);
    // Nor was the configured host asked in its place for a repository of the same name.
    expect(github.requests.filter((request) => request.includes('/secret-docs'))).toEqual([]);
    expect(context.docs.answer('classified supersecret').sections).toEqual([]);
    expect(context.docs.answer('elsewhere-url').problems).toEqual([refused]);
  });

  it('names a page that is not UTF-8 as a problem on its entity, and indexes the other pages of the site', async () => {
    const first = await context.docs.refresh();
    const ledger = (problems: typeof first.problems) => problems.filter((problem) => problem.entity === 'component:default/ledger');
    expect(ledger(first.problems)).toEqual([{ entity: 'component:default/ledger', file: `https://${HOST}/acme/ledger/tree/main/`, message: 'docs/legacy.md: not UTF-8 text' }]);
    // The page's bytes came through the blob API as they are: read, then refused as text.
    expect(github.requests.some((request) => request.endsWith(`/repos/acme/ledger/git/blobs/${blobSha(NOT_UTF8)}`))).toBe(true);
    expect(context.docs.answer('ledger').toc.map((entry) => entry.title)).toEqual(['Home', 'Runbook', 'Reconcile the accounts']);
    expect(context.docs.answer('reconcile the accounts').sections[0]).toMatchObject({
      entity: 'component:default/ledger',
      heading: 'Reconcile the accounts',
      url: `https://${HOST}/acme/ledger/blob/main/docs/runbook.md#reconcile-the-accounts`,
    });
    expect(context.docs.answer('double-entry bookkeeping').sections[0]).toMatchObject({ entity: 'component:default/ledger', page: 'Home' });
    // A later refresh still says so, rather than forgetting the page.
    expect(ledger((await context.docs.refresh()).problems)).toEqual(ledger(first.problems));
    expect(context.docs.problems()).toContainEqual({ severity: 'warning', file: `https://${HOST}/acme/ledger/tree/main/`, ref: 'component:default/ledger', message: 'docs: docs/legacy.md: not UTF-8 text' });
  });
});
