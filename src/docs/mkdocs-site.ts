import { createHash } from 'node:crypto';
import path from 'node:path';
import yaml from 'js-yaml';
import { mapWithLimit } from '../catalog/ingestion/map-with-limit.js';
import { errorMessage } from '../errors.js';
import { splitSections, type PageSection } from './markdown-sections.js';

/** A page larger than this is not indexed (a problem on its entity). */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** One page of a docs site: where it is below `docs_dir`, its title, and its sections. */
export interface SitePage {
  /** Relative to docs_dir, with `/`: `index.md`, `guides/rotate-keys.md`. */
  path: string;
  title: string;
  /** The nav's depth of the page (1 for a top-level entry). */
  level: number;
  sections: PageSection[];
  /** Of the page's bytes (or the reader's fingerprint of them): an unchanged page is not read or split again. */
  hash: string;
}

/** A site's mkdocs.yml as read: which file, its fingerprint, and its settings. */
interface SiteConfig {
  file: string;
  fingerprint: string;
  settings: Record<string, unknown>;
  problem?: string;
}

export interface DocsSite {
  siteName: string;
  config?: SiteConfig;
  docsDir: string;
  pages: SitePage[];
  /** A page the nav names that is missing, too large or not UTF-8, each naming its file. */
  problems: string[];
}

/** Reads files of a docs folder (on disk or through GitHub); undefined for a file that is not there. */
export interface DocsReader {
  read(path: string): Promise<Buffer | undefined>;
  /** Every file path under `folder` (relative to the docs source). */
  list(folder: string): Promise<string[]>;
  /**
   * A file's size, and its fingerprint where the reader has one without reading it (a git blob
   * sha), so a file that is unchanged or too large is not read; undefined when it is not a file.
   */
  describe?(path: string): Promise<{ fingerprint?: string; size: number } | undefined>;
}

/** Pages read at once from one site. */
const PAGES_AT_ONCE = 8;

interface NavEntry {
  title?: string;
  path: string;
  level: number;
}

/** A nav is a site's pages: YAML aliases could make one of millions (a few hundred bytes of mkdocs.yml). */
const MAX_NAV_ENTRIES = 2_000;
const MAX_NAV_DEPTH = 10;

/** The nav's pages in order: `- Title: page.md`, bare `- page.md`, and sections holding lists of them. */
function navPages(nav: unknown): NavEntry[] {
  const entries: NavEntry[] = [];
  const walk = (items: unknown, level: number) => {
    if (!Array.isArray(items) || level > MAX_NAV_DEPTH) return;
    for (const item of items) {
      if (entries.length >= MAX_NAV_ENTRIES) return;
      if (typeof item === 'string') {
        if (!/^https?:/.test(item)) entries.push({ path: item, level });
      } else if (item && typeof item === 'object') {
        for (const [title, value] of Object.entries(item as Record<string, unknown>)) {
          if (typeof value === 'string') {
            if (!/^https?:/.test(value)) entries.push({ title, path: value, level });
          } else walk(value, level + 1);
        }
      }
    }
  };
  walk(nav, 1);
  return entries;
}

