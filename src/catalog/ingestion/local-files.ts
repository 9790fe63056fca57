import { readdirSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { compareStrings } from '../model/entity-ref.js';

const CATALOG_FILE = /\.ya?ml$/i;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

export function isInside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export function hasGlob(target: string): boolean {
  return picomatch.scan(target).isGlob;
}

export interface FoundFile {
  path: string;
  /** A symbolic link may point anywhere, so its real path is checked before it is read. */
  symlink: boolean;
}

/** Every .yaml/.yml file under a folder, sorted so refreshes are deterministic; hidden folders and node_modules are skipped. */
export async function listCatalogFiles(folder: string): Promise<FoundFile[]> {
  return (await walk(folder)).filter((file) => CATALOG_FILE.test(file.path));
}

/** The fixed leading folder of a glob pattern, where the walk for it starts. */
export function globBase(pattern: string): string {
  return picomatch.scan(pattern).base || '/';
}

/** Files matching an absolute glob pattern, found by walking from its fixed leading folder. */
export async function expandGlob(pattern: string): Promise<FoundFile[]> {
  const matches = picomatch(pattern, { dot: false });
  return (await walk(globBase(pattern))).filter((file) => matches(file.path));
}

/** Symbolic links to folders are not followed; symbolic links to files are returned, flagged. */
async function walk(folder: string): Promise<FoundFile[]> {
  const files: FoundFile[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries;
    try {
      // Synchronous on purpose: a catalog of tens of thousands of folders lists several times faster.
      entries = readdirSync(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && current !== folder) continue;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) pending.push(full);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push({ path: full, symlink: entry.isSymbolicLink() });
      }
    }
  }
  return files.sort((a, b) => compareStrings(a.path, b.path));
}
