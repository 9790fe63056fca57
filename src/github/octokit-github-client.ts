import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { ExternalServiceError, NotFoundError } from '../errors.js';
import type { BranchProtection, CommitFile, FolderEntry, FolderFile, GitHubClient, GitHubPublisher, PublishedRepository, RepositoryFileRef, RepositoryHealth, RepositorySettings, RepositorySummary } from './github-client.js';

/** Blobs read at once when a folder is read. */
const BLOBS_AT_ONCE = 8;

export interface RetryOptions {
  /** Retries of a request that failed with a 5xx or hit a rate limit (default 2). */
  retries?: number;
  /** Server errors are retried after 1, 4, 9 ... times this (default 1000 ms). */
  retryBaseMs?: number;
  /** A rate limit asking to wait longer than this is not waited out: the refresh keeps what it had (default 10 s). */
  maxRateLimitWaitSeconds?: number;
}

export interface OctokitClientOptions extends RetryOptions {
  /** https://api.github.com, a GitHub Enterprise Server's https://host/api/v3, or a loopback server in tests. */
  baseUrl: string;
  token?: string;
  /** Each request, retries included, is abandoned after this long; Octokit has no timeout of its own. */
  timeoutMs?: number;
}

// Throttling keeps within GitHub's concurrency and secondary limits and waits out rate limits;
// retry repeats requests that failed with a server error.
const ResilientOctokit = Octokit.plugin(throttling, retry);

/** The GitHub client over @octokit/rest; failures become NotFoundError or ExternalServiceError with `transient` set. */
export class OctokitGitHubClient implements GitHubClient, GitHubPublisher {
  private readonly octokit: Octokit;
  private readonly timeoutMs: number;

  constructor(options: OctokitClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const retries = options.retries ?? 2;
    const maxWait = options.maxRateLimitWaitSeconds ?? 10;
    const waitOut = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < retries && retryAfter <= maxWait;
    this.octokit = new ResilientOctokit({
      baseUrl: options.baseUrl,
      auth: options.token,
      userAgent: 'callboard',
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      throttle: { onRateLimit: waitOut, onSecondaryRateLimit: waitOut },
      retry: { retries, retryAfterBaseValue: options.retryBaseMs ?? 1_000 },
    });
  }

  async readFile(file: RepositoryFileRef): Promise<string> {
    const response = await this.call(`reading ${file.owner}/${file.repo}/${file.path}`, () =>
      this.octokit.repos.getContent({
        owner: file.owner,
        repo: file.repo,
        path: file.path,
        ...(file.ref ? { ref: file.ref } : {}),
        mediaType: { format: 'raw' },
        request: { signal: AbortSignal.timeout(this.timeoutMs) },
      }),
    );
    const data: unknown = response.data;
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
    throw new NotFoundError(`${file.owner}/${file.repo}/${file.path} is not a file`);
  }

  async listFiles(repo: { owner: string; repo: string; ref?: string }): Promise<string[]> {
    const ref = repo.ref ?? (await this.defaultBranch(repo.owner, repo.repo));
    const response = await this.call(`listing files of ${repo.owner}/${repo.repo}`, () =>
      this.octokit.git.getTree({
        owner: repo.owner,
        repo: repo.repo,
        tree_sha: ref,
        recursive: 'true',
        request: { signal: AbortSignal.timeout(this.timeoutMs) },
      }),
    );
    if (response.data.truncated) {
      // A partial listing would silently drop the files a glob should match.
      throw new ExternalServiceError('github', `GitHub: the file tree of ${repo.owner}/${repo.repo} is too large to list in one call`, true);
    }
    return response.data.tree.filter((item) => item.type === 'blob' && item.path).map((item) => item.path!);
  }

