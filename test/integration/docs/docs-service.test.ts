import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogService, type CatalogService } from '../../../src/catalog/catalog-service.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/client.js';
import { createDocsService, type DocsService } from '../../../src/docs/docs-service.js';
import { MAX_PAGE_BYTES } from '../../../src/docs/mkdocs-site.js';
import { createLogger } from '../../../src/logger.js';
import { createTestDatabase } from '../../support/test-database.js';

const folder = mkdtempSync(path.join(tmpdir(), 'callboard-docs-'));
const write = (file: string, content: string | Buffer) => {
  mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
  writeFileSync(path.join(folder, file), content);
};

/** The catalog files under `root`, refreshed into a database of their own, and a docs service over them; all closed after `use`. */
async function withLocalCatalog(root: string, use: (docs: DocsService) => Promise<void>, backstageUrl?: string): Promise<void> {
  const database = await createTestDatabase('pglite');
  const local = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'silent' }) });
  try {
    await local.refresh([{ key: `file:${root}`, type: 'file', target: root }]);
    await use(createDocsService({ catalog: local, ...(backstageUrl ? { backstageUrl } : {}) }));
  } finally {
    await local.whenIdle();
    await database.close();
  }
}

describe('docs read from the catalog files\' folders, sectioned and searched', () => {
  let database: Database;
  let catalog: CatalogService;
  let docs: DocsService;

  beforeAll(async () => {
    write(
      'ledger/catalog-info.yaml',
      `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  title: Ledger
  annotations:
    backstage.io/techdocs-ref: dir:.
  links: [{ url: 'https://runbooks.acme.test/ledger', title: Runbook }]
spec: { type: service, lifecycle: production, owner: payments }
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: ledger-api
  annotations: { backstage.io/techdocs-entity: component:ledger }
spec: { type: openapi, lifecycle: production, owner: payments, definition: 'openapi: 3.0.0' }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: undocumented }
spec: { type: service, lifecycle: production, owner: payments }
`,
    );
    write('ledger/mkdocs.yml', 'site_name: Ledger docs\nnav:\n  - Home: index.md\n  - Operations:\n      - Backups: ops/backups.md\n      - Gone: ops/gone.md\n  - Binary: binary.md\n  - Huge: huge.md\n  - Escape: ../../secrets.md\n');
    write('ledger/docs/index.md', '# Ledger\n\nDouble-entry bookkeeping for payments.\n\n## Closing the books\n\nThe books close at midnight UTC.\n');
    write('ledger/docs/ops/backups.md', '# Backups\n\n## Restore a backup\n\nRestore with `ledgerctl restore --at TIME`; it takes about ten minutes.\n');
    write('ledger/docs/binary.md', Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    write('ledger/docs/huge.md', 'x'.repeat(MAX_PAGE_BYTES + 1));
    write('secrets.md', '# Secret\n\nnot to be read\n');
    database = await createTestDatabase('pglite');
    catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'silent' }) });
    await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
    docs = createDocsService({ catalog });
  });
  afterAll(async () => {
    await catalog?.whenIdle();
    await database?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('indexes the pages that can be read, and names each that cannot as a problem on its entity', async () => {
    const { sites, sections, problems } = await docs.refresh();
    expect(sites).toBe(1);
    expect(sections).toBe(4);
    expect(problems.map((problem) => [problem.entity, problem.message.replace(folder, '')])).toEqual([
      ['component:default/ledger', 'mkdocs.yml: the nav names ../../secrets.md, which is outside the docs folder'],
      ['component:default/ledger', 'docs/ops/gone.md: the nav names this page, and it is not there'],
      ['component:default/ledger', 'docs/binary.md: not UTF-8 text'],
      ['component:default/ledger', `docs/huge.md: ${MAX_PAGE_BYTES + 1} bytes, more than the ${MAX_PAGE_BYTES} a page may have to be indexed`],
    ]);
  });

  it("answers an entity with its links and contents, a borrower with its lender's, and says what an entity without docs lacks", async () => {
    await docs.refresh();
    const ledger = docs.answer('ledger');
    expect(ledger.entity).toBe('component:default/ledger');
    expect(ledger.links).toEqual([
      { title: 'Ledger docs', url: `file://${folder}/ledger/docs/index.md` },
      { title: 'Runbook', url: 'https://runbooks.acme.test/ledger' },
    ]);
    expect(ledger.toc.map(({ title, level }) => [title, level])).toEqual([
      ['Home', 1],
      ['Closing the books', 2],
      ['Backups', 2],
      ['Restore a backup', 3],
    ]);
    expect(docs.answer('ledger-api').toc).toEqual(ledger.toc);
    expect(docs.answer('undocumented').problems[0]).toContain('backstage.io/techdocs-ref');
  });

  it('finds the sections that answer a question, across pages, with a snippet and the anchor', async () => {
    await docs.refresh();
    const answer = docs.answer('how do I restore a backup?');
    expect(answer.entity).toBeNull();
    expect(answer.sections[0]).toMatchObject({ entity: 'component:default/ledger', page: 'Backups', heading: 'Restore a backup', url: `file://${folder}/ledger/docs/ops/backups.md#restore-a-backup` });
    expect(answer.sections[0]!.snippet).toContain('ledgerctl restore');
    // A page edited between refreshes is read again.
    write('ledger/docs/ops/backups.md', '# Backups\n\n## Restore from the archive\n\nUse the archive bucket.\n');
    await docs.refresh();
    expect(docs.answer('restore archive').sections[0]).toMatchObject({ heading: 'Restore from the archive' });
  });
});

