import { ANNOTATIONS, annotationOf, sourceLocationOf, specString, type Entity } from '../model/entity.js';
import { compareStrings } from '../model/entity-ref.js';
import type { CatalogView } from './catalog-view.js';
import { KeyedIndex } from './keyed-index.js';
import { whoOwns, type EntitySummary, type OwnerAnswer } from './who-owns.js';

/** What ties a link to an entity, strongest first: between equally specific claims the stronger wins. */
const EVIDENCE_STRENGTH = ['catalog-page', 'source-location', 'catalog-file', 'project-slug', 'view-url', 'edit-url', 'link'] as const;
export type LinkEvidence = (typeof EVIDENCE_STRENGTH)[number];

export interface LinkMatch {
  entity: EntitySummary;
  /** Null when the entity declares no owner, and for a Group or User, which is an owner itself. */
  owner: OwnerAnswer | null;
  evidence: LinkEvidence;
  /** Why, in words: "repository acme/payments", "source location https://github.com/acme/mono/tree/main/pay/". */
  why: string;
  /** Other entities whose claim is as specific and as strong: the link may be theirs as much. */
  alsoMatched: string[];
}

export interface LinkOwnership {
  /** The URL as asked. */
  url: string;
  /** Null when nothing in the catalog claims the link. */
  match: LinkMatch | null;
}

export interface LinkOwnersOptions {
  /** Backstage's address (`app.baseUrl`): its entity and docs pages name their entity outright. */
  baseUrl?: string;
  /** Hosts whose paths read as GitHub's (`/<owner>/<repo>/blob/<branch>/<path>`); github.com always does. */
  gitHubHosts?: string[];
}

interface Claim {
  evidence: Exclude<LinkEvidence, 'catalog-page'>;
  /** What `why` quotes: the slug, the annotation's URL, the link's title. */
  detail: string;
  /** Matches its own URL only, never the URLs under it. */
  exactOnly: boolean;
}

/** GitHub path sections that name a file or folder: `<section>/<branch>/<path>`. Any other section (pull, issues, actions) is about the whole repository. */
const FILE_SECTIONS = new Set(['tree', 'blob', 'edit', 'raw', 'blame']);
/** Backstage's routes that carry `<namespace>/<kind>/<name>`: the entity page and its TechDocs. */
const ENTITY_ROUTES = new Set(['catalog', 'docs']);

/**
 * Answers "who owns this link?". Every URL an entity names (source location, the folder of its
 * catalog file, its GitHub repository, view and edit URLs, links) becomes a claim on that URL,
 * normalised: lower-case host without `www.`, no query, fragment, trailing slash or `.git`, and on
 * GitHub without the branch, with pull requests, issues and the like read as the repository.
 *
 * A link is matched from its full path up towards its host, so the deepest claim wins: the entity whose
 * source is `tree/main/services/payments` takes a file in that folder from the one claiming the whole
 * repository. A claim covers the URLs under it, except that a link to a bare host (a shared Grafana,
 * the wiki's front page) and a GitHub URL naming no repository match only themselves; an annotation
 * that names a bare host claims the whole host.
 *
 * The claims are indexed on first use and kept current by watching the view, so a lookup costs the
 * depth of its URL, never a pass over the catalog.
 */
export class LinkOwners {
  private readonly claims: KeyedIndex<Claim>;
  private readonly gitHubHosts: Set<string>;
  private readonly backstage: string[] | undefined;

  constructor(
    private readonly view: CatalogView,
    options: LinkOwnersOptions = {},
  ) {
    this.gitHubHosts = new Set(['github.com', ...(options.gitHubHosts ?? []).map((host) => withoutWww(host.toLowerCase()))]);
    this.backstage = options.baseUrl === undefined ? undefined : urlParts(options.baseUrl);
    this.claims = new KeyedIndex(view, (_ref, entity) => this.claimsOf(entity));
  }

  /** The owner of each URL, in the order given; a URL nothing claims (or not http(s) at all) has a null match. */
  lookup(urls: string[]): LinkOwnership[] {
    // Every lookup, even of no URL, leaves the claims indexed: later ones cost only their URLs.
    this.claims.build();
    return urls.map((url) => ({ url, match: this.entityPage(url) ?? this.claimed(url) }));
  }

