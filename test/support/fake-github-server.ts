import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepository {
  defaultBranch?: string;
  archived?: boolean;
  /** path -> content on the default branch: text (UTF-8), or bytes as they are (a page that is not UTF-8) */
  files: Record<string, string | Buffer>;
  /** path -> git file mode, for files that are not 100644 (100755 executables, 120000 links) */
  modes?: Record<string, string>;
  /** For repositories created through the API: when, with which settings, and what was set on them since. */
  createdAt?: string;
  settings?: Record<string, unknown>;
  topics?: string[];
  protection?: Record<string, Record<string, unknown>>;
  access?: Record<string, string>;
  /** branch -> commit sha */
  refs?: Record<string, string>;
  /** The SPDX id GitHub detected, if any. */
  license?: string;
  /** When the default branch's last commit was made (default 2026-01-01). */
  lastCommitAt?: string;
  /** The commits of the default branch's history, newest first (for assertions). */
  history?: { message: string; parents: string[]; files: Record<string, { content: string; mode: string }> }[];
}

/** A file's blob sha, as the fake's trees and blobs name it. */
export const blobSha = (content: string | Buffer) => createHash('sha1').update('blob:').update(content).digest('hex');
/** A folder's tree sha. */
const treeSha = (folder: string) => createHash('sha1').update(`tree:${folder}`).digest('hex');

/** Makes the next requests whose path matches answer with this status (and headers) instead. */
export interface InjectedFailure {
  match: RegExp;
  /** Only requests with this method (default: any). */
  method?: string;
  /** Handle the request first, then answer with the failure: GitHub did the work, and the answer was lost. */
  afterHandling?: boolean;
  status: number;
  headers?: Record<string, string>;
  /** GitHub tells a secondary rate limit apart by its message. */
  message?: string;
  times?: number;
}

/**
 * A loopback server speaking the slice of GitHub's REST API Callboard uses: repository contents
 * (raw), git trees, organisation repository listings, and creating a repository with the git data
 * API (blobs, trees, commits, refs), topics, access and branch protection. Octokit is pointed at
 * it through `baseUrl`, exactly as at a GitHub Enterprise Server. `users` are user accounts (the
 * first is the token's); every other key of `orgs` is an organisation.
 */
