import path from 'node:path';
import type { FolderEntry, GitHubClient, GitHubUrl } from '../github/github-client.js';
import type { DocsReader } from './mkdocs-site.js';

/**
 * A docs folder in a GitHub repository: one listing of its tree (paths, blob shas, sizes), then
 * only the blobs asked for. A blob's sha is its fingerprint, so an unchanged page is not fetched
 * again. Paths that climb out of the folder read as missing.
 */
export function githubDocsReader(client: GitHubClient, location: GitHubUrl): DocsReader {
  let listing: Promise<Map<string, FolderEntry>> | undefined;
  const repo = { owner: location.owner, repo: location.repo };
  const entries = () =>
    (listing ??= client.listFolder({ ...repo, ...(location.ref ? { ref: location.ref } : {}), path: location.path.replace(/\/+$/, '') }).then((list) => new Map(list.map((entry) => [entry.path, entry]))));
  const inside = (relative: string) => {
    const normal = path.posix.normalize(relative);
    return normal.startsWith('..') || path.posix.isAbsolute(normal) ? undefined : normal;
  };
  const entryOf = async (relative: string) => {
    const normal = inside(relative);
    return normal === undefined ? undefined : (await entries()).get(normal);
  };
  return {
    async read(relative) {
      const entry = await entryOf(relative);
      return entry && entry.mode !== '120000' ? client.readBlob(repo, entry.sha) : undefined;
    },
    async list(folder) {
      const prefix = `${inside(folder) ?? ''}/`;
      return [...(await entries()).keys()].filter((file) => file.startsWith(prefix));
    },
    async describe(relative) {
      const entry = await entryOf(relative);
      return entry && entry.mode !== '120000' ? { fingerprint: entry.sha, size: entry.size } : undefined;
    },
  };
}
