import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openDatabase, type Database, type DatabaseConfig } from './client.js';
import { MIGRATIONS_FOLDER, runMigrations } from './migrate.js';

/**
 * A throw-away in-memory database (the CLI's --catalog, tests). Creating PGlite from nothing runs
 * initdb, about 3-4 s; starting from a saved, already migrated data folder takes about 0.6 s. The
 * saved copy is keyed by PGlite's version and the migrations, so a schema change makes a new one.
 */
export async function openEphemeralDatabase(config: DatabaseConfig): Promise<Database> {
  const memoryConfig = { ...config, url: undefined, dataDir: 'memory://' };
  const database = await openDatabase(memoryConfig, { pgliteTemplate: await migratedTemplate(memoryConfig) });
  await runMigrations(database.db);
  return database;
}

async function migratedTemplate(config: DatabaseConfig): Promise<Blob> {
  const file = path.join(os.tmpdir(), 'callboard', `pglite-template-${templateKey()}.tar`);
  try {
    return new Blob([await fs.readFile(file)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const database = await openDatabase(config);
  try {
    await runMigrations(database.db);
    const client = (database.db as unknown as { $client: { dumpDataDir(compression: 'none'): Promise<Blob> } }).$client;
    const template = await client.dumpDataDir('none');
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Written aside and renamed, so a concurrent run never reads half a file.
    const partial = `${file}.${process.pid}.${Date.now()}`;
    await fs.writeFile(partial, Buffer.from(await template.arrayBuffer()));
    await fs.rename(partial, file);
    return template;
  } finally {
    await database.close();
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

