/** The GitHub verbs Callboard uses; OctokitGitHubClient is the real one, tests use it against a loopback server. */
export interface RepositoryFileRef {
  owner: string;
  repo: string;
  /** Branch, tag or commit; the default branch when absent. */
  ref?: string;
  path: string;
}

export interface RepositorySummary {
  owner: string;
  name: string;
  defaultBranch: string;
  archived: boolean;
  htmlUrl: string;
}

export interface GitHubClient {
  /** The file's text; throws NotFoundError when absent, ExternalServiceError (with `transient`) otherwise. */
  readFile(file: RepositoryFileRef): Promise<string>;
  /** Every file path in the repository at `ref`, for glob targets. */
  listFiles(repo: { owner: string; repo: string; ref?: string }): Promise<string[]>;
  listOrganizationRepositories(organization: string): Promise<RepositorySummary[]>;
}

export interface GitHubUrl {
  host: string;
  owner: string;
  repo: string;
  ref?: string;
  path: string;
}

/**
 * Reads `https://host/owner/repo/blob/ref/path` (or `/tree/`, or the bare repository URL).
 * Returns undefined for anything else. Branch names with slashes are not told apart from paths,
 * as on GitHub itself the first segment after blob/tree is taken as the ref.
 */
export function parseGitHubUrl(value: string): GitHubUrl | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // a malformed escape such as %zz
  }
  const [owner, repo, mode, ref, ...rest] = parts;
  if (!owner || !repo) return undefined;
  const repoName = repo.replace(/\.git$/, '');
  if (mode === undefined) return { host: url.host, owner, repo: repoName, path: '' };
  if ((mode !== 'blob' && mode !== 'tree') || !ref) return undefined;
  return { host: url.host, owner, repo: repoName, ref, path: rest.join('/') };
}

export function formatGitHubUrl(location: GitHubUrl, mode: 'blob' | 'tree' = 'blob'): string {
  const ref = location.ref ?? 'HEAD';
  return `https://${location.host}/${location.owner}/${location.repo}/${mode}/${ref}/${location.path}`;
}
