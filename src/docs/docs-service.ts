import type { CatalogService } from '../catalog/catalog-service.js';
import { mapWithLimit } from '../catalog/ingestion/map-with-limit.js';
import { resolveQuery } from '../catalog/answers/who-owns.js';
import { annotationOf, ANNOTATIONS, sourceLocationOf, type Entity } from '../catalog/model/entity.js';
import type { CatalogProblem } from '../catalog/processing/catalog-problem.js';
import { DocsIndex, type SectionHit } from './docs-index.js';
import { docsPlaceOf, pageUrl, type DocsPlace } from './entity-docs.js';
import { localDocsReader } from './local-docs-reader.js';
import { githubDocsReader } from './github-docs-reader.js';
import { errorMessage } from '../errors.js';
import { formatGitHubUrl, type GitHubClient } from '../github/github-client.js';
import { readDocsSite, type DocsSite } from './mkdocs-site.js';

export interface DocLink {
  title: string;
  url: string;
}

export interface TocEntry extends DocLink {
  level: number;
}

/** `callboard docs QUERY`'s answer: an entity's links and contents, or the best sections for a question. */
export interface DocsAnswer {
  query: string;
  entity: string | null;
  links: DocLink[];
  toc: TocEntry[];
  sections: SectionHit[];
  /** Why an entity has no docs to show, when it has none. */
  problems: string[];
}

/** A docs problem, on the entity whose docs it is in; `file` is the docs folder (or the entity's file). */
export interface DocsProblem {
  entity: string;
  file: string;
  message: string;
}

export interface DocsService {
  /** Reads every entity's docs site again (unchanged pages are not split again) and indexes its sections. */
  refresh(): Promise<{ sites: number; sections: number; problems: DocsProblem[] }>;
  answer(query: string, limit?: number): DocsAnswer;
  /** The last refresh's docs problems, as catalog warnings: `catalog problems` and App Home list them beside the catalog's. */
  problems(): CatalogProblem[];
}

/** Where a site is, for people: its folder on disk or in the repository. */
function siteLocation(place: DocsPlace): string {
  return place.folder ?? (place.remote ? formatGitHubUrl(place.remote, 'tree') : 'the docs folder');
}

/** Entity links that are documentation by their icon or title (Backstage's `docs` icon, a runbook, a handbook...). */
const DOC_LINK = /\b(docs?|documentation|runbooks?|handbook|guides?|wiki|manual|playbook)\b/i;

interface ReadSite {
  place: DocsPlace;
  site: DocsSite;
  signature: string;
}

/** Sites read at once in a refresh. */
const SITES_AT_ONCE = 16;

/** What a site's indexed sections depend on. */
function siteSignature(place: DocsPlace, site: DocsSite): string {
  return JSON.stringify([place.links, site.siteName, site.docsDir, site.pages.map((page) => [page.path, page.hash, page.title, page.level])]);
}

/** Headings of this level or above appear in a site's contents (level 1 is the page's own title). */
const TOC_HEADING_LEVEL = 2;

/**
 * Docs as TechDocs has them (see entity-docs.ts), read from the catalog files' folders on disk,
 * split into sections and searched. Links go to Backstage's TechDocs when `backstageUrl` is set,
 * else to the repository, else to the files.
 */
export interface DocsServiceDeps {
  catalog: CatalogService;
  /** Backstage's app.baseUrl: page links go to its TechDocs reader. */
  backstageUrl?: string;
  /** GitHub per host, for docs not on disk (the catalog's clients and tokens). */
  github?: (host: string) => GitHubClient | undefined;
}