  async listFolder(folder: RepositoryFileRef): Promise<FolderEntry[]> {
    const where = `${folder.owner}/${folder.repo}/${folder.path}`;
    const tree = (treeSha: string, recursive: boolean) =>
      this.call(`listing ${where}`, () =>
        this.octokit.git.getTree({ owner: folder.owner, repo: folder.repo, tree_sha: treeSha, ...(recursive ? { recursive: 'true' } : {}), request: { signal: AbortSignal.timeout(this.timeoutMs) } }),
      );
    // Down to the folder's own tree a level at a time: listing a whole monorepo at once would pass GitHub's limit.
    let sha = folder.ref ?? (await this.defaultBranch(folder.owner, folder.repo));
    for (const segment of folder.path.split('/').filter(Boolean)) {
      const level = await tree(sha, false);
      const entry = level.data.tree.find((item) => item.type === 'tree' && item.path === segment);
      if (!entry?.sha) return [];
      sha = entry.sha;
    }
    const response = await tree(sha, true);
    if (response.data.truncated) throw new ExternalServiceError('github', `GitHub: ${where} is too large to list in one call`, false);
    return response.data.tree.filter((item) => item.type === 'blob' && item.path && item.sha).map((item) => ({ path: item.path!, sha: item.sha!, size: item.size ?? 0, mode: item.mode ?? '100644' }));
  }

  async readBlob(repo: { owner: string; repo: string }, sha: string): Promise<Buffer> {
    const blob = await this.call(`reading blob ${sha} of ${repo.owner}/${repo.repo}`, () =>
      this.octokit.git.getBlob({ owner: repo.owner, repo: repo.repo, file_sha: sha, request: { signal: AbortSignal.timeout(this.timeoutMs) } }),
    );
    return Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8');
  }

  async readFolder(folder: RepositoryFileRef, limits: { files: number; bytes: number }): Promise<FolderFile[]> {
    const where = `${folder.owner}/${folder.repo}/${folder.path}`;
    const entries = await this.listFolder(folder);
    const link = entries.find((item) => item.mode === '120000');
    if (link) throw new ExternalServiceError('github', `${where}: ${link.path} is a symbolic link; a skeleton read from GitHub holds files only`, false);
    const bytes = entries.reduce((total, item) => total + item.size, 0);
    if (entries.length > limits.files || bytes > limits.bytes) {
      throw new ExternalServiceError('github', `${where} holds ${entries.length} files and ${bytes} bytes, more than the ${limits.files} files or ${limits.bytes} bytes a skeleton may`, false);
    }
    const files: FolderFile[] = [];
    // A few at a time: throttling keeps within GitHub's limits, this keeps within reason.
    for (let start = 0; start < entries.length; start += BLOBS_AT_ONCE) {
      const batch = entries.slice(start, start + BLOBS_AT_ONCE);
      files.push(...(await Promise.all(batch.map(async (item) => ({ path: item.path, content: await this.readBlob(folder, item.sha), mode: item.mode === '100755' ? 0o755 : 0o644 })))));
    }
    return files;
  }

  async repositoryHealth(repo: { owner: string; repo: string }): Promise<RepositoryHealth> {
    const where = `${repo.owner}/${repo.repo}`;
    const request = { signal: AbortSignal.timeout(this.timeoutMs) };
    const { data: about } = await this.call(`reading ${where}`, () => this.octokit.repos.get({ ...repo, request }));
    const branch = about.default_branch;
    const [{ data: head }, root] = await Promise.all([
      this.call(`reading branch ${branch} of ${where}`, () => this.octokit.repos.getBranch({ ...repo, branch, request })),
      this.call(`listing ${where}`, () => this.octokit.git.getTree({ ...repo, tree_sha: branch, request })),
    ]);
    const files = root.data.tree.filter((item) => item.type === 'blob').map((item) => item.path!);
    // One level down where the files scorecards look for live: .github (CODEOWNERS, workflows) and docs.
    const subtree = async (prefix: string, sha: string | undefined) => {
      if (!sha) return [];
      const { data } = await this.call(`listing ${where}/${prefix}`, () => this.octokit.git.getTree({ ...repo, tree_sha: sha, request }));
      return data.tree.map((item) => ({ path: `${prefix}/${item.path}`, type: item.type, sha: item.sha }));
    };
    const folderSha = (name: string) => root.data.tree.find((item) => item.type === 'tree' && item.path === name)?.sha;
    const [github, docs] = await Promise.all([subtree('.github', folderSha('.github')), subtree('docs', folderSha('docs'))]);
    const workflows = await subtree('.github/workflows', github.find((item) => item.type === 'tree' && item.path === '.github/workflows')?.sha);
    files.push(...[...github, ...docs, ...workflows].filter((item) => item.type === 'blob').map((item) => item.path));
    return {
      defaultBranch: branch,
      archived: about.archived,
      license: about.license?.spdx_id ?? null,
      branchProtected: head.protected,
      lastCommitAt: head.commit.commit.committer?.date ?? head.commit.commit.author?.date ?? null,
      files,
    };
  }

