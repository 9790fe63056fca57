import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCatalogFiles, type FolderCache, type FolderListings } from '../../../src/catalog/ingestion/local-files.js';

describe('listing a folder of catalog files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'callboard-walk-'));
    // 300 folders, nested three deep, with skipped folders, other files and links among them.
    for (let team = 0; team < 10; team++) {
      for (let service = 0; service < 30; service++) {
        const folder = path.join(root, `team-${team}`, `service-${service}`);
        mkdirSync(path.join(folder, 'node_modules', 'dep'), { recursive: true });
        mkdirSync(path.join(folder, '.git'), { recursive: true });
        writeFileSync(path.join(folder, 'catalog-info.yaml'), 'kind: Component\n');
        writeFileSync(path.join(folder, 'README.md'), '#\n');
        writeFileSync(path.join(folder, 'node_modules', 'dep', 'catalog-info.yaml'), 'kind: Component\n');
        writeFileSync(path.join(folder, '.git', 'x.yaml'), 'x\n');
      }
      symlinkSync(path.join(root, `team-${team}`, 'service-0', 'catalog-info.yaml'), path.join(root, `team-${team}`, 'linked.yml'));
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const listed = (previous?: FolderCache): FolderListings => ({ previous, listed: new Map(), counts: { walked: 0, listed: 0 } });

  it('finds the same files, sorted, and records the same listings whether folders are listed one at a time or many at once', async () => {
    const oneAtATime = listed();
    const manyAtOnce = listed();
    // Every listing counts as slow: after the first few, the walk lists many at once.
    const found = await listCatalogFiles(root, oneAtATime);
    const foundConcurrently = await listCatalogFiles(root, manyAtOnce, { slowListingMs: -1 });
    expect(found).toHaveLength(310);
    expect(foundConcurrently).toEqual(found);
    expect(found.map((file) => file.path)).toEqual([...found.map((file) => file.path)].sort());
    expect(found.filter((file) => file.symlink).map((file) => path.basename(file.path))).toEqual(Array(10).fill('linked.yml'));
    expect(found.some((file) => file.path.includes('node_modules') || file.path.includes('.git'))).toBe(false);
    expect(manyAtOnce.counts).toEqual(oneAtATime.counts);
    expect(new Map([...manyAtOnce.listed].sort())).toEqual(new Map([...oneAtATime.listed].sort()));
  });

  it('names the folder it could not list, either way', async () => {
    const missing = path.join(root, 'no-such-folder');
    await expect(listCatalogFiles(missing, listed())).rejects.toThrow(/no-such-folder/);
    await expect(listCatalogFiles(missing, listed(), { slowListingMs: -1 })).rejects.toThrow(/no-such-folder/);
  });
});
