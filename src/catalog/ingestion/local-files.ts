import { promises as fs } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

const CATALOG_FILE = /\.ya?ml$/i;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

export function isInside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export function hasGlob(target: string): boolean {
  return picomatch.scan(target).isGlob;
}

/** Every .yaml/.yml file under a folder, sorted so refreshes are deterministic; hidden folders and node_modules are skipped. */
export async function listCatalogFiles(folder: string): Promise<string[]> {
  return (await walk(folder)).filter((file) => CATALOG_FILE.test(file));
}

/** Files matching an absolute glob pattern, found by walking from its fixed leading folder. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const { base } = picomatch.scan(pattern);
  const matches = picomatch(pattern, { dot: false });
  return (await walk(base || '/')).filter((file) => matches(file));
}

async function walk(folder: string): Promise<string[]> {
  const files: string[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries;
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && current !== folder) continue;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) pending.push(full);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push(full);
      }
    }
  }
  return files.sort();
}
