import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepository {
  defaultBranch?: string;
  archived?: boolean;
  /** path -> content on the default branch */
  files: Record<string, string>;
}

/** Makes the next requests whose path matches answer with this status (and headers) instead. */
export interface InjectedFailure {
  match: RegExp;
  status: number;
  headers?: Record<string, string>;
  /** GitHub tells a secondary rate limit apart by its message. */
  message?: string;
  times?: number;
}

/**
 * A loopback server speaking the slice of GitHub's REST API Callboard reads: repository contents
 * (raw), git trees, organisation repository listings. Octokit is pointed at it through `baseUrl`,
 * exactly as at a GitHub Enterprise Server.
 */
export async function startFakeGitHub(orgs: Record<string, Record<string, FakeRepository>>) {
  const failures: InjectedFailure[] = [];
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const failure = failures.find((candidate) => candidate.match.test(url.pathname));
    if (failure) {
      if (failure.times !== undefined && --failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
      return send(response, failure.status, { message: failure.message ?? 'injected failure' }, failure.headers);
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'orgs' && parts[2] === 'repos') {
      const repos = orgs[parts[1]!];
      if (!repos) return send(response, 404, { message: 'Not Found' });
      return send(
        response,
        200,
        Object.entries(repos).map(([name, repo]) => ({
          name,
          owner: { login: parts[1] },
          default_branch: repo.defaultBranch ?? 'main',
          archived: repo.archived ?? false,
          html_url: `https://github.com/${parts[1]}/${name}`,
        })),
      );
    }
    const repo = parts[0] === 'repos' ? orgs[parts[1]!]?.[parts[2]!] : undefined;
    if (!repo) return send(response, 404, { message: 'Not Found' });
    if (parts[3] === 'contents') {
      const content = repo.files[parts.slice(4).join('/')];
      if (content === undefined) return send(response, 404, { message: 'Not Found' });
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return response.end(content);
    }
    if (parts[3] === 'git' && parts[4] === 'trees') {
      return send(response, 200, { tree: Object.keys(repo.files).map((path) => ({ path, type: 'blob' })) });
    }
    if (parts.length === 3) return send(response, 200, { default_branch: repo.defaultBranch ?? 'main' });
    return send(response, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    orgs,
    requests,
    fail(failure: InjectedFailure) {
      failures.push(failure);
    },
    clearFailures() {
      failures.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
