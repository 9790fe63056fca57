import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../catalog/ingestion/local-files.js';
import type { DocsReader } from './mkdocs-site.js';

/** A docs folder lists at most this many files: a site is pages, not a repository. */
const MAX_LISTED_FILES = 5_000;

/**
 * A docs folder on disk. Paths come from mkdocs.yml, which anyone who can edit the catalog wrote:
 * a path, or a link, that leads out of the folder reads as missing.
 */
export function localDocsReader(folder: string, boundary = folder): DocsReader {
  // The real boundary: a docs folder that is a link out of the catalog's folder reads nothing.
  let realFolder: Promise<string> | undefined;
  const inside = async (relative: string): Promise<string | undefined> => {
    const candidate = path.resolve(folder, relative);
    if (!isInside(folder, candidate)) return undefined;
    try {
      const real = await realpath(candidate);
      return isInside(await (realFolder ??= realpath(boundary)), real) ? real : undefined;
    } catch {
      return undefined;
    }
  };
  // Only regular files are read: a FIFO or device named by the nav would block or never end.
  // Described, then read: each path is resolved and checked once per reading of the site.
  const checked = new Map<string, Promise<{ file: string; size: number } | undefined>>();
  const regularFile = (relative: string) => {
    let found = checked.get(relative);
    if (!found) {
      found = (async () => {
        const file = await inside(relative);
        const about = file ? await stat(file).catch(() => undefined) : undefined;
        return file && about?.isFile() ? { file, size: about.size } : undefined;
      })();
      checked.set(relative, found);
    }
    return found;
  };
  return {
    async read(relative) {
      const found = await regularFile(relative);
      return found ? readFile(found.file).catch(() => undefined) : undefined;
    },
    async describe(relative) {
      const found = await regularFile(relative);
      return found ? { size: found.size } : undefined;
    },
    async list(relative) {
      const root = await inside(relative);
      if (!root) return [];
      const files: string[] = [];
      const walk = async (current: string, prefix: string) => {
        const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          if (files.length >= MAX_LISTED_FILES) return;
          const name = `${prefix}/${entry.name}`;
          if (entry.isDirectory()) await walk(path.join(current, entry.name), name);
          else if (entry.isFile()) files.push(name);
        }
      };
      await walk(root, relative.replace(/\/+$/, ''));
      return files;
    },
  };
}
