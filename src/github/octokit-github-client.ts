import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { ExternalServiceError, NotFoundError } from '../errors.js';
import type { GitHubClient, RepositoryFileRef, RepositorySummary } from './github-client.js';

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
export class OctokitGitHubClient implements GitHubClient {
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
  return new ExternalServiceError('github', `GitHub: ${what} failed: ${reason}${hint}`, transient, { cause: error, status });
}
