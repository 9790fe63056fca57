import { createHash } from 'node:crypto';
import path from 'node:path';
import yaml from 'js-yaml';
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
  /** A file's fingerprint and size without reading it, where that is cheaper than reading (a git blob sha). */
  describe?(path: string): Promise<{ fingerprint: string; size: number } | undefined>;
}

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

/** A page's title without a nav entry naming it: its first heading, else its file name. */
function titleOf(path: string, sections: PageSection[]): string {
  const heading = sections.find((section) => section.level > 0)?.heading;
  if (heading) return heading;
  const name = path.split('/').at(-1)!.replace(/\.md$/, '');
  return name === 'index' ? 'Home' : name.replace(/[-_]+/g, ' ');
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
      const parsed = yaml.load(UTF8.decode(bytes), { schema: yaml.FAILSAFE_SCHEMA, json: true });
      return { file, fingerprint, settings: parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {} };
    } catch (error) {
      return { file, fingerprint, settings: {}, problem: `${file}: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  return undefined;
}

/**
 * A docs-like-code site as TechDocs builds it: `mkdocs.yml` (or `mkdocs.yaml`) for `site_name`,
 * `nav` and `docs_dir` (default `docs`); without a nav, every Markdown page under docs_dir,
 * `index.md` first. What is unchanged since the `previous` reading is kept as it was.
 */
export async function readDocsSite(reader: DocsReader, previousSite?: DocsSite): Promise<DocsSite | undefined> {
  const previous = new Map((previousSite?.pages ?? []).map((page) => [page.path, page]));
  const config = await readConfig(reader, previousSite?.config);
  const problems: string[] = config?.problem ? [config.problem] : [];
  const settings = config?.settings ?? {};
  const docsDir = (typeof settings.docs_dir === 'string' ? settings.docs_dir : 'docs').replace(/^\.\//, '').replace(/\/+$/, '');
  const listed = (await reader.list(docsDir)).filter((path) => path.endsWith('.md')).map((path) => path.slice(docsDir.length + 1));
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
    nav.length > 0 ? nav : listed.sort((a, b) => (a === 'index.md' ? -1 : b === 'index.md' ? 1 : a < b ? -1 : 1)).map((path) => ({ path, level: path.split('/').length }));
  const pages: SitePage[] = [];
  // Where the reader can say what a file is without reading it, a file that is unchanged or too large is not read.
  const described = await Promise.all(entries.map((entry) => reader.describe?.(`${docsDir}/${entry.path}`)));
  const contents = await Promise.all(
    entries.map((entry, position) => {
      const about = described[position];
      if (reader.describe && (!about || about.size > MAX_PAGE_BYTES || previous.get(entry.path)?.hash === about.fingerprint)) return undefined;
      return reader.read(`${docsDir}/${entry.path}`);
    }),
  );
  for (const [position, entry] of entries.entries()) {
    const file = `${docsDir}/${entry.path}`;
    const about = described[position];
    const known = previous.get(entry.path);
    const size = about?.size ?? contents[position]?.length;
    if (size === undefined) {
      problems.push(`${file}: the nav names this page, and it is not there`);
      continue;
    }
    if (size > MAX_PAGE_BYTES) {
      problems.push(`${file}: ${size} bytes, more than the ${MAX_PAGE_BYTES} a page may have to be indexed`);
      continue;
    }
    const bytes = contents[position];
    const hash = about?.fingerprint ?? createHash('sha256').update(bytes!).digest('hex');
    if (known?.hash === hash || !bytes) {
      pages.push({ ...known!, level: entry.level, ...(entry.title ? { title: entry.title } : {}) });
      continue;
    }
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      problems.push(`${file}: not UTF-8 text`);
      continue;
    }
    const split = splitSections(text, '');
    const title = entry.title ?? titleOf(entry.path, split);
    // The text above the first heading belongs to the page itself.
    const sections = split.map((section) => (section.level === 0 ? { ...section, heading: title } : section));
    pages.push({ path: entry.path, title, level: entry.level, sections, hash });
  }
  return { siteName: typeof settings.site_name === 'string' ? settings.site_name : 'Documentation Site', ...(config ? { config } : {}), docsDir, pages, problems };
}