/** A nav path as a page of docs_dir, or why it is not one (out of the folder, not Markdown). */
function pagePath(entry: string): { path: string } | { problem: string } {
  const normal = path.posix.normalize(entry.replace(/^\.\//, ''));
  if (normal.startsWith('..') || path.posix.isAbsolute(normal)) return { problem: `the nav names ${entry}, which is outside the docs folder` };
  if (!normal.endsWith('.md')) return { problem: `the nav names ${entry}, which is not a Markdown page` };
  return { path: normal };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Plain YAML, where the tags MkDocs themes use (`!ENV`, `!!python/name:...`) read as the text or
 * list they tag: nothing is looked up or run, and the settings Callboard reads are still there.
 */
const MKDOCS_SCHEMA = yaml.FAILSAFE_SCHEMA.extend(
  ['!', 'tag:yaml.org,2002:'].flatMap((prefix) =>
    (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(prefix, { kind, multi: true, construct: (data: unknown) => data ?? null })),
  ),
);

/** A page's title without a nav entry naming it: its first heading, else its file name. */
function titleOf(path: string, sections: PageSection[]): string {
  const heading = sections.find((section) => section.level > 0)?.heading;
  if (heading) return heading;
  const name = path.split('/').at(-1)!.replace(/\.md$/, '');
  return name === 'index' ? 'Home' : name.replace(/[-_]+/g, ' ');
}

/** What reading one page of the nav came to. */
type PageReading =
  | { outcome: 'read'; bytes: Buffer; hash: string }
  | { outcome: 'unchanged' }
  | { outcome: 'missing' }
  | { outcome: 'too-large'; size: number }
  | { outcome: 'failed'; reason: string };

/** A page with its title: the nav's, else its first heading's; the text above the first heading belongs to the page itself. */
function titledPage(entry: NavEntry, sections: PageSection[], hash: string): SitePage {
  const title = entry.title ?? titleOf(entry.path, sections);
  return { path: entry.path, title, level: entry.level, sections: sections.map((section) => (section.level === 0 ? { ...section, heading: title } : section)), hash };
}

/** mkdocs.yml (or mkdocs.yaml); the previous reading when the reader says the file is unchanged. */
async function readConfig(reader: DocsReader, previous: SiteConfig | undefined): Promise<SiteConfig | undefined> {
  for (const file of ['mkdocs.yml', 'mkdocs.yaml']) {
    const about = await reader.describe?.(file);
    if (reader.describe && !about) continue;
    if (about && previous?.file === file && previous.fingerprint === about.fingerprint) return previous;
    const bytes = await reader.read(file);
    if (!bytes) continue;
    const fingerprint = about?.fingerprint ?? createHash('sha256').update(bytes).digest('hex');
    try {
      const parsed = yaml.load(UTF8.decode(bytes), { schema: MKDOCS_SCHEMA, json: true });
      return { file, fingerprint, settings: parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {} };
    } catch (error) {
      return { file, fingerprint, settings: {}, problem: `${file}: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  return undefined;
}

/** As MkDocs: a folder's README.md is its index page, unless the folder has an index.md, which leaves the README out. */
const isReadme = (path: string) => /(^|\/)readme\.md$/i.test(path);
function withoutShadowedReadmes(paths: string[]): string[] {
  const indexed = new Set(paths.filter((path) => /(^|\/)index\.md$/.test(path)).map((path) => path.slice(0, path.length - 'index.md'.length)));
  return paths.filter((path) => !isReadme(path) || !indexed.has(path.slice(0, path.length - 'readme.md'.length)));
}
const home = (paths: string[]) => (paths.includes('index.md') ? 'index.md' : (paths.find((path) => isReadme(path) && !path.includes('/')) ?? 'index.md'));

/**
 * A docs-like-code site as TechDocs builds it: `mkdocs.yml` (or `mkdocs.yaml`) for `site_name`,
 * `nav` and `docs_dir` (default `docs`); without a nav, every Markdown page under docs_dir,
 * the home page (`index.md`, else `README.md`) first. What is unchanged since the `previous` reading is kept as it was.
 */
export async function readDocsSite(reader: DocsReader, previousSite?: DocsSite): Promise<DocsSite | undefined> {
  const previous = new Map((previousSite?.pages ?? []).map((page) => [page.path, page]));
  const config = await readConfig(reader, previousSite?.config);
  const problems: string[] = config?.problem ? [config.problem] : [];
  const settings = config?.settings ?? {};
  const docsDir = (typeof settings.docs_dir === 'string' ? settings.docs_dir : 'docs').replace(/^\.\//, '').replace(/\/+$/, '');
  const listed = withoutShadowedReadmes((await reader.list(docsDir)).filter((path) => path.endsWith('.md')).map((path) => path.slice(docsDir.length + 1)));
  if (!config && listed.length === 0) return undefined;
  const nav = navPages(settings.nav).flatMap((entry) => {
    const page = pagePath(entry.path);
    if ('problem' in page) {
      problems.push(`mkdocs.yml: ${page.problem}`);
      return [];
    }
    return [{ ...entry, path: page.path }];
  });
  const entries: NavEntry[] =
    nav.length > 0 ? nav : listed.sort((a, b) => (a === home(listed) ? -1 : b === home(listed) ? 1 : a < b ? -1 : 1)).map((path) => ({ path, level: path.split('/').length }));
  const pages: SitePage[] = [];
  // One page that cannot be read is a problem on that page; the rest of the site is still read.
  const fetched = await mapWithLimit(entries, PAGES_AT_ONCE, async (entry): Promise<PageReading> => {
    const file = `${docsDir}/${entry.path}`;
    try {
      const about = await reader.describe?.(file);
      if (reader.describe && !about) return { outcome: 'missing' };
      if (about && about.size > MAX_PAGE_BYTES) return { outcome: 'too-large', size: about.size };
      if (about?.fingerprint !== undefined && previous.get(entry.path)?.hash === about.fingerprint) return { outcome: 'unchanged' };
      const bytes = await reader.read(file);
      if (!bytes) return { outcome: 'missing' };
      if (bytes.length > MAX_PAGE_BYTES) return { outcome: 'too-large', size: bytes.length };
      const hash = about?.fingerprint ?? createHash('sha256').update(bytes).digest('hex');
      return previous.get(entry.path)?.hash === hash ? { outcome: 'unchanged' } : { outcome: 'read', bytes, hash };
    } catch (error) {
      return { outcome: 'failed', reason: errorMessage(error) };
    }
  });
  for (const [position, entry] of entries.entries()) {
    const file = `${docsDir}/${entry.path}`;
    const reading = fetched[position]!;
    const known = previous.get(entry.path);
    if (reading.outcome === 'failed') {
      problems.push(`${file}: could not be read (${reading.reason})${known ? '; the last reading is kept' : ''}`);
      if (known) pages.push(known);
    } else if (reading.outcome === 'missing') problems.push(`${file}: the nav names this page, and it is not there`);
    else if (reading.outcome === 'too-large') problems.push(`${file}: ${reading.size} bytes, more than the ${MAX_PAGE_BYTES} a page may have to be indexed`);
    else if (reading.outcome === 'unchanged' && known) pages.push(titledPage(entry, known.sections, known.hash));
    else if (reading.outcome === 'read') {
      let text: string;
      try {
        text = UTF8.decode(reading.bytes);
      } catch {
        problems.push(`${file}: not UTF-8 text`);
        continue;
      }
      pages.push(titledPage(entry, splitSections(text, ''), reading.hash));
    }
  }
  return { siteName: typeof settings.site_name === 'string' ? settings.site_name : 'Documentation Site', ...(config ? { config } : {}), docsDir, pages, problems };
}
