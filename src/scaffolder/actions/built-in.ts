import type { GitHubClient, GitHubPublisher } from '../../github/github-client.js';
import type { ScaffolderAction } from './action.js';
import { catalogRegister, type CatalogRegistrar } from './catalog-register.js';
import { debugLog } from './debug-log.js';
import { fetchPlain, fetchTemplate } from './fetch-template.js';
import { skeletonSource } from './skeleton-source.js';
import { notificationSend } from './notification-send.js';
import { publishGitHub } from './publish-github.js';
import { publishLocal } from './publish-local.js';

export interface BuiltInActionDeps {
  catalog: CatalogRegistrar;
  /** The folder publish:local creates repositories under. */
  localRepositories: string;
  /** GitHub per host, for publish:github; without it, no host is configured. */
  github?: (host: string) => GitHubPublisher | undefined;
  /** Hosts whose publish:github steps publish locally instead (see callboard.scaffolder.publisher). */
  publishesLocally?: (host: string) => boolean;
  /** GitHub per host for reading, where the skeletons of templates the catalog read from GitHub are. */
  readers?: (host: string) => GitHubClient | undefined;
}

/** The actions Callboard ships; an action is one file, listed here. */
export function builtInActions({ catalog, localRepositories, github = () => undefined, publishesLocally = () => false, readers }: BuiltInActionDeps): ScaffolderAction[] {
  const local = publishLocal(localRepositories);
  const skeletons = skeletonSource(readers);
  return [fetchTemplate(skeletons), fetchPlain(skeletons), debugLog, local, publishGitHub(github, { action: local, publishesTo: publishesLocally }), catalogRegister(catalog), notificationSend];
}