export function createDocsService({ catalog, backstageUrl, github = () => undefined }: DocsServiceDeps): DocsService {
  let sites = new Map<string, ReadSite>();
  const index = new DocsIndex();
  let problems: DocsProblem[] = [];
  const placeOf = (ref: string, entity: Entity) => docsPlaceOf(ref, entity, { ...(backstageUrl ? { backstageUrl } : {}), entityOf: (other) => catalog.view.get(other) });

  const linksOf = (entity: Entity, read: ReadSite | undefined, place: DocsPlace | undefined): DocLink[] => {
    const links: DocLink[] = [];
    if (read && place) {
      const home = place.subPath ? `${place.subPath}/index.md` : (read.site.pages[0]?.path ?? 'index.md');
      const url = pageUrl(place, read.site.docsDir, home);
      if (url) links.push({ title: read.site.siteName, url });
    }
    for (const link of entity.metadata.links ?? []) {
      if (link.url && (link.icon === 'docs' || DOC_LINK.test(link.title ?? ''))) links.push({ title: link.title ?? link.url, url: link.url });
    }
    const source = sourceLocationOf(entity);
    if (source && /^https?:/.test(source)) links.push({ title: 'README', url: new URL('README.md', source.endsWith('/') ? source : `${source}/`).href.replace('/tree/', '/blob/') });
    return links.filter((link, position) => links.findIndex((other) => other.url === link.url) === position);
  };

  /** On disk when the catalog file's folder has the site, else from GitHub; undefined when neither has one. */
  const readSite = async (place: DocsPlace, previous: DocsSite | undefined): Promise<DocsSite | undefined> => {
    const local = place.folder ? await readDocsSite(localDocsReader(place.folder, place.boundary), previous) : undefined;
    if (local || !place.remote) return local;
    const client = github(place.remote.host);
    if (!client) throw new UnconfiguredHostError(place.remote.host);
    return readDocsSite(githubDocsReader(client, place.remote), previous);
  };

  const refreshNow = async () => {
    const next = new Map<string, ReadSite>();
    const found: DocsProblem[] = [];
    const owners: { ref: string; entity: Entity; place: DocsPlace }[] = [];
    for (const ref of catalog.view.refs()) {
      const entity = catalog.view.get(ref);
      if (!entity) continue;
      const place = placeOf(ref, entity);
      if (typeof place === 'string') found.push({ entity: ref, file: (annotationOf(entity, ANNOTATIONS.managedByLocation) ?? ref).replace(/^(file|url):/, ''), message: place });
      // Borrowers read nothing of their own: their lender's site is read for the lender.
      if (typeof place === 'object' && place.ref === ref && (place.folder || place.remote)) owners.push({ ref, entity, place });
    }
    const readOne = async ({ ref, entity, place }: (typeof owners)[number]) => {
      const known = sites.get(ref);
      let site: DocsSite | undefined;
      try {
        site = await readSite(place, known?.site);
      } catch (error) {
        // A host never to be called is not an outage: nothing is kept, and the fix is in the config.
        if (error instanceof UnconfiguredHostError) {
          found.push({ entity: ref, file: siteLocation(place), message: error.message });
          index.replaceSite(ref, []);
          return;
        }
        // GitHub unreachable or refusing: what was read before stays, marked as such.
        found.push({ entity: ref, file: siteLocation(place), message: `the docs could not be read (${errorMessage(error)}); ${known ? 'the last ones read are kept' : 'nothing indexed yet'}` });
        if (known) next.set(ref, known);
        return;
      }
      if (!site) {
        found.push({ entity: ref, file: siteLocation(place), message: 'no mkdocs.yml and no Markdown under docs/' });
        index.replaceSite(ref, []);
        return;
      }
      for (const problem of site.problems) found.push({ entity: ref, file: siteLocation(place), message: problem });
      const read: ReadSite = { place, site, signature: siteSignature(place, site) };
      next.set(ref, read);
      // An unchanged site (every page's bytes, its place and settings) stays indexed as it was.
      if (known?.signature === read.signature) return;
      const entityTitle = entity.metadata.title ?? entity.metadata.name;
      index.replaceSite(
        ref,
        site.pages.flatMap((page) =>
          page.sections.map((section) => ({ entity: ref, entityTitle, page: page.path, pageTitle: page.title, heading: section.heading, level: section.level, url: pageUrl(place, site.docsDir, page.path, section.anchor), text: section.text })),
        ),
      );
    };
    // A few sites at a time: each is many small files.
    await mapWithLimit(owners, SITES_AT_ONCE, readOne);
    for (const ref of index.sites()) if (!next.has(ref)) index.replaceSite(ref, []);
    sites = next;
    problems = found;
    return { sites: next.size, sections: index.size, problems: found };
  };
  // One at a time: a scheduled refresh may come while the last one still reads GitHub.
  let refreshing: Promise<unknown> = Promise.resolve();

  return {
    refresh() {
      const run = refreshing.then(refreshNow, refreshNow);
      refreshing = run.catch(() => undefined);
      return run;
    },
    answer(query, limit = 5) {
      const trimmed = query.trim();
      const ref = resolveQuery(catalog.view, trimmed);
      const entity = ref ? catalog.view.get(ref) : undefined;
      if (!ref || !entity) return { query: trimmed, entity: null, links: [], toc: [], sections: index.find(trimmed, limit), problems: [] };
      const place = placeOf(ref, entity);
      const read = typeof place === 'object' ? sites.get(place.ref) : undefined;
      const toc: TocEntry[] = [];
      if (read && typeof place === 'object') {
        for (const page of read.site.pages) {
          if (place.subPath && !page.path.startsWith(`${place.subPath}/`)) continue;
          toc.push({ title: page.title, url: pageUrl(place, read.site.docsDir, page.path), level: page.level });
          for (const section of page.sections) {
            if (section.level >= 2 && section.level <= TOC_HEADING_LEVEL) toc.push({ title: section.heading, url: pageUrl(place, read.site.docsDir, page.path, section.anchor), level: page.level + 1 });
          }
        }
      }
      const why = typeof place === 'string' ? [place] : place === undefined ? ['no backstage.io/techdocs-ref annotation: add `backstage.io/techdocs-ref: dir:.` beside an mkdocs.yml'] : [];
      const own = problems.filter((problem) => problem.entity === (typeof place === 'object' ? place.ref : ref)).map((problem) => problem.message);
      return { query: trimmed, entity: ref, links: linksOf(entity, read, typeof place === 'object' ? place : undefined), toc, sections: [], problems: [...why, ...own] };
    },
    problems: () => problems.map((problem) => ({ severity: 'warning', file: problem.file, ref: problem.entity, message: `docs: ${problem.message}` })),
  };
}

/** Docs on a host Callboard is not configured to call: never read, whatever the annotation says. */
class UnconfiguredHostError extends Error {
  constructor(host: string) {
    super(`the docs are on ${host}, which is not among integrations.github, so they are not read: add the host there (with a token) to index them`);
  }
}
