import path from 'node:path';
import { ANNOTATIONS, annotationOf, sourceLocationOf, type Entity } from '../catalog/model/entity.js';
import { normalizeEntityRef, parseEntityRef } from '../catalog/model/entity-ref.js';
import { isInside } from '../catalog/ingestion/local-files.js';
import { parseGitHubUrl, type GitHubUrl } from '../github/github-client.js';

export const TECHDOCS_ENTITY = 'backstage.io/techdocs-entity';
export const TECHDOCS_ENTITY_PATH = 'backstage.io/techdocs-entity-path';

/** Where an entity's docs are read from, and how their pages are linked. */
export interface DocsPlace {
  /** The entity whose docs these are: the entity itself, or the one it borrows them from (techdocs-entity). */
  ref: string;
  /** A folder on disk holding mkdocs.yml; undefined when the docs are not on this machine. */
  folder?: string;
  /** The folder of the entity's catalog file: nothing out of it is read, links followed or not. */
  boundary?: string;
  /** The docs folder in a GitHub repository, read when there is none on disk. */
  remote?: GitHubUrl;
  /** Page links: Backstage's TechDocs reader, the repository on GitHub, or the files. */
  links: { type: 'techdocs'; base: string } | { type: 'repository'; base: string } | { type: 'files'; base: string };
  /** A sub-path inside the borrowed site (techdocs-entity-path). */
  subPath?: string;
}

export interface DocsPlaceOptions {
  /** Backstage's app.baseUrl: pages link to its TechDocs reader. */
  backstageUrl?: string;
  /** Reads an entity by ref (for techdocs-entity). */
  entityOf(ref: string): Entity | undefined;
}

/** A GitHub folder URL (`tree/`) as the base its files are linked from (`blob/`), ending in `/`. */
function blobBase(url: string): string | undefined {
  const parsed = parseGitHubUrl(url);
  if (!parsed) return undefined;
  const folder = parsed.path.replace(/\/+$/, '');
  return `https://${parsed.host}/${parsed.owner}/${parsed.repo}/blob/${parsed.ref ?? 'HEAD'}/${folder ? `${folder}/` : ''}`;
}

/**
 * Where an entity's docs are, as TechDocs finds them: `backstage.io/techdocs-entity` borrows another
 * entity's (one step, never in a loop); `backstage.io/techdocs-ref: dir:<path>` is resolved against
 * the catalog file the entity was read from and read there (on disk, or in the GitHub repository of
 * its source location), and linked from its source location; `url:<url>` names a repository
 * folder. Undefined without docs; a string says why
 * the annotation cannot be used.
 */