  async listOrganizationRepositories(organization: string): Promise<RepositorySummary[]> {
    const repositories = await this.call(`listing repositories of ${organization}`, () =>
      this.octokit.paginate(this.octokit.repos.listForOrg, {
        org: organization,
        per_page: 100,
        request: { signal: AbortSignal.timeout(this.timeoutMs * 4) },
      }),
    );
    return repositories.map((repository) => ({
      owner: repository.owner.login,
      name: repository.name,
      defaultBranch: repository.default_branch ?? 'main',
      archived: repository.archived ?? false,
      htmlUrl: repository.html_url,
    }));
  }

  async findRepository(owner: string, name: string): Promise<PublishedRepository | undefined> {
    try {
      const { data } = await this.call(`reading ${owner}/${name}`, () => this.octokit.repos.get({ owner, repo: name, request: this.timeout() }));
      return published(data);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async createRepository(owner: string, name: string, settings: RepositorySettings): Promise<{ repository: PublishedRepository; answerLost: boolean }> {
    const body = {
      name,
      description: settings.description,
      homepage: settings.homepage,
      private: settings.visibility !== 'public',
      // Enterprise organisations take "internal" too; Octokit's types list only public and private.
      visibility: settings.visibility as 'public' | 'private',
      has_issues: settings.hasIssues,
      has_wiki: settings.hasWiki,
      has_projects: settings.hasProjects,
      delete_branch_on_merge: settings.deleteBranchOnMerge,
      allow_merge_commit: settings.allowMergeCommit,
      allow_squash_merge: settings.allowSquashMerge,
      allow_rebase_merge: settings.allowRebaseMerge,
      allow_auto_merge: settings.allowAutoMerge,
      // GitHub refuses git objects in an empty repository: its first commit is replaced by ours.
      auto_init: true,
    };
    const { data: account } = await this.call(`reading the account ${owner}`, () => this.octokit.users.getByUsername({ username: owner, request: this.timeout() }));
    if (account.type !== 'Organization') {
      const { data: me } = await this.call('reading the token\'s user', () => this.octokit.users.getAuthenticated({ request: this.timeout() }));
      if (me.login.toLowerCase() !== owner.toLowerCase()) {
        throw new ExternalServiceError('github', `GitHub: ${owner} is a user other than the token's (${me.login}); a repository can be created only in an organisation or for the token's own user`, false);
      }
    }
    // Never repeated blindly (the retry plugin is off for it): GitHub may have made the repository
    // before its answer was lost, and a repeat would be refused as "name already exists".
    const request = () => ({ ...this.timeout(), retries: 0 });
    const post = () =>
      account.type === 'Organization' ? this.octokit.repos.createInOrg({ org: owner, ...body, request: request() }) : this.octokit.repos.createForAuthenticatedUser({ ...body, request: request() });
    const began = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return { repository: published((await this.call(`creating ${owner}/${name}`, post)).data), answerLost: false };
      } catch (error) {
        if (!(error instanceof ExternalServiceError) || !error.transient || attempt > CREATE_RETRIES) throw error;
        // Ours only if made since this call began, with the description we sent.
        const made = await this.findRepository(owner, name);
        if (made && Date.parse(made.createdAt) >= began - CLOCK_SKEW_MS && (made.description ?? '') === (settings.description ?? '')) return { repository: made, answerLost: true };
        if (made) throw new ExternalServiceError('github', `GitHub: ${owner}/${name} was created by someone else meanwhile`, false, { status: 422 });
        if (this.stop?.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, attempt * CREATE_RETRY_MS));
      }
    }
  }

  async commitFiles(repository: PublishedRepository, branch: string, commit: { message: string; author: { name: string; email: string }; files: CommitFile[] }): Promise<string> {
    const { owner, name: repo } = repository;
    // Each call its own time: GitHub asks for a second between writes, so a commit of many files takes many seconds.
    const request = () => this.timeout();
    const tree: { path: string; mode: '100755' | '100644'; type: 'blob'; sha: string }[] = [];
    for (const file of commit.files) {
      const { data: blob } = await this.call(`writing ${file.path} to ${owner}/${repo}`, () =>
        this.octokit.git.createBlob({ owner, repo, content: file.content.toString('base64'), encoding: 'base64', request: request() }),
      );
      tree.push({ path: file.path, mode: file.mode & 0o111 ? '100755' : '100644', type: 'blob', sha: blob.sha });
    }
    const { data: written } = await this.call(`writing the tree of ${owner}/${repo}`, () => this.octokit.git.createTree({ owner, repo, tree, request: request() }));
    const { data: made } = await this.call(`committing to ${owner}/${repo}`, () =>
      this.octokit.git.createCommit({ owner, repo, message: commit.message, tree: written.sha, parents: [], author: commit.author, request: request() }),
    );
    if (branch === repository.defaultBranch) {
      await this.call(`moving ${branch} of ${owner}/${repo}`, () => this.octokit.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: made.sha, force: true, request: request() }));
    } else {
      await this.call(`creating ${branch} in ${owner}/${repo}`, () => this.octokit.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: made.sha, request: request() }));
      await this.call(`making ${branch} the default branch of ${owner}/${repo}`, () => this.octokit.repos.update({ owner, repo, default_branch: branch, request: request() }));
      await this.call(`deleting ${repository.defaultBranch} of ${owner}/${repo}`, () => this.octokit.git.deleteRef({ owner, repo, ref: `heads/${repository.defaultBranch}`, request: request() }));
    }
    return made.sha;
  }

  async setTopics(owner: string, name: string, topics: string[]): Promise<void> {
    await this.call(`setting the topics of ${owner}/${name}`, () => this.octokit.repos.replaceAllTopics({ owner, repo: name, names: topics, request: this.timeout() }));
  }

  async grantAccess(owner: string, name: string, grantee: { team?: string; user?: string }, permission: string): Promise<void> {
    const request = this.timeout();
    if (grantee.team) {
      const [org, slug] = grantee.team.includes('/') ? grantee.team.split('/', 2) : [owner, grantee.team];
      await this.call(`giving ${grantee.team} ${permission} on ${owner}/${name}`, () =>
        this.octokit.teams.addOrUpdateRepoPermissionsInOrg({ org: org!, team_slug: slug!, owner, repo: name, permission, request }),
      );
    } else if (grantee.user) {
      await this.call(`giving ${grantee.user} ${permission} on ${owner}/${name}`, () => this.octokit.repos.addCollaborator({ owner, repo: name, username: grantee.user!, permission, request }));
    }
  }

  async protectBranch(owner: string, name: string, branch: string, protection: BranchProtection): Promise<void> {
    await this.call(`protecting ${branch} of ${owner}/${name}`, () =>
      this.octokit.repos.updateBranchProtection({
        owner,
        repo: name,
        branch,
        required_status_checks: protection.requiredStatusCheckContexts.length > 0 ? { strict: protection.requireBranchesToBeUpToDate, contexts: protection.requiredStatusCheckContexts } : null,
        enforce_admins: protection.enforceAdmins,
        required_pull_request_reviews: {
          required_approving_review_count: protection.requiredApprovingReviewCount,
          require_code_owner_reviews: protection.requireCodeOwnerReviews,
          dismiss_stale_reviews: protection.dismissStaleReviews,
          require_last_push_approval: protection.requireLastPushApproval,
        },
        restrictions: null,
        required_conversation_resolution: protection.requiredConversationResolution,
        required_linear_history: protection.requiredLinearHistory,
        request: this.timeout(),
      }),
    );
  }

  /** The same client, whose requests also stop when `signal` aborts (a template run stopped or cancelled). */
  abortingOn(signal: AbortSignal): OctokitGitHubClient {
    const bound = Object.create(this) as OctokitGitHubClient;
    bound.stop = signal;
    return bound;
  }

  private stop: AbortSignal | undefined;

  private timeout(): { signal: AbortSignal } {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return { signal: this.stop ? AbortSignal.any([timeout, this.stop]) : timeout };
  }

  private async defaultBranch(owner: string, repo: string): Promise<string> {
    const response = await this.call(`reading ${owner}/${repo}`, () =>
      this.octokit.repos.get({ owner, repo, request: { signal: AbortSignal.timeout(this.timeoutMs) } }),
    );
    return response.data.default_branch;
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classifyGitHubError(what, error);
    }
  }
}