  /** Each claim the entity makes, under its URL key (host and path segments joined by `/`). */
  private claimsOf(entity: Entity): [string, Claim][] {
    // A Location only points at files; it owns nothing.
    if (entity.kind === 'Location') return [];
    const found: [string, Claim][] = [];
    const claim = (key: string[] | undefined, evidence: Claim['evidence'], detail: string) => {
      if (key) found.push([key.join('/'), { evidence, detail, exactOnly: this.matchesOnlyItself(key, evidence) }]);
    };
    const source = sourceLocationOf(entity);
    const sourceKey = source === undefined ? undefined : this.linkKey(source);
    claim(sourceKey, 'source-location', source ?? '');
    const catalogFile = annotationOf(entity, ANNOTATIONS.managedByLocation)?.match(/^url:(.+)$/)?.[1];
    const catalogFileKey = catalogFile === undefined ? undefined : this.linkKey(catalogFile);
    // The catalog file's folder stands in for a missing source location, as in Backstage; only for
    // entities with an owner, since files of groups and users say nothing about who owns the folder.
    if (!sourceKey && catalogFileKey && catalogFileKey.length > 1 && specString(entity, 'owner')) claim(catalogFileKey.slice(0, -1), 'catalog-file', catalogFile!);
    const slug = annotationOf(entity, ANNOTATIONS.projectSlug)?.trim();
    if (slug && /^[^/\s]+\/[^/\s]+$/.test(slug)) {
      // The slug names a repository on the GitHub host the entity's own files live on.
      const host = [sourceKey?.[0], catalogFileKey?.[0]].find((candidate) => candidate !== undefined && this.gitHubHosts.has(candidate)) ?? 'github.com';
      claim(this.linkKey(`https://${host}/${slug}`), 'project-slug', slug);
    }
    for (const [annotation, evidence] of [
      [ANNOTATIONS.viewUrl, 'view-url'],
      [ANNOTATIONS.editUrl, 'edit-url'],
    ] as const) {
      const url = annotationOf(entity, annotation);
      if (url) claim(this.linkKey(url), evidence, url);
    }
    for (const link of entity.metadata.links ?? []) claim(this.linkKey(link.url), 'link', link.title || link.url);
    return found;
  }

  private matchesOnlyItself(key: string[], evidence: Claim['evidence']): boolean {
    if (this.gitHubHosts.has(key[0]!) && key.length < 3) return true;
    return key.length === 1 && evidence === 'link';
  }

  /** `<baseUrl>/catalog/<namespace>/<kind>/<name>[/tab]` (or `/docs/...`) of an entity the catalog holds. */
  private entityPage(url: string): LinkMatch | undefined {
    const parts = this.backstage && urlParts(url);
    if (!parts || !this.backstage!.every((part, index) => parts[index] === part)) return undefined;
    const [route, namespace, kind, name] = parts.slice(this.backstage!.length);
    if (!route || !ENTITY_ROUTES.has(route) || !namespace || !kind || !name) return undefined;
    const ref = `${kind}:${namespace}/${name}`.toLowerCase();
    return this.view.has(ref) ? this.describe(ref, 'catalog-page', 'its catalog page', []) : undefined;
  }

  private claimed(url: string): LinkMatch | null {
    const key = this.linkKey(url);
    if (!key) return null;
    for (let depth = key.length; depth >= 1; depth--) {
      const candidates = this.claims.get(key.slice(0, depth).join('/')).filter(({ value }) => depth === key.length || !value.exactOnly);
      if (candidates.length === 0) continue;
      const strongest = Math.min(...candidates.map(({ value }) => EVIDENCE_STRENGTH.indexOf(value.evidence)));
      const best = candidates.filter(({ value }) => EVIDENCE_STRENGTH.indexOf(value.evidence) === strongest).sort((a, b) => compareStrings(a.ref, b.ref));
      const first = best[0]!;
      const others = [...new Set(best.map(({ ref }) => ref))].filter((ref) => ref !== first.ref);
      return this.describe(first.ref, first.value.evidence, reason(first.value), others);
    }
    return null;
  }

  private describe(ref: string, evidence: LinkEvidence, why: string, alsoMatched: string[]): LinkMatch {
    const answer = whoOwns(this.view, ref);
    return { entity: answer.match!, owner: answer.owner, evidence, why, alsoMatched };
  }

  /** The normalised URL as `[host, ...path segments]`, or undefined for anything but an http(s) URL. */
  private linkKey(url: string): string[] | undefined {
    const parts = urlParts(url);
    if (!parts) return undefined;
    const [host, ...path] = parts as [string, ...string[]];
    if (!this.gitHubHosts.has(host)) {
      if (path.length > 0) path[path.length - 1] = withoutGitSuffix(path[path.length - 1]!);
      return [host, ...path];
    }
    if (path.length < 2) return [host, ...path.map((segment) => segment.toLowerCase())];
    const [owner, repository, section, , ...file] = path as [string, string, ...string[]];
    const repositoryKey = [host, owner.toLowerCase(), withoutGitSuffix(repository).toLowerCase()];
    return section !== undefined && FILE_SECTIONS.has(section) ? [...repositoryKey, ...file] : repositoryKey;
  }
}

function reason(claim: Claim): string {
  switch (claim.evidence) {
    case 'source-location':
      return `source location ${claim.detail}`;
    case 'catalog-file':
      return `catalog file ${claim.detail}`;
    case 'project-slug':
      return `repository ${claim.detail}`;
    case 'view-url':
      return `view URL ${claim.detail}`;
    case 'edit-url':
      return `edit URL ${claim.detail}`;
    case 'link':
      return `link "${claim.detail}"`;
  }
}

/** `[host, ...decoded path segments]` of an http(s) URL: host lower-case without `www.`, no empty segments. */
function urlParts(raw: string): string[] | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return [withoutWww(url.host), ...url.pathname.split('/').filter(Boolean).map(decodeSegment)];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A stray `%` is part of the name, not an escape.
    return segment;
  }
}

function withoutWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

function withoutGitSuffix(segment: string): string {
  return segment.length > 4 && segment.toLowerCase().endsWith('.git') ? segment.slice(0, -4) : segment;
}
