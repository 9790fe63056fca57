/** The GitHub verbs Callboard uses; OctokitGitHubClient is the real one, tests use it against a loopback server. */
export interface RepositoryFileRef {
  owner: string;
  repo: string;
  /** Branch, tag or commit; the default branch when absent. */
  ref?: string;
  path: string;
}

export interface FolderEntry {
  path: string;
  sha: string;
  size: number;
  /** Git's file mode: 100644, 100755 (executable), 120000 (link). */
  mode: string;
}

export interface FolderFile {
  /** Relative to the folder, with `/` separators. */
  path: string;
  content: Buffer;
  /** 0o755 for an executable, else 0o644. */
  mode: number;
}

export interface RepositorySummary {
  owner: string;
  name: string;
  defaultBranch: string;
  archived: boolean;
  htmlUrl: string;
}

/** What scorecards read of a repository: its settings, its default branch, and the files that matter at its top. */
export interface RepositoryHealth {
  defaultBranch: string;
  archived: boolean;
  /** The license's SPDX id as GitHub detects it (`NOASSERTION` for one it cannot name); null for none. */
  license: string | null;
  /** Whether the default branch is protected. */
  branchProtected: boolean;
  /** When the default branch's last commit was made (ISO 8601). */
  lastCommitAt: string | null;
  /** File paths at the root and in `.github/`, `.github/workflows/` and `docs/` (one level each). */
  files: string[];
}

export interface GitHubClient {
  /** The file's text; throws NotFoundError when absent, ExternalServiceError (with `transient`) otherwise. */
  readFile(file: RepositoryFileRef): Promise<string>;
  /** Every file path in the repository at `ref`, for glob targets. */
  listFiles(repo: { owner: string; repo: string; ref?: string }): Promise<string[]>;
  /**
   * Every file under a folder at `ref` (a template's skeleton), byte for byte, paths relative to
   * it. A folder past `limits` is refused (ExternalServiceError, not transient) before any file is read.
   */
  readFolder(folder: RepositoryFileRef, limits: { files: number; bytes: number }): Promise<FolderFile[]>;
  /** The files under a folder at `ref` without their contents: path (relative to it), git blob sha and size. */
  listFolder(folder: RepositoryFileRef): Promise<FolderEntry[]>;
  /** One file's bytes by its git blob sha (from listFolder). */
  readBlob(repo: { owner: string; repo: string }, sha: string): Promise<Buffer>;
  listOrganizationRepositories(organization: string): Promise<RepositorySummary[]>;
  /** Throws NotFoundError for a repository that is gone or hidden from the token. */
  repositoryHealth(repo: { owner: string; repo: string }): Promise<RepositoryHealth>;
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

export interface RepositorySettings {
  description?: string;
  homepage?: string;
  visibility: 'private' | 'internal' | 'public';
  hasIssues?: boolean;
  hasWiki?: boolean;
  hasProjects?: boolean;
  deleteBranchOnMerge?: boolean;
  allowMergeCommit?: boolean;
  allowSquashMerge?: boolean;
  allowRebaseMerge?: boolean;
  allowAutoMerge?: boolean;
}

export interface PublishedRepository {
  owner: string;
  name: string;
  htmlUrl: string;
  cloneUrl: string;
  defaultBranch: string;
  createdAt: string;
  description: string | null;
}

export interface BranchProtection {
  requiredApprovingReviewCount: number;
  requireCodeOwnerReviews: boolean;
  dismissStaleReviews: boolean;
  requireLastPushApproval: boolean;
  enforceAdmins: boolean;
  requiredStatusCheckContexts: string[];
  requireBranchesToBeUpToDate: boolean;
  requiredConversationResolution: boolean;
  requiredLinearHistory: boolean;
}

export interface CommitFile {
  path: string;
  content: Buffer;
  /** 0o755 for an executable file; anything else is written as a plain file. */
  mode: number;
}

/** The GitHub verbs publishing a new repository takes (publish:github). */
export interface GitHubPublisher {
  /** The same publisher, whose requests also stop when `signal` aborts. */
  abortingOn(signal: AbortSignal): GitHubPublisher;
  /** The repository, or undefined when there is none. */
  findRepository(owner: string, name: string): Promise<PublishedRepository | undefined>;
  /**
   * Creates it in the organisation `owner`, or for the token's own user when `owner` is that user.
   * `answerLost`: GitHub made it on an attempt whose answer was lost (a 5xx, a timeout), and it was
   * recognised as ours: made since the call began, with our description.
   */
  createRepository(owner: string, name: string, settings: RepositorySettings): Promise<{ repository: PublishedRepository; answerLost: boolean }>;
  /** One commit holding exactly `files`, with no parent, made the head of `branch` and the default branch. */
  commitFiles(repository: PublishedRepository, branch: string, commit: { message: string; author: { name: string; email: string }; files: CommitFile[] }): Promise<string>;
  setTopics(owner: string, name: string, topics: string[]): Promise<void>;
  /** `grantee` is `org/team`, a team slug of the owner's organisation, or a user login. */
  grantAccess(owner: string, name: string, grantee: { team?: string; user?: string }, permission: string): Promise<void>;
  protectBranch(owner: string, name: string, branch: string, protection: BranchProtection): Promise<void>;
}
