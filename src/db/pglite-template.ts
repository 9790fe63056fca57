import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openDatabase, type Database, type DatabaseConfig } from './client.js';
import { MIGRATIONS_FOLDER, runMigrations } from './migrate.js';

/*
 * Creating a PGlite database from nothing runs initdb, about 3-4 s here; starting from a saved,
 * already migrated data folder takes well under one. The saved copy is kept in the OS temp
 * folder, keyed by PGlite's version and the migrations, so a schema change makes a new one.
 */

/** The configured database; a PGlite data folder that does not exist yet starts from the template. */
export async function openConfiguredDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.url || existsSync(path.join(config.dataDir, 'PG_VERSION'))) return openDatabase(config);
  return openDatabase(config, { pgliteTemplate: await migratedTemplate({ ...config, dataDir: 'memory://' }) });
}

/** A throw-away in-memory database (the CLI's --catalog, tests), already migrated. */
export async function openEphemeralDatabase(config: DatabaseConfig): Promise<Database> {
  const memoryConfig = { ...config, url: undefined, dataDir: 'memory://' };
  return openDatabase(memoryConfig, { pgliteTemplate: await migratedTemplate(memoryConfig) });
}

async function migratedTemplate(config: DatabaseConfig): Promise<Blob> {
  // Per user and private: another account can neither block nor plant the template.
  const folder = path.join(os.tmpdir(), `callboard-${os.userInfo().uid}`);
  const file = path.join(folder, `pglite-template-${templateKey()}.tar`);
  try {
    return new Blob([await fs.readFile(file)]);
  } catch {
    // Missing or unreadable: build it again below.
  }
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const database = await openDatabase(config);
  try {
    await runMigrations(database.db);
    const client = (database.db as unknown as { $client: { dumpDataDir(compression: 'none'): Promise<Blob> } }).$client;
    const template = await client.dumpDataDir('none');
    // Written aside and renamed, so a concurrent run never reads half a file.
    const partial = `${file}.${process.pid}.${Date.now()}`;
    await fs.writeFile(partial, Buffer.from(await template.arrayBuffer()));
    await fs.rename(partial, file);
    await removeOtherTemplates(file);
    return template;
  } finally {
    await database.close();
  }
}

/** Templates of older schemas or PGlite versions are of no further use. */
async function removeOtherTemplates(current: string): Promise<void> {
  const folder = path.dirname(current);
  for (const name of await fs.readdir(folder)) {
    const file = path.join(folder, name);
    if (file !== current && /^pglite-template-[0-9a-f]+\.tar$/.test(name)) await fs.rm(file, { force: true });
  }
}

function templateKey(): string {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((migration) => migration.hash);
  return createHash('sha1').update([pgliteVersion(), ...migrations].join('\n')).digest('hex').slice(0, 16);
}

/** PGlite does not export its package.json, so find it above its entry point. */
function pgliteVersion(): string {
  let folder = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (folder !== path.dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === '@electric-sql/pglite') return manifest.version ?? 'unknown';
    } catch {
      // No package.json at this level; keep climbing.
    }
    folder = path.dirname(folder);
  }
  return 'unknown';
}