export function docsPlaceOf(ref: string, entity: Entity, options: DocsPlaceOptions, borrowed = false): DocsPlace | string | undefined {
  const lender = annotationOf(entity, TECHDOCS_ENTITY)?.trim();
  if (lender && !borrowed) {
    let lenderRef: string;
    try {
      lenderRef = normalizeEntityRef(lender, { defaultKind: 'component', defaultNamespace: entity.metadata.namespace ?? 'default' });
    } catch (error) {
      return `${TECHDOCS_ENTITY}: ${(error as Error).message}`;
    }
    const lenderEntity = options.entityOf(lenderRef);
    if (!lenderEntity) return `${TECHDOCS_ENTITY} names ${lenderRef}, which is not in the catalog`;
    const place = docsPlaceOf(lenderRef, lenderEntity, options, true);
    const subPath = annotationOf(entity, TECHDOCS_ENTITY_PATH)?.replace(/^\/+|\/+$/g, '');
    return typeof place === 'object' && subPath ? { ...place, subPath } : place;
  }
  const reference = annotationOf(entity, ANNOTATIONS.techdocsRef)?.trim();
  if (!reference) return undefined;
  const techdocs = options.backstageUrl ? techdocsBase(options.backstageUrl, ref) : undefined;
  if (reference.startsWith('url:')) {
    const base = blobBase(reference.slice(4));
    const remote = parseGitHubUrl(reference.slice(4));
    if (!base || !remote) return `${ANNOTATIONS.techdocsRef}: ${reference} is not a GitHub folder URL`;
    return { ref, remote, links: techdocs ? { type: 'techdocs', base: techdocs } : { type: 'repository', base } };
  }
  if (!reference.startsWith('dir:')) return `${ANNOTATIONS.techdocsRef}: ${reference} starts with neither dir: nor url:`;
  const relative = reference.slice(4).trim() || '.';
  const managedBy = annotationOf(entity, ANNOTATIONS.managedByLocation) ?? '';
  let folder: string | undefined;
  if (managedBy.startsWith('file:')) {
    const catalogFolder = path.dirname(managedBy.slice(5));
    folder = path.resolve(catalogFolder, relative);
    if (!isInside(catalogFolder, folder)) return `${ANNOTATIONS.techdocsRef}: ${reference} leaves the folder of the entity's catalog file`;
  }
  const source = sourceLocationOf(entity) ?? (managedBy.startsWith('url:') ? new URL('.', managedBy.slice(4)).href : undefined);
  const docsUrl = source ? new URL(`${relative.replace(/\/+$/, '')}/`, source.endsWith('/') ? source : `${source}/`).href : undefined;
  const repository = docsUrl ? blobBase(docsUrl) : undefined;
  // Read from where the catalog file was read: a catalog on disk has its docs on disk.
  const remote = docsUrl && !managedBy.startsWith('file:') ? parseGitHubUrl(docsUrl) : undefined;
  // dir: is a folder of the entity's own repository: one that climbs into another is not read with our token.
  const home = source ? parseGitHubUrl(source) : undefined;
  if (remote && (!home || remote.host !== home.host || remote.owner !== home.owner || remote.repo !== home.repo || remote.ref !== home.ref)) {
    return `${ANNOTATIONS.techdocsRef}: ${reference} leaves the entity's repository`;
  }
  if (!folder && !remote) return `${ANNOTATIONS.techdocsRef}: ${reference} cannot be read: the entity's source location (${source ?? 'none'}) is not a GitHub folder with a branch (https://github.com/OWNER/REPO/tree/BRANCH/)`;
  const links: DocsPlace['links'] = techdocs ? { type: 'techdocs', base: techdocs } : repository ? { type: 'repository', base: repository } : { type: 'files', base: folder ? `file://${folder}/` : '' };
  const boundary = managedBy.startsWith('file:') ? path.dirname(managedBy.slice(5)) : undefined;
  return { ref, ...(folder ? { folder } : {}), ...(boundary ? { boundary } : {}), ...(remote ? { remote } : {}), links };
}

/** `<app.baseUrl>/docs/<namespace>/<kind>/<name>/`, as Backstage's TechDocs reader serves it. */
function techdocsBase(backstageUrl: string, ref: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `${backstageUrl.replace(/\/+$/, '')}/docs/${namespace}/${kind}/${name}/`.toLowerCase();
}

/**
 * A page's link (and a heading's anchor in it). TechDocs serves `guides/keys.md` at `guides/keys/`
 * and `index.md` (else `README.md`) at the site's root; the repository and the files link the Markdown itself.
 */
export function pageUrl(place: DocsPlace, docsDir: string, page: string, anchor = ''): string {
  const hash = anchor ? `#${anchor}` : '';
  if (place.links.type === 'techdocs') {
    // A README.md is served as its folder's index when the folder has no index.md (the site's reading left it out otherwise).
    const route = page.replace(/(^|\/)(index|readme)\.md$/i, '$1').replace(/\.md$/, '/');
    return `${place.links.base}${route}${hash}`;
  }
  if (!place.links.base) return '';
  return `${place.links.base}${docsDir}/${page.split('/').map(encodeURIComponent).join('/')}${hash}`;
}
