import { mkdtempSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCatalogService, type CatalogService } from '../../../src/catalog/catalog-service.js';
import type { RootLocation } from '../../../src/catalog/ingestion/ingest-locations.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/client.js';
import { captureLogger } from '../../support/capture-logger.js';
import { ENGINES, createTestDatabase } from '../../support/test-database.js';

const component = (name: string, owner = 'team-a', extra = '') => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
${extra}spec:
  type: service
  lifecycle: production
  owner: ${owner}
`;
const location = (targets: string[], type?: 'file' | 'url') => `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: all
spec:
${type ? `  type: ${type}\n` : ''}  targets: [${targets.join(', ')}]
`;
const group = (name: string) => `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: ${name}
spec:
  type: team
  children: []
`;

describe.each(ENGINES)('catalog refresh on %s', (engine) => {
  let database: Database;
  let folder: string;
  let catalog: CatalogService;
  const roots = (): RootLocation[] => [{ key: `file:${folder}`, type: 'file', target: folder }];
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), text);
  };

  beforeEach(async () => {
    database = await createTestDatabase(engine);
    folder = mkdtempSync(path.join(tmpdir(), 'callboard-catalog-'));
    catalog = createCatalogService({
      database,
      config: loadConfig({ files: [], env: {} }),
      github: () => undefined,
      logger: captureLogger().logger,
    });
  });
  afterEach(async () => {
    await database.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stores entities and relations, answers from memory and after a reload', async () => {
    write('org.yaml', group('team-a'));
    write('svc/catalog-info.yaml', `${component('payments-api')}---\n${component('billing')}`);
    const report = await catalog.refresh(roots());
    expect(report).toMatchObject({ added: 3, updated: 0, removed: 0 });
    expect(catalog.whoOwns('payments-api').owner).toMatchObject({ ref: 'group:default/team-a', exists: true });

    const reloaded = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: captureLogger().logger });
    expect(await reloaded.load()).toBe(3);
    expect(reloaded.whoOwns('team-a').owns).toEqual(['component:default/billing', 'component:default/payments-api']);
    expect(reloaded.whoOwns('payments-api').owner).toMatchObject({ ref: 'group:default/team-a', exists: true });
    // Loaded without parsing entities; the search index is built on the first search.
    expect(reloaded.find('billing').results.map((result) => result.ref)).toEqual(['component:default/billing']);
    expect(reloaded.find('kind:group').total).toBe(1);
  });

  it('reloads every entity exactly, titles holding tabs, newlines or emoji included', async () => {
    write('org.yaml', group('team-a'));
    write('a.yaml', component('payments-api', 'team-a', '  title: "Pay\\tments\\nAPI \\u00e9 💳"\n'));
    write('b.yaml', component('billing'));
    await catalog.refresh(roots());
    const reloaded = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: captureLogger().logger });
    expect(await reloaded.load()).toBe(3);
    expect(reloaded.view.refsTitled('pay\tments\napi é 💳')).toEqual(['component:default/payments-api']);
    for (const ref of ['group:default/team-a', 'component:default/payments-api', 'component:default/billing']) expect(reloaded.view.get(ref)).toEqual(catalog.view.get(ref));
    expect(reloaded.view.get('component:default/billing')?.metadata.title).toBeUndefined();
  });

  it('skips unchanged entities, shows an edit after the next refresh and removes orphans', async () => {
    write('org.yaml', `${group('team-a')}---\n${group('team-b')}`);
    write('a.yaml', component('payments-api'));
    write('b.yaml', component('billing'));
    await catalog.refresh(roots());
    expect(await catalog.refresh(roots())).toMatchObject({ added: 0, updated: 0, unchanged: 4, removed: 0 });

    write('a.yaml', component('payments-api', 'team-b'));
    rmSync(path.join(folder, 'b.yaml'));
    const report = await catalog.refresh(roots());
    expect(report).toMatchObject({ updated: 1, removed: 1 });
    expect(catalog.whoOwns('payments-api').owner?.ref).toBe('group:default/team-b');
    expect(catalog.whoOwns('team-a').owns).toEqual([]);
    expect(catalog.view.get('component:default/billing')).toBeUndefined();
    const rows = await database.db.execute(sql`select count(*)::int as n from catalog_entities where ref = 'component:default/billing'`);
    expect(JSON.stringify(rows)).toContain('"n":0');
  });

  it('skips reading files whose size, times and inode are unchanged, and still sees a same-size edit', async () => {
    write('org.yaml', `${group('team-a')}---\n${group('team-b')}`);
    write('a.yaml', component('payments-api', 'team-a'));
    // Just written: too fresh to trust their timestamps, so they are read.
    expect((await catalog.refresh(roots())).files).toEqual({ found: 2, read: 2, parsed: 2, threaded: 0 });
    expect((await catalog.refresh(roots())).files).toEqual({ found: 2, read: 2, parsed: 0, threaded: 0 });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    try {
      // A minute on, the signatures are trusted and recorded; the next refresh reads nothing.
      await catalog.refresh(roots());
      expect(await catalog.refresh(roots())).toMatchObject({ unchanged: 3, files: { found: 2, read: 0, parsed: 0 } });
      // Same size, and the modification time put back: the change time still tells.
      const before = statSync(path.join(folder, 'a.yaml'));
      write('a.yaml', component('payments-api', 'team-b'));
      utimesSync(path.join(folder, 'a.yaml'), before.atime, before.mtime);
      expect(await catalog.refresh(roots())).toMatchObject({ updated: 1, files: { found: 2, read: 1, parsed: 1 } });
      expect(catalog.whoOwns('payments-api').owner?.ref).toBe('group:default/team-b');
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists only folders that changed, and still finds files added, removed and moved at any depth', async () => {
    write('org.yaml', `${group('team-a')}---\n${group('team-b')}`);
    write('systems/pay/a.yaml', component('payments-api'));
    write('systems/bill/b.yaml', component('billing'));
    write('docs/readme.txt', 'not a catalog file');
    await catalog.refresh(roots());
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    try {
      // A minute on, every folder's signature is trusted and its listing kept.
      expect((await catalog.refresh(roots())).folders).toEqual({ walked: 5, listed: 5 });
      expect((await catalog.refresh(roots())).folders).toEqual({ walked: 5, listed: 0 });
      const refreshLater = async () => {
        vi.setSystemTime(Date.now() + 60_000);
        return catalog.refresh(roots());
      };
      write('systems/pay/c.yaml', component('checkout', 'team-b'));
      expect(await refreshLater()).toMatchObject({ added: 1, folders: { walked: 5, listed: 1 } });
      rmSync(path.join(folder, 'systems/bill/b.yaml'));
      write('systems/new/deep/d.yaml', component('ledger'));
      expect(await refreshLater()).toMatchObject({ added: 1, removed: 1, folders: { walked: 7, listed: 4 } });
      renameSync(path.join(folder, 'systems/pay'), path.join(folder, 'systems/payments'));
      const moved = await refreshLater();
      expect(moved).toMatchObject({ updated: 2, removed: 0, folders: { walked: 7, listed: 2 } });
      expect(catalog.view.get('component:default/checkout')?.metadata.annotations?.['backstage.io/managed-by-location']).toBe(`file:${path.join(folder, 'systems/payments/c.yaml')}`);
      expect(catalog.whoOwns('billing').match).toBeNull();
      expect(catalog.whoOwns('ledger').owner?.ref).toBe('group:default/team-a');
      expect((await refreshLater()).folders).toEqual({ walked: 7, listed: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  describe('when nothing but file contents changed', () => {
    const later = async () => {
      vi.setSystemTime(Date.now() + 60_000);
      return catalog.refresh(roots());
    };
    /** A catalog whose listings and signatures are trusted, so the next refresh may read only what changed. */
    const settled = async () => {
      write('org.yaml', `${group('team-a')}---\n${group('team-b')}`);
      write('systems/pay/a.yaml', component('payments-api'));
      write('systems/bill/b.yaml', `${component('billing')}---\n${component('invoices')}`);
      await catalog.refresh(roots());
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
      await catalog.refresh(roots());
    };
    afterEach(() => vi.useRealTimers());

    it('reads only the edited file, and answers with the edit', async () => {
      await settled();
      expect(await later()).toMatchObject({ incremental: true, unchanged: 5, files: { found: 3, read: 0, parsed: 0 }, folders: { walked: 4, listed: 0 } });
      write('systems/bill/b.yaml', `${component('billing', 'team-b')}---\n${component('invoices')}`);
      expect(await later()).toMatchObject({ incremental: true, updated: 1, unchanged: 4, files: { found: 3, read: 1, parsed: 1 } });
      expect(catalog.whoOwns('billing').owner?.ref).toBe('group:default/team-b');
      expect(catalog.whoOwns('team-a').owns).toEqual(['component:default/invoices', 'component:default/payments-api']);
      // The store holds it too: a new process answers the same.
      const reloaded = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: captureLogger().logger });
      await reloaded.load();
      expect(reloaded.whoOwns('billing').owner?.ref).toBe('group:default/team-b');
    });

    it('builds each edit on the one before, across files, as stored and as a new process reads it', async () => {
      await settled();
      const owners = ['team-b', 'team-a', 'team-b'];
      for (const [round, owner] of owners.entries()) {
        write('systems/bill/b.yaml', `${component('billing', owner)}---\n${component('invoices')}`);
        if (round === 1) write('systems/pay/a.yaml', component('payments-api', 'team-b'));
        expect(await later()).toMatchObject({ incremental: true, updated: round === 1 ? 2 : 1, removed: 0 });
        expect(catalog.whoOwns('billing').owner?.ref).toBe(`group:default/${owner}`);
      }
      expect(await later()).toMatchObject({ incremental: true, updated: 0, unchanged: 5, files: { read: 0 } });
      expect(catalog.whoOwns('team-b').owns).toEqual(['component:default/billing', 'component:default/payments-api']);
      const reloaded = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: captureLogger().logger });
      await reloaded.load();
      expect(reloaded.whoOwns('team-b').owns).toEqual(['component:default/billing', 'component:default/payments-api']);
    });

    it('stores an edit whose incremental refresh failed to store, at the next refresh', async () => {
      await settled();
      await database.db.execute(sql.raw(`
        create function refuse_billing() returns trigger language plpgsql as $$
        begin if new.ref = 'component:default/billing' then raise exception 'refused by test'; end if; return new; end $$`));
      await database.db.execute(sql.raw('create trigger refuse_billing before insert on catalog_entities for each row execute function refuse_billing()'));
      write('systems/bill/b.yaml', `${component('billing', 'team-b')}---\n${component('invoices')}`);
      await expect(later()).rejects.toThrow('refused by test');
      expect(catalog.whoOwns('billing').owner?.ref).toBe('group:default/team-a');
      await database.db.execute(sql.raw('drop trigger refuse_billing on catalog_entities'));
      expect(await later()).toMatchObject({ updated: 1, removed: 0 });
      expect(catalog.whoOwns('billing').owner?.ref).toBe('group:default/team-b');
      expect(await later()).toMatchObject({ incremental: true, updated: 0, unchanged: 5 });
    });

    it('keeps a file problem and clears it once fixed', async () => {
      await settled();
      write('systems/pay/a.yaml', component('payments-api', 'team-a', '  tags: [Not A Tag]\n'));
      const broken = await later();
      expect(broken).toMatchObject({ incremental: false, removed: 1 });
      expect(broken.problems.map((problem) => problem.file)).toEqual([path.join(folder, 'systems/pay/a.yaml')]);
      write('systems/pay/a.yaml', component('payments-api', 'team-b'));
      const fixed = await later();
      expect(fixed).toMatchObject({ added: 1, problems: [] });
      expect(await catalog.problems()).toEqual([]);
    });

    it('reads everything again when an edit defines other entities, a folder gains a file or a file conflicts', async () => {
      await settled();
      write('systems/pay/a.yaml', component('checkout'));
      expect(await later()).toMatchObject({ incremental: false, added: 1, removed: 1 });
      expect(catalog.whoOwns('payments-api').match).toBeNull();
      expect(await later()).toMatchObject({ incremental: true, unchanged: 5 });

      write('systems/pay/c.yaml', component('ledger'));
      expect(await later()).toMatchObject({ incremental: false, added: 1, folders: { listed: 1 } });
      expect(await later()).toMatchObject({ incremental: true, unchanged: 6 });

      // One file defining a ref twice, in place of another of its entities.
      write('systems/bill/b.yaml', `${component('billing')}---\n${component('billing', 'team-b')}`);
      const doubled = await later();
      expect(doubled).toMatchObject({ incremental: false, removed: 1 });
      expect(doubled.problems[0]!.message).toContain('conflict: component:default/billing is already defined');
      expect(catalog.whoOwns('invoices').match).toBeNull();
      write('systems/bill/b.yaml', `${component('billing')}---\n${component('invoices')}`);
      expect(await later()).toMatchObject({ incremental: false, added: 1 });

      write('systems/pay/c.yaml', component('billing'));
      const conflicted = await later();
      expect(conflicted).toMatchObject({ incremental: false, removed: 1 });
      expect(conflicted.problems[0]!.message).toContain('conflict: component:default/billing is already defined');
      // A refresh after a conflict cannot take its files as they were: which file wins depends on the others.
      expect(await later()).toMatchObject({ incremental: false });
    });

    it('never takes files as they were under a root that follows Locations', async () => {
      write('org.yaml', group('team-a'));
      write('all.yaml', location(['./a.yaml']));
      write('a.yaml', component('payments-api'));
      await catalog.refresh(roots());
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
      await catalog.refresh(roots());
      expect(await later()).toMatchObject({ incremental: false, unchanged: 3, files: { read: 0, parsed: 0 } });
    });
  });

  it('loads a large first refresh with its indexes rebuilt once, exactly as the migrations define them', async () => {
    const indexes = async () =>
      JSON.stringify(await database.db.execute(sql`select indexname, indexdef from pg_indexes where tablename in ('catalog_entities', 'catalog_relations') order by indexname`));
    const before = await indexes();
    write('org.yaml', group('team-a'));
    for (let file = 0; file < 6; file++) {
      write(`bulk-${file}.yaml`, Array.from({ length: 2_000 }, (_, n) => component(`svc-${file}-${n}`)).join('---\n'));
    }
    expect(await catalog.refresh(roots())).toMatchObject({ added: 12_001, problems: [] });
    expect(await indexes()).toBe(before);
    const rows = await database.db.execute(sql`select count(*)::int as n from catalog_relations where target_ref = 'group:default/team-a'`);
    expect(JSON.stringify(rows)).toContain('"n":12000');
    // A duplicate relation row would fail the rebuilt primary key: the refresh fails whole, indexes intact.
    await database.db.execute(sql`create function duplicate_relation() returns trigger language plpgsql as $$
      begin if new.source_ref = 'component:default/svc-5-1999' and pg_trigger_depth() = 1 then insert into catalog_relations values (new.source_ref, new.type, new.target_ref); end if; return new; end $$`);
    await database.db.execute(sql`create trigger duplicate_relation before insert on catalog_relations for each row execute function duplicate_relation()`);
    for (let file = 0; file < 6; file++) {
      write(`bulk-${file}.yaml`, Array.from({ length: 2_000 }, (_, n) => component(`svc-${file}-${n}`, 'team-b')).join('---\n'));
    }
    await expect(catalog.refresh(roots())).rejects.toThrow(/storing the catalog refresh failed: could not create unique index/);
    expect(await indexes()).toBe(before);
    expect(catalog.whoOwns('svc-3-3').owner?.ref).toBe('group:default/team-a');
  });

  it('rolls a first load back whole when a row fails while files are still being read', async () => {
    write('org.yaml', group('team-a'));
    for (let file = 0; file < 6; file++) {
      write(`bulk-${file}.yaml`, Array.from({ length: 2_000 }, (_, n) => component(`svc-${file}-${n}`)).join('---\n'));
    }
    // Refused early: the first load writes in batches while it reads, so this fails mid-way.
    await database.db.execute(sql`create function refuse_entity() returns trigger language plpgsql as $$
      begin if new.ref = 'component:default/svc-1-10' then raise exception 'refused by test'; end if; return new; end $$`);
    await database.db.execute(sql`create trigger refuse_entity before insert on catalog_entities for each row execute function refuse_entity()`);
    await expect(catalog.refresh(roots())).rejects.toThrow('storing the catalog refresh failed: refused by test; nothing was changed');
    const count = async () => JSON.stringify(await database.db.execute(sql`select count(*)::int as n from catalog_entities`));
    expect(await count()).toContain('"n":0');
    expect(catalog.whoOwns('svc-0-1').match).toBeNull();
    await database.db.execute(sql`drop trigger refuse_entity on catalog_entities`);
    expect(await catalog.refresh(roots())).toMatchObject({ added: 12_001 });
    expect(await count()).toContain('"n":12001');
  });

  it('writes an unchanged file again when the stored rows no longer hold what it produced (another replica)', async () => {
    write('org.yaml', group('team-a'));
    write('a.yaml', component('payments-api'));
    await catalog.refresh(roots());
    // Another replica, running other code, stored its own version of one row and removed another.
    await database.db.execute(sql`update catalog_entities set entity = jsonb_set(entity::jsonb, '{spec,owner}', '"team-x"')::json, content_hash = 'other' where ref = 'component:default/payments-api'`);
    await database.db.execute(sql`delete from catalog_entities where ref = 'group:default/team-a'`);
    // As every refresh does, it counted its write: the next refresh here must read the rows again.
    await database.db.execute(sql`update catalog_state set version = version + 1`);
    const report = await catalog.refresh(roots());
    expect(report).toMatchObject({ added: 1, updated: 1, unchanged: 0, kept: 0 });
    const rows = await database.db.execute(sql`select entity->'spec'->>'owner' as owner from catalog_entities order by ref`);
    expect(JSON.stringify(rows)).toContain('"owner":"team-a"');
    expect(JSON.stringify(rows)).not.toContain('team-x');
    expect(catalog.whoOwns('payments-api').owner).toMatchObject({ ref: 'group:default/team-a', exists: true });
    expect(await catalog.refresh(roots())).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
  });

  it('re-reads a placeholder target that changed even when the file naming it did not', async () => {
    write(
      'api.yaml',
      `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-rest
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./openapi.yaml
`,
    );
    write('openapi.yaml', 'openapi: 3.0.0\ninfo: { title: v1 }\n');
    await catalog.refresh(roots());
    write('openapi.yaml', 'openapi: 3.0.0\ninfo: { title: v2 }\n');
    const report = await catalog.refresh(roots());
    expect(report.updated).toBe(1);
    expect(catalog.view.get('api:default/payments-rest')?.spec?.definition).toContain('v2');
  });

  it('keeps every good document when others are bad, and stores the problems with file and line', async () => {
    write('mixed.yaml', `${component('good-one')}---\nkind: [unclosed\n---\n${component('Bad Name')}---\n${component('good-two')}`);
    const report = await catalog.refresh(roots());
    expect(report.added).toBe(2);
    const problems = await catalog.problems();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: path.join(folder, 'mixed.yaml'), document: 2, line: 11, message: expect.stringContaining('YAML syntax error') }),
        expect.objectContaining({ document: 3, line: 12, ref: 'component:default/bad name', message: expect.stringContaining('metadata.name') }),
      ]),
    );
  });

  it('keeps everything a root had when the root itself cannot be read (an unmounted folder)', async () => {
    write('a.yaml', component('payments-api'));
    await catalog.refresh(roots());
    const moved = `${folder}-moved`;
    renameSync(folder, moved);
    try {
      const report = await catalog.refresh(roots());
      expect(report).toMatchObject({ removed: 0, kept: 1 });
      expect(report.roots[`file:${folder}`]).toMatchObject({ status: 'failed', keepUnread: true });
      expect(catalog.view.get('component:default/payments-api')).toBeDefined();
    } finally {
      renameSync(moved, folder);
    }
  });

  it('refuses a malformed URL target without failing the refresh', async () => {
    write(
      'all.yaml',
      location(['https://github.com/acme/repo/blob/main/%zz.yaml'], 'url'),
    );
    write('a.yaml', component('payments-api'));
    const report = await catalog.refresh(roots());
    expect(catalog.view.get('component:default/payments-api')).toBeDefined();
    expect(report.problems.map((problem) => problem.message).join('\n')).toContain('is not a GitHub file URL');
  });

  it('keeps the first definition of a ref and reports the later one as a conflict', async () => {
    write('a.yaml', component('payments-api', 'team-a'));
    write('b.yaml', component('payments-api', 'team-b'));
    await catalog.refresh(roots());
    expect(catalog.whoOwns('payments-api').owner?.ref).toBe('group:default/team-a');
    const [conflict] = await catalog.problems();
    expect(conflict).toMatchObject({ file: path.join(folder, 'b.yaml'), ref: 'component:default/payments-api' });
    expect(conflict!.message).toContain('conflict');
  });

  it('refuses Location targets that leave their folder and never reads them', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'callboard-outside-'));
    writeFileSync(path.join(outside, 'secret.yaml'), component('outside-entity'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(folder, 'link.yaml'));
    write(
      'locations/all.yaml',
      location(['../link.yaml', path.join(outside, 'secret.yaml'), './ok.yaml'], 'file'),
    );
    write('locations/ok.yaml', component('inside-entity'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(folder, 'locations', 'escape.yaml'));
    const report = await catalog.refresh([{ key: `file:${folder}/locations/all.yaml`, type: 'file', target: path.join(folder, 'locations', 'all.yaml') }]);
    try {
      expect(catalog.view.get('component:default/inside-entity')).toBeDefined();
      expect(catalog.view.get('component:default/outside-entity')).toBeUndefined();
      const messages = report.problems.map((problem) => problem.message).join('\n');
      expect(messages).toContain('target "../link.yaml" leaves the folder');
      expect(messages).toContain('is an absolute path');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses a symbolic link that points out of a folder root', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'callboard-outside-'));
    writeFileSync(path.join(outside, 'secret.yaml'), component('outside-entity'));
    write('sub/ok.yaml', component('inside-entity'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(folder, 'sub', 'escape.yaml'));
    write(
      'all.yaml',
      location(['./sub/*.yaml']),
    );
    const report = await catalog.refresh([{ key: `file:${folder}/all.yaml`, type: 'file', target: path.join(folder, 'all.yaml') }]);
    try {
      expect(catalog.view.get('component:default/inside-entity')).toBeDefined();
      expect(catalog.view.get('component:default/outside-entity')).toBeUndefined();
      expect(report.problems.map((problem) => problem.message).join('\n')).toContain('resolves outside');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('rolls a failed refresh back completely, leaving the previous catalog as it was', async () => {
    write('a.yaml', component('payments-api'));
    await catalog.refresh(roots());
    // A trigger makes the database refuse one relation row halfway through the next refresh.
    await database.db.execute(sql.raw(`
      create function refuse_relation() returns trigger language plpgsql as $$
      begin if new.source_ref = 'component:default/zz-last' then raise exception 'refused by test'; end if; return new; end $$`));
    await database.db.execute(
      sql.raw('create trigger refuse_relation before insert on catalog_relations for each row execute function refuse_relation()'),
    );
    write('a.yaml', component('payments-api', 'team-b'));
    write('z.yaml', component('zz-last'));
    const failure = catalog.refresh(roots());
    await expect(failure).rejects.toThrow('storing the catalog refresh failed: refused by test');
    // The error names the cause only: no SQL text and no entity content from drizzle's query dump.
    await expect(failure).rejects.not.toThrow(/insert into|params/);
    const rows = await database.db.execute(sql`select entity->'spec'->>'owner' as owner from catalog_entities`);
    expect(JSON.stringify(rows)).toContain('"owner":"team-a"');
    expect(JSON.stringify(rows)).not.toContain('zz-last');
    expect(catalog.whoOwns('payments-api').owner?.ref).toBe('group:default/team-a');
  });

  it('refuses hostile files one by one and ingests the rest', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [index, letter] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const previous = String.fromCharCode('a'.charCodeAt(0) + index);
      laughs.push(`${letter}: &${letter} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    write('bomb.yaml', `${laughs.join('\n')}\n`);
    write('deep.yaml', `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    write('proto.yaml', `${component('proto-entity')}  __proto__:\n    polluted: yes\n`);
    write('huge.yaml', `# ${'x'.repeat(1_100_000)}\n`);
    write('links.yaml', component('linked', 'team-a', '  links:\n    - url: javascript:alert(1)\n    - url: https://ok.example/runbook\n      title: Runbook\n'));
    write('good.yaml', component('good-entity'));
    const report = await catalog.refresh(roots());
    expect(catalog.view.get('component:default/good-entity')).toBeDefined();
    expect(catalog.view.get('component:default/proto-entity')).toBeUndefined();
    expect(catalog.view.get('component:default/linked')?.metadata.links).toEqual([{ url: 'https://ok.example/runbook', title: 'Runbook' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const byFile = (name: string) => report.problems.filter((problem) => problem.file === path.join(folder, name)).map((problem) => problem.message).join('\n');
    expect(byFile('bomb.yaml')).toContain('alias');
    expect(byFile('deep.yaml')).toContain('maxDepth');
    expect(byFile('proto.yaml')).toContain('__proto__');
    expect(byFile('huge.yaml')).toContain('more than the 1048576 allowed');
    expect(byFile('links.yaml')).toContain('javascript: scheme is refused');
  });
});
