import { promises as fs, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
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
  /** Its location key, `file:<path>`. */
  key: string;
  /** A symbolic link may point anywhere, so its real path is checked before it is read. */
  symlink: boolean;
}

/**
 * What one folder held when it was last listed. A folder whose modification and change times and
 * inode are unchanged holds the same entries (adding, removing or renaming one changes them), so
 * a walk of an unchanged tree stats each folder instead of listing it: several times cheaper.
 * Entries are kept by name, not path: a catalog's tens of thousands of folders are kept between
 * refreshes, and their paths took four times the memory of their names.
 */
export interface ListedFolder {
  signature: string;
  /** Names of the subfolders walked. */
  folders: string[];
  /** Names of the files, and of the symbolic links among them. */
  files: string[];
  symlinks: string[];
}

/** A folder's walked subfolders and files, without the signature they were listed under. */
type FolderListing = Omit<ListedFolder, 'signature'>;

/** Listed folders by path; pass a walk's `listed` to the next walk as `previous`. */
export type FolderCache = Map<string, ListedFolder>;

/** Listings a walk may reuse, where it records every folder it walks (reused or listed anew), and how many of each. */
export interface FolderListings {
  previous?: FolderCache;
  listed: FolderCache;
  counts: { walked: number; listed: number };
}

/** A TechDocs site's settings, which sit beside catalog-info.yaml in every docs-like-code repository and are never entities. */
const MKDOCS_FILE = /(^|[\\/])mkdocs\.ya?ml$/i;

/**
 * Every .yaml/.yml file under a folder but mkdocs.yml, sorted so refreshes are deterministic;
 * hidden folders and node_modules are skipped.
 */
export async function listCatalogFiles(folder: string, listings?: FolderListings, pace: WalkPace = {}): Promise<FoundFile[]> {
  return (await walk(folder, listings, pace)).filter((file) => CATALOG_FILE.test(file.path) && !MKDOCS_FILE.test(file.path));
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
    for (const name of listing.folders) pending.push(inside(current, name));
    for (const name of listing.files) if (CATALOG_FILE.test(name)) files.push(foundFile(current, name, listing));
  }
  return files;
}

/** A name inside a folder, as path.join would make it, without normalizing what is normal already. */
function inside(folder: string, name: string): string {
  return folder.endsWith(path.sep) ? folder + name : folder + path.sep + name;
}

function foundFile(folder: string, name: string, listing: FolderListing): FoundFile {
  const full = inside(folder, name);
  return { path: full, key: `file:${full}`, symlink: listing.symlinks.length > 0 && listing.symlinks.includes(name) };
}

/** When a walk lists many folders at once (see `walk`): `slowListingMs`, a listing slower than this waited on the disk. */
export interface WalkPace {
  slowListingMs?: number;
}
/** A listing slower than this waited on the disk: the folder was not in the kernel's cache. */
const SLOW_LISTING_MS = 0.1;
/** Listings judged at a time, and the share of them that must be slow to go on with many at once. */
const LISTINGS_JUDGED = 64;
const SLOW_SHARE = 0.25;
/** Folders listed at once when the disk is what they wait for. */
const CONCURRENT_LISTINGS = 32;

/**
 * Symbolic links to folders are not followed; symbolic links to files are returned, flagged.
 * Folders are listed one synchronous call at a time while that is fast (they are in the kernel's
 * cache): several times faster than a round trip each through libuv's threads. When most listings
 * wait on the disk instead (a fresh checkout, a cache the kernel reclaimed), the rest of the walk
 * lists many at once: a cold walk of 64k folders took 6.1 s one at a time and 3.3 s so.
 */