export async function startFakeGitHub(orgs: Record<string, Record<string, FakeRepository>>, users: string[] = ['callboard-bot']) {
  const failures: InjectedFailure[] = [];
  const requests: string[] = [];
  const bodies: { method: string; path: string; body: Record<string, unknown> }[] = [];
  const objects = new Map<string, unknown>();
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    if (request.method !== 'GET') bodies.push({ method: request.method!, path: url.pathname, body });
    const failure = failures.find((candidate) => candidate.match.test(url.pathname) && (!candidate.method || candidate.method === request.method));
    if (failure) {
      if (failure.times !== undefined && --failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
      if (!failure.afterHandling) return send(response, failure.status, { message: failure.message ?? 'injected failure' }, failure.headers);
    }
    const answer = failure ? (status: number, _body: unknown) => send(response, failure.status, { message: failure.message ?? 'injected failure' }, failure.headers) : (status: number, reply: unknown) => send(response, status, reply);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (request.method !== 'GET') return write(request.method!, parts, body, answer);
    if (parts[0] === 'user' && parts.length === 1) return send(response, 200, { login: users[0] });
    if (parts[0] === 'users' && parts.length === 2) {
      if (users.includes(parts[1]!)) return send(response, 200, { login: parts[1], type: 'User' });
      return orgs[parts[1]!] ? send(response, 200, { login: parts[1], type: 'Organization' }) : send(response, 404, { message: 'Not Found' });
    }
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
      response.writeHead(200, { 'content-type': typeof content === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream' });
      return response.end(content);
    }
    if (parts[3] === 'git' && parts[4] === 'trees') {
      // A tree sha names a folder; anything else (a branch, a commit) the root.
      const folders = new Set(Object.keys(repo.files).flatMap((path) => path.split('/').slice(0, -1).map((_, depth, segments) => segments.slice(0, depth + 1).join('/'))));
      const folder = [...folders].find((candidate) => treeSha(candidate) === parts[5]) ?? '';
      const prefix = folder ? `${folder}/` : '';
      const inside = Object.entries(repo.files).filter(([path]) => path.startsWith(prefix));
      const blob = (path: string, content: string | Buffer) => ({ path, type: 'blob', mode: repo.modes?.[prefix + path] ?? '100644', size: Buffer.byteLength(content), sha: blobSha(content) });
      if (url.searchParams.get('recursive')) return send(response, 200, { tree: inside.map(([path, content]) => blob(path.slice(prefix.length), content)), truncated: false });
      const level = new Map<string, unknown>();
      for (const [path, content] of inside) {
        const [first = '', ...rest] = path.slice(prefix.length).split('/');
        level.set(first, rest.length === 0 ? blob(first, content) : { path: first, type: 'tree', mode: '040000', sha: treeSha(prefix + first) });
      }
      return send(response, 200, { tree: [...level.values()], truncated: false });
    }
    if (parts[3] === 'git' && parts[4] === 'blobs') {
      const content = Object.values(repo.files).find((candidate) => blobSha(candidate) === parts[5]);
      if (content === undefined) return send(response, 404, { message: 'Not Found' });
      return send(response, 200, { sha: parts[5], encoding: 'base64', content: (typeof content === 'string' ? Buffer.from(content, 'utf8') : content).toString('base64') });
    }
    if (parts.length === 3) return send(response, 200, repositoryJson(parts[1]!, parts[2]!, repo));
    if (parts[3] === 'branches' && parts.length === 5) {
      const date = repo.lastCommitAt ?? '2026-01-01T00:00:00Z';
      return send(response, 200, { name: parts[4], protected: Boolean(repo.protection?.[parts[4]!]), commit: { sha: repo.refs?.[parts[4]!] ?? 'head', commit: { author: { date }, committer: { date } } } });
    }
    return send(response, 404, { message: 'Not Found' });
  });

  const store = (value: unknown) => {
    const sha = createHash('sha1').update(JSON.stringify(value)).update(String(objects.size)).digest('hex');
    objects.set(sha, value);
    return sha;
  };
  type Tree = { path: string; mode: string; sha: string }[];
  type Commit = { message: string; tree: string; parents: string[] };
  const filesOf = (commitSha: string) => {
    const commit = objects.get(commitSha) as Commit;
    const tree = objects.get(commit.tree) as Tree;
    return Object.fromEntries(tree.map((entry) => [entry.path, { content: (objects.get(entry.sha) as Buffer).toString('utf8'), mode: entry.mode }]));
  };
  /** The default branch's head became `sha`: its files and history are what the contents API now serves. */
  const moved = (repo: FakeRepository, branch: string, sha: string) => {
    repo.refs = { ...repo.refs, [branch]: sha };
    if (branch !== (repo.defaultBranch ?? 'main')) return;
    const files = filesOf(sha);
    repo.files = Object.fromEntries(Object.entries(files).map(([path, file]) => [path, file.content]));
    const history: NonNullable<FakeRepository['history']> = [];
    for (let at: string | undefined = sha; at; at = (objects.get(at) as Commit).parents[0]) {
      const commit = objects.get(at) as Commit;
      history.push({ message: commit.message, parents: commit.parents, files: filesOf(at) });
    }
    repo.history = history;
  };
  const create = (owner: string, body: Record<string, unknown>, answer: (status: number, body: unknown) => void) => {
    const repos = (orgs[owner] ??= {});
    const name = String(body.name);
    if (repos[name]) return answer(422, { message: 'Repository creation failed.', errors: [{ resource: 'Repository', field: 'name', message: 'name already exists on this account' }] });
    const repo: FakeRepository = { files: {}, defaultBranch: 'main', createdAt: new Date().toISOString(), settings: body };
    repos[name] = repo;
    // auto_init: a first commit holding a README.
    const readme = store(Buffer.from(`# ${name}\n`));
    moved(repo, 'main', store({ message: 'Initial commit', tree: store([{ path: 'README.md', mode: '100644', sha: readme }]), parents: [] }));
    return answer(201, repositoryJson(owner, name, repo));
  };
  function write(method: string, parts: string[], body: Record<string, unknown>, answer: (status: number, body: unknown) => void): void {
    if (method === 'POST' && parts[0] === 'orgs' && parts[2] === 'repos') return orgs[parts[1]!] ? create(parts[1]!, body, answer) : answer(404, { message: 'Not Found' });
    if (method === 'POST' && parts[0] === 'user' && parts[1] === 'repos') return create(users[0]!, body, answer);
    if (method === 'PUT' && parts[0] === 'orgs' && parts[2] === 'teams' && parts[4] === 'repos') {
      const repo = orgs[parts[5]!]?.[parts[6]!];
      if (!repo) return answer(404, { message: 'Not Found' });
      repo.access = { ...repo.access, [`${parts[1]}/${parts[3]}`]: String(body.permission) };
      return answer(204, {});
    }
    const repo = parts[0] === 'repos' ? orgs[parts[1]!]?.[parts[2]!] : undefined;
    if (!repo) return answer(404, { message: 'Not Found' });
    const [, owner, name, section, kind, ...rest] = parts;
    if (method === 'POST' && section === 'git' && kind === 'blobs') return answer(201, { sha: store(Buffer.from(String(body.content), body.encoding === 'base64' ? 'base64' : 'utf8')) });
    if (method === 'POST' && section === 'git' && kind === 'trees') return answer(201, { sha: store(body.tree) });
    if (method === 'POST' && section === 'git' && kind === 'commits') return answer(201, { sha: store({ message: body.message, tree: body.tree, parents: body.parents ?? [] }) });
    // Octokit sends a ref as one escaped segment (heads%2Fmain); GitHub takes it either way.
    const branch = rest.join('/').replace(/^heads\//, '');
    if (method === 'PATCH' && section === 'git' && kind === 'refs') {
      moved(repo, branch, String(body.sha));
      return answer(200, { ref: `refs/heads/${branch}` });
    }
    if (method === 'POST' && section === 'git' && kind === 'refs') {
      moved(repo, String(body.ref).replace(/^refs\/heads\//, ''), String(body.sha));
      return answer(201, { ref: body.ref });
    }
    if (method === 'DELETE' && section === 'git' && kind === 'refs') {
      const { [branch]: _gone, ...kept } = repo.refs ?? {};
      repo.refs = kept;
      return answer(204, {});
    }
    if (method === 'PATCH' && section === undefined) {
      if (typeof body.default_branch === 'string') {
        repo.defaultBranch = body.default_branch;
        moved(repo, body.default_branch, repo.refs![body.default_branch]!);
      }
      return answer(200, repositoryJson(owner!, name!, repo));
    }
    if (method === 'PUT' && section === 'topics') {
      repo.topics = body.names as string[];
      return answer(200, { names: repo.topics });
    }
    if (method === 'PUT' && section === 'branches' && rest[0] === 'protection') {
      repo.protection = { ...repo.protection, [kind!]: body };
      return answer(200, {});
    }
    if (method === 'PUT' && section === 'collaborators') {
      repo.access = { ...repo.access, [kind!]: String(body.permission) };
      return answer(201, {});
    }
    return answer(404, { message: 'Not Found' });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    orgs,
    requests,
    /** Every request that was not a GET, with its JSON body. */
    bodies,
    fail(failure: InjectedFailure) {
      failures.push(failure);
    },
    clearFailures() {
      failures.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function repositoryJson(owner: string, name: string, repo: FakeRepository) {
  return {
    name,
    owner: { login: owner },
    default_branch: repo.defaultBranch ?? 'main',
    archived: repo.archived ?? false,
    html_url: `https://github.com/${owner}/${name}`,
    clone_url: `https://github.com/${owner}/${name}.git`,
    created_at: repo.createdAt ?? '2020-01-01T00:00:00Z',
    description: (repo.settings?.description as string | undefined) ?? null,
    license: repo.license ? { key: repo.license.toLowerCase(), spdx_id: repo.license, name: repo.license } : null,
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
