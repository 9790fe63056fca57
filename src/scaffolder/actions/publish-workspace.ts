import { parseRepoUrl } from '../template-filters.js';
import { ActionError } from './action.js';
import { readSkeleton, targetFolder, type SkeletonFile } from './workspace-files.js';
import { assertWorkspaceYaml } from './workspace-yaml.js';

/** The repository a publish step's `repoUrl` names (RepoUrlPicker's `host?owner=o&repo=r`); it must name an owner. */
export function repositoryOf(repoUrl: unknown): { host: string; account: string; repo: string } {
  const { host, owner, organization, repo } = parseRepoUrl(repoUrl);
  const account = owner ?? organization;
  if (!account) throw new ActionError(`${String(repoUrl)} names no owner (owner=...)`);
  return { host, account, repo };
}

/**
 * What a publish step publishes: the workspace (or its `sourcePath`), its YAML checked (see
 * assertWorkspaceYaml) and read in full under the skeleton limits, refusing links out of it,
 * before anything is written anywhere.
 */
export function filesToPublish(workspace: string, sourcePath: unknown): SkeletonFile[] {
  const source = targetFolder(workspace, sourcePath);
  assertWorkspaceYaml(source);
  return readSkeleton(source, 'the workspace');
}
