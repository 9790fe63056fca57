import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface FakeServer {
  url: string;
  requests: string[];
  /** Answers to give first, in order, for paths that match: a status and headers (429 with Retry-After). */
  failures: { match: RegExp; status: number; headers?: Record<string, string> }[];
  close(): Promise<void>;
}

async function serve(route: (request: IncomingMessage, url: URL) => { status: number; body: unknown }, authorization: string): Promise<FakeServer> {
  const requests: string[] = [];
  const failures: FakeServer['failures'] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== authorization) return send(401, { error: { message: 'Invalid credentials' } });
    const failure = failures.find((candidate) => candidate.match.test(`${url.pathname}${url.search}`));
    if (failure) {
      failures.splice(failures.indexOf(failure), 1);
      return send(failure.status, { error: 'injected' }, failure.headers);
    }
    const { status, body } = route(request, url);
    send(status, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/**
 * PagerDuty's REST API, the slice the plugin reads: services (by id, and listed with their
 * integrations), and on-call entries by escalation policy with their users, paged as PagerDuty
 * pages. PSVC1 has people on call at two levels and a next shift, after 120 shifts that have
 * ended; PQUIET's policy has nobody.
 */
export function startFakePagerDuty(token: string): Promise<FakeServer> {
  const services = [
    { id: 'PSVC1', name: 'Payments API', html_url: 'https://acme.pagerduty.com/service-directory/PSVC1', escalation_policy: { id: 'EP1' }, integrations: [{ integration_key: 'key-payments' }] },
    { id: 'PQUIET', name: 'Quiet', html_url: 'https://acme.pagerduty.com/service-directory/PQUIET', escalation_policy: { id: 'EP2' }, integrations: [] },
  ];
  // Shifts that ended before the window: enough to push the current ones past a first page of 100.
  const ended = Array.from({ length: 120 }, (_, index) => ({ escalation_level: 9, start: inDays(-3), end: inDays(-2), user: { name: `Former ${index}`, email: `former${index}@acme.test` } }));
  const oncalls: Record<string, unknown[]> = {
    EP1: [
      ...ended,
      { escalation_level: 2, start: inDays(-1), end: inDays(6), user: { name: 'Bob Bell', email: 'bob@acme.test' } },
      { escalation_level: 1, start: inDays(-1), end: inDays(1), user: { name: 'Alice Ames', email: 'alice@acme.test' } },
      { escalation_level: 1, start: inDays(1), end: inDays(8), user: { name: 'Carol Cho', email: 'carol@acme.test' } },
    ],
    EP2: [],
  };
  return serve((_request, url) => {
    const byId = /^\/services\/([^/]+)$/.exec(url.pathname);
    if (byId) {
      const service = services.find((candidate) => candidate.id === decodeURIComponent(byId[1]!));
      return service ? { status: 200, body: { service } } : { status: 404, body: { error: { message: 'Not Found' } } };
    }
    // Listings page as PagerDuty's do: `limit` (default 25) from `offset`, with `more`.
    const page = (items: unknown[]) => {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 25);
      return { items: items.slice(offset, offset + limit), more: offset + limit < items.length };
    };
    if (url.pathname === '/services') {
      const { items, more } = page(services);
      return { status: 200, body: { services: items, more } };
    }
    if (url.pathname === '/oncalls') {
      const { items, more } = page(oncalls[url.searchParams.get('escalation_policy_ids[]') ?? ''] ?? []);
      return { status: 200, body: { oncalls: items, more } };
    }
    return { status: 404, body: {} };
  }, `Token token=${token}`);
}

/**
 * Opsgenie's REST API, the slice the plugin reads: schedules with their owner teams, who is on
 * call in one now and next, and alerts by query (for a component selector). The payments team's
 * schedule has someone on call; the quiet team's has nobody.
 */
export function startFakeOpsgenie(apiKey: string): Promise<FakeServer> {
  const schedules = [
    { id: 'S1', name: 'payments_schedule', enabled: true, ownerTeam: { id: 'T1', name: 'payments-team' } },
    { id: 'S2', name: 'quiet_schedule', enabled: true, ownerTeam: { id: 'T2', name: 'quiet-team' } },
  ];
  const now: Record<string, string[]> = { S1: ['dana@acme.test'], S2: [] };
  const next: Record<string, string[]> = { S1: ['erin@acme.test'], S2: [] };
  return serve((_request, url) => {
    if (url.pathname === '/v2/schedules') return { status: 200, body: { data: schedules } };
    const onCalls = /^\/v2\/schedules\/([^/]+)\/(on-calls|next-on-calls)$/.exec(url.pathname);
    if (onCalls) {
      const id = decodeURIComponent(onCalls[1]!);
      return { status: 200, body: { data: onCalls[2] === 'on-calls' ? { onCallRecipients: now[id] ?? [] } : { exactNextOnCallRecipients: next[id] ?? [] } } };
    }
    if (url.pathname === '/v2/alerts') return { status: 200, body: { data: url.searchParams.get('query')?.includes('payments') ? [{ responders: [{ type: 'team', id: 'T1' }] }] : [] } };
    return { status: 404, body: {} };
  }, `GenieKey ${apiKey}`);
}
