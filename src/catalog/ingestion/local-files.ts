import { readdirSync, statSync, type Stats } from 'node:fs';
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
  /** Its location key, `file:<path>`: made once per listing, so the refreshes that reuse the listing share one string. */
  key: string;
  /** A symbolic link may point anywhere, so its real path is checked before it is read. */
  symlink: boolean;
}

/**
 * What one folder held when it was last listed. A folder whose modification and change times and
 * inode are unchanged holds the same entries (adding, removing or renaming one changes them), so
 * a walk of an unchanged tree stats each folder instead of listing it: several times cheaper.
 */
export interface ListedFolder {
  signature: string;
  folders: string[];
  files: FoundFile[];
}

/** Listed folders by path; pass a walk's `listed` to the next walk as `previous`. */
export type FolderCache = Map<string, ListedFolder>;

/** Listings a walk may reuse, where it records every folder it walks (reused or listed anew), and how many of each. */
export interface FolderListings {
  previous?: FolderCache;
  listed: FolderCache;
  counts: { walked: number; listed: number };
}

/** Every .yaml/.yml file under a folder, sorted so refreshes are deterministic; hidden folders and node_modules are skipped. */
export async function listCatalogFiles(folder: string, listings?: FolderListings): Promise<FoundFile[]> {
  return (await walk(folder, listings)).filter((file) => CATALOG_FILE.test(file.path));
}

/** The fixed leading folder of a glob pattern, where the walk for it starts. */
export function globBase(pattern: string): string {
  return picomatch.scan(pattern).base || '/';
}

/** Files matching an absolute glob pattern, found by walking from its fixed leading folder. */
export async function expandGlob(pattern: string, listings?: FolderListings): Promise<FoundFile[]> {
  const matches = picomatch(pattern, { dot: false });
  return (await walk(globBase(pattern), listings)).filter((file) => matches(file.path));
}

/** A change within this long of a stat might share its timestamps with the previous state (as in git's "racy" files). */
const SIGNATURE_SETTLE_MS = 2_000;

/**
 * Size, modification and change times and inode of a file or folder, when old enough to trust: a
 * write changes the change time (which no tool can set back) and a replacement the inode. A change
 * made moments ago is not trusted this way.
 */
export function trustedSignature(stat: Stats): string | undefined {
  if (Date.now() - Math.max(stat.mtimeMs, stat.ctimeMs) < SIGNATURE_SETTLE_MS) return undefined;
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
}

/**
 * The catalog files under `folder` as the previous walk found them, when every folder there is
 * unchanged by its trusted signature: each folder is stat'ed, none listed. Undefined as soon as one
 * changed, is gone or was never recorded; the previous listings then stand as they are for the
 * next walk. Unsorted: the caller needs the set of files, which unchanged folders keep.
 */
export function unchangedCatalogFiles(folder: string, previous: FolderCache, counts: FolderListings['counts']): FoundFile[] | undefined {
  const files: FoundFile[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop()!;
    counts.walked += 1;
    let listing: ListedFolder | undefined;
    try {
      listing = unchangedFolder(current, previous).listing;
    } catch {
      return undefined;
    }
    if (!listing) return undefined;
    for (const subfolder of listing.folders) pending.push(subfolder);
    for (const file of listing.files) if (CATALOG_FILE.test(file.path)) files.push(file);
  }
  return files;
}

/** Symbolic links to folders are not followed; symbolic links to files are returned, flagged. */
async function walk(folder: string, listings?: FolderListings): Promise<FoundFile[]> {
  const files: FoundFile[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let listing;
    try {
      listing = listFolder(current, listings);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && current !== folder) continue;
      throw error;
    }
    for (const subfolder of listing.folders) pending.push(subfolder);
    for (const file of listing.files) files.push(file);
  }
  return files.sort((a, b) => compareStrings(a.path, b.path));
}

/** One folder's walked subfolders and files: its previous listing while its signature holds, else read now. */
function listFolder(folder: string, listings: FolderListings | undefined): Omit<ListedFolder, 'signature'> {
  if (!listings) return readFolder(folder);
  // Stat before listing: should the folder change in between, the next walk sees a new signature.
  const { listing: previous, signature } = unchangedListing(folder, listings);
  if (previous) return previous;
  listings.counts.listed += 1;
  const listing = readFolder(folder);
  if (signature !== undefined) listings.listed.set(folder, { signature, ...listing });
  return listing;
}

/** The folder walked, its previous listing recorded again when it holds (see `unchangedFolder`). */
function unchangedListing(folder: string, listings: FolderListings): { listing?: ListedFolder; signature?: string } {
  listings.counts.walked += 1;
  const unchanged = unchangedFolder(folder, listings.previous);
  if (unchanged.listing) listings.listed.set(folder, unchanged.listing);
  return unchanged;
}

/**
 * The folder's previous listing, while its trusted signature is the one recorded with it; else
 * only the signature it has now (undefined while too recent to trust).
 */
function unchangedFolder(folder: string, previous: FolderCache | undefined): { listing?: ListedFolder; signature?: string } {
  const signature = trustedSignature(statSync(folder));
  const listing = previous?.get(folder);
  if (signature === undefined || listing?.signature !== signature) return { signature };
  return { listing, signature };
}

function readFolder(folder: string): Omit<ListedFolder, 'signature'> {
  const folders: string[] = [];
  const files: FoundFile[] = [];
  // Synchronous on purpose: a catalog of tens of thousands of folders lists several times faster.
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) folders.push(full);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      files.push({ path: full, key: `file:${full}`, symlink: entry.isSymbolicLink() });
    }
  }
  return { folders, files };
}