describe('docs that try to leave their folder', () => {
  it('reads nothing through a docs folder that is a link out of the catalog folder, and survives an alias bomb in mkdocs.yml', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'callboard-docs-escape-'));
    const outside = mkdtempSync(path.join(tmpdir(), 'callboard-docs-outside-'));
    try {
      mkdirSync(path.join(root, 'svc'), { recursive: true });
      writeFileSync(path.join(outside, 'mkdocs.yml'), 'site_name: Stolen\n');
      mkdirSync(path.join(outside, 'docs'));
      writeFileSync(path.join(outside, 'docs', 'index.md'), '# Secret\n\nTOKEN=supersecret\n');
      symlinkSync(outside, path.join(root, 'svc', 'site'));
      const bomb = ['a0: &a0 [x.md]', ...Array.from({ length: 8 }, (_, level) => `a${level + 1}: &a${level + 1} [${Array.from({ length: 10 }, () => `*a${level}`).join(', ')}]`), 'nav: [*a8]'].join('\n');
      mkdirSync(path.join(root, 'bomb'));
      writeFileSync(path.join(root, 'bomb', 'mkdocs.yml'), `${bomb}\n`);
      const entity = (name: string, dir: string) => `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n  annotations: { backstage.io/techdocs-ref: 'dir:${dir}' }\nspec: { type: service, lifecycle: production, owner: team }\n`;
      writeFileSync(path.join(root, 'svc', 'catalog-info.yaml'), entity('svc', './site'));
      writeFileSync(path.join(root, 'bomb', 'catalog-info.yaml'), entity('bomb', '.'));
      await withLocalCatalog(root, async (docs) => {
      const { sections } = await docs.refresh();
      expect(sections).toBe(0);
      expect(docs.answer('supersecret').sections).toEqual([]);
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  }, 30_000);

  it('reads an mkdocs.yml written for MkDocs Material, tags and all, and never waits on a page that is a pipe', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'callboard-docs-material-'));
    try {
      const site = path.join(root, 'svc');
      mkdirSync(path.join(site, 'docs'), { recursive: true });
      writeFileSync(
        path.join(site, 'mkdocs.yml'),
        'site_name: Service docs\nrepo_url: !ENV [REPO_URL, "https://example.test"]\ntheme:\n  name: material\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\nnav:\n  - Home: index.md\n  - Pipe: pipe.md\n',
      );
      writeFileSync(path.join(site, 'docs', 'index.md'), '# Service\n\n## Rotate the keys\n\nRun `keyctl rotate`.\n');
      execFileSync('mkfifo', [path.join(site, 'docs', 'pipe.md')]);
      writeFileSync(path.join(site, 'catalog-info.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations: { backstage.io/techdocs-ref: dir:. }\nspec: { type: service, lifecycle: production, owner: team }\n');
      await withLocalCatalog(root, async (docs) => {
      const { sections, problems } = await docs.refresh();
      expect(sections).toBe(2);
      expect(problems.map((problem) => problem.message)).toEqual(['docs/pipe.md: the nav names this page, and it is not there']);
      expect(docs.answer('svc').links[0]).toMatchObject({ title: 'Service docs' });
      expect(docs.answer('rotate keys').sections[0]).toMatchObject({ heading: 'Rotate the keys' });
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("takes a README.md as its folder's home page where there is no index.md, and leaves it out where there is, as MkDocs does", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'callboard-docs-readme-'));
    try {
      const site = path.join(root, 'svc');
      mkdirSync(path.join(site, 'docs', 'guides'), { recursive: true });
      writeFileSync(path.join(site, 'docs', 'README.md'), '# Service handbook\n\n## Getting started\n\nClone it.\n');
      writeFileSync(path.join(site, 'docs', 'guides', 'index.md'), '# Guides\n\n## Deploying\n\nPush to main.\n');
      writeFileSync(path.join(site, 'docs', 'guides', 'README.md'), '# Shadowed\n\n## Never indexed\n\nMkDocs leaves this out.\n');
      writeFileSync(path.join(site, 'catalog-info.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations: { backstage.io/techdocs-ref: dir:. }\nspec: { type: service, lifecycle: production, owner: team }\n');
      await withLocalCatalog(root, async (docs) => {
      const { problems } = await docs.refresh();
      expect(problems).toEqual([]);
      const answer = docs.answer('svc');
      expect(answer.toc.map((entry) => entry.title)).toEqual(['Service handbook', 'Getting started', 'Guides', 'Deploying']);
      expect(answer.toc[0]!.url).toBe('https://backstage.acme.test/docs/default/component/svc/');
      expect(docs.answer('never indexed').sections).toEqual([]);
      }, 'https://backstage.acme.test');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
