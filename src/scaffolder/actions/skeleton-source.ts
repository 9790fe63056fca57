import { parseGitHubUrl, type GitHubClient } from '../../github/github-client.js';
import type { TemplateBase } from '../template-definition.js';
import { ActionError } from './action.js';
import { readSkeleton, relativeSkeletonUrl, SKELETON_LIMITS, skeletonFolder, type SkeletonFile } from './workspace-files.js';

/** Where fetch actions read a skeleton folder: next to a template on disk, or in the GitHub repository it was read from. */
export interface SkeletonSource {
  /** The files of the folder `url` names (relative to the template, never out of its folder), and where that is. */
  read(url: unknown, base: TemplateBase, what?: string): Promise<{ files: SkeletonFile[]; where: string }>;
}

/**
 * Skeletons on disk, and on GitHub for templates the catalog read from GitHub (the team's own,
 * published like any catalog file), through the same clients and tokens the catalog reads with.
 */
export function skeletonSource(github: (host: string) => GitHubClient | undefined = () => undefined): SkeletonSource {
  return {
    async read(url, base, what = 'the skeleton') {
      if (base.type === 'folder') {
        const folder = skeletonFolder(url, base);
        return { files: readSkeleton(folder, what), where: folder };
      }
      const resolved = new URL(relativeSkeletonUrl(url), base.url).href.replace(/\/+$/, '');
      if (!`${resolved}/`.startsWith(base.url)) throw new ActionError(`url ${String(url)} leaves the template's folder (${base.url}); refused`);
      const location = parseGitHubUrl(resolved);
      if (!location) throw new ActionError(`this template was read from ${base.url}; skeletons are read from disk or from GitHub only`);
      const client = github(location.host);
      if (!client) throw new ActionError(`${location.host} is not among integrations.github, so the skeleton at ${resolved} cannot be read`);
      const files = await client.readFolder({ owner: location.owner, repo: location.repo, ...(location.ref ? { ref: location.ref } : {}), path: location.path }, SKELETON_LIMITS);
      if (files.length === 0) throw new ActionError(`${what} folder ${resolved} holds no files (or does not exist)`);
      return { files, where: resolved };
    },
  };
}