/** Creating a repository is tried this often more after a transient failure, this much longer each time. */
const CREATE_RETRIES = 2;
const CREATE_RETRY_MS = 1_000;
/** A repository GitHub made this long before our creation began is someone else's. */
const CLOCK_SKEW_MS = 120_000;

function published(data: { owner: { login: string }; name: string; html_url: string; clone_url: string; default_branch?: string; created_at?: string | null; description?: string | null }): PublishedRepository {
  return {
    owner: data.owner.login,
    name: data.name,
    htmlUrl: data.html_url,
    cloneUrl: data.clone_url,
    defaultBranch: data.default_branch ?? 'main',
    createdAt: data.created_at ?? new Date().toISOString(),
    description: data.description ?? null,
  };
}

/** 404 is "not there"; 5xx, 429, rate-limit 403s and timeouts are transient; the rest (401, bad token) are not. */
export function classifyGitHubError(what: string, error: unknown): Error {
  const status = (error as { status?: number }).status;
  const headers = ((error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {});
  if (status === 404) return new NotFoundError(`GitHub: ${what}: not found`);
  const message = error instanceof Error ? error.message : '';
  const rateLimited =
    status === 429 ||
    (status === 403 && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined || /secondary rate limit|abuse/i.test(message)));
  const timedOut = error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError' || /aborted|timeout/i.test(error.message));
  const transient = rateLimited || timedOut || status === undefined || status >= 500;
  const reason = rateLimited ? 'rate limited' : timedOut ? 'timed out' : status ? `HTTP ${status}` : (error as Error).message;
  const hint = status === 401 ? ' (check GITHUB_TOKEN or integrations.github[].token)' : '';
  const retryAt = rateLimited ? rateLimitEnd(headers) : undefined;
  return new ExternalServiceError('github', `GitHub: ${what} failed: ${reason}${retryAt ? ` until ${retryAt.toISOString()}` : ''}${hint}`, transient, { cause: error, status, ...(retryAt ? { retryAt } : {}) });
}

/** When GitHub said a rate limit ends: Retry-After (seconds), else the primary limit's reset (epoch seconds). */
function rateLimitEnd(headers: Record<string, string | undefined>): Date | undefined {
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter)) return new Date(Date.now() + retryAfter * 1_000);
  const reset = Number(headers['x-ratelimit-reset']);
  return headers['x-ratelimit-reset'] !== undefined && Number.isFinite(reset) ? new Date(reset * 1_000) : undefined;
}