async function walk(folder: string, listings: FolderListings | undefined, { slowListingMs = SLOW_LISTING_MS }: WalkPace = {}): Promise<FoundFile[]> {
  const files: FoundFile[] = [];
  const pending = [folder];
  const take = (current: string, listing: FolderListing) => {
    for (const name of listing.folders) pending.push(inside(current, name));
    for (const name of listing.files) files.push(foundFile(current, name, listing));
  };
  // A subfolder removed while the walk runs is skipped; the folder walked itself must be there.
  const gone = (current: string, error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT' && current !== folder;
  let judged = 0;
  let slow = 0;
  while (pending.length > 0) {
    if (judged === LISTINGS_JUDGED) {
      if (slow > SLOW_SHARE * judged) break;
      judged = slow = 0;
    }
    const current = pending.pop()!;
    const started = performance.now();
    try {
      take(current, listFolder(current, listings, LIST_NOW));
    } catch (error) {
      if (!gone(current, error)) throw error;
    }
    judged += 1;
    if (performance.now() - started > slowListingMs) slow += 1;
  }
  await listConcurrently(pending, async (current) => {
    try {
      take(current, await listFolder(current, listings, LIST_LATER));
    } catch (error) {
      if (!gone(current, error)) throw error;
    }
  });
  return files.sort((a, b) => compareStrings(a.path, b.path));
}

/** Runs `list` on every folder in `pending` (which it may add to), a few at once; rejects with the first failure. */
function listConcurrently(pending: string[], list: (folder: string) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let active = 0;
    let failed = false;
    const next = () => {
      while (!failed && active < CONCURRENT_LISTINGS && pending.length > 0) {
        active += 1;
        list(pending.pop()!).then(
          () => {
            active -= 1;
            if (active === 0 && pending.length === 0) resolve();
            else next();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    if (pending.length === 0) resolve();
    else next();
  });
}

/** How a walk reads a folder: its stat and its entries, now (synchronous) or later (through libuv's threads). */
interface FolderReads<Stat, Entries> {
  stat: (folder: string) => Stat;
  entries: (folder: string) => Entries;
}
const LIST_NOW: FolderReads<Stats, Dirent[]> = {
  stat: (folder) => statSync(folder),
  entries: (folder) => readdirSync(folder, { withFileTypes: true }),
};
const LIST_LATER: FolderReads<Promise<Stats>, Promise<Dirent[]>> = {
  stat: (folder) => fs.stat(folder),
  entries: (folder) => fs.readdir(folder, { withFileTypes: true }),
};

/** One folder's walked subfolders and files: its previous listing while its signature holds, else read now. */
function listFolder(folder: string, listings: FolderListings | undefined, reads: FolderReads<Stats, Dirent[]>): FolderListing;
function listFolder(folder: string, listings: FolderListings | undefined, reads: FolderReads<Promise<Stats>, Promise<Dirent[]>>): Promise<FolderListing>;
function listFolder(folder: string, listings: FolderListings | undefined, reads: FolderReads<Stats | Promise<Stats>, Dirent[] | Promise<Dirent[]>>): FolderListing | Promise<FolderListing> {
  if (!listings) return then(reads.entries(folder), listedEntries);
  // Stat before listing: should the folder change in between, the next walk sees a new signature.
  return then(reads.stat(folder), (stat) => {
    const { listing: previous, signature } = unchangedListing(folder, listings, stat);
    if (previous) return previous;
    listings.counts.listed += 1;
    return then(reads.entries(folder), (entries) => {
      const listing = listedEntries(entries);
      // A literal, not a spread: a spread copy gets a hidden class of its own in V8.
      if (signature !== undefined) listings.listed.set(folder, { signature, folders: listing.folders, files: listing.files, symlinks: listing.symlinks });
      return listing;
    });
  });
}

/** `next` applied to a value now, or once its promise settles: one flow for synchronous and asynchronous reads. */
function then<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** The folder walked, its previous listing recorded again when it holds (see `unchangedFolder`). */
function unchangedListing(folder: string, listings: FolderListings, stat: Stats): { listing?: ListedFolder; signature?: string } {
  listings.counts.walked += 1;
  const unchanged = unchangedFolder(folder, listings.previous, stat);
  if (unchanged.listing) listings.listed.set(folder, unchanged.listing);
  return unchanged;
}

/**
 * The folder's previous listing, while its trusted signature is the one recorded with it; else
 * only the signature it has now (undefined while too recent to trust).
 */
function unchangedFolder(folder: string, previous: FolderCache | undefined, stat = statSync(folder)): { listing?: ListedFolder; signature?: string } {
  const signature = trustedSignature(stat);
  const listing = previous?.get(folder);
  if (signature === undefined || listing?.signature !== signature) return { signature };
  return { listing, signature };
}

function listedEntries(entries: Dirent[]): FolderListing {
  const folders: string[] = [];
  const files: string[] = [];
  const symlinks: string[] = [];
  for (const entry of entries) {
    const { name } = entry;
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(name) && !name.startsWith('.')) folders.push(name);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      files.push(commonName(name));
      if (entry.isSymbolicLink()) symlinks.push(name);
    }
  }
  return { folders, files, symlinks: symlinks.length > 0 ? symlinks : NO_SYMLINKS };
}

const NO_SYMLINKS: string[] = [];
/** File names most folders share, kept once rather than once per folder. */
const COMMON_NAMES = new Map(['catalog-info.yaml', 'catalog-info.yml', 'mkdocs.yml', 'README.md', 'template.yaml'].map((name) => [name, name]));

function commonName(name: string): string {
  return COMMON_NAMES.get(name) ?? name;
}
