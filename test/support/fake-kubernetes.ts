import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export type FakeClusterBehaviour = 'answer' | 'hang' | 401 | 403;

/** Objects a fake cluster holds, by the resource names of the API's list paths. */
export type FakeClusterObjects = Partial<Record<'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets' | 'pods' | 'horizontalpodautoscalers' | 'events', Record<string, unknown>[]>>;

const LIST_PATH = /^\/(?:api\/v1|apis\/apps\/v1|apis\/autoscaling\/v2)(?:\/namespaces\/([^/]+))?\/(deployments|statefulsets|daemonsets|replicasets|pods|horizontalpodautoscalers|events)$/;

/** Equality requirements only (`a=b,c==d`), as the tests' selectors are written. */
function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((requirement) => {
    const [key, value] = requirement.split(/==?/);
    return labels?.[key!.trim()] === value?.trim();
  });
}

/**
 * A loopback Kubernetes API server over HTTPS: the list endpoints the health check reads, with
 * label selectors, namespaces and the events' `type=Warning` field selector; or a cluster that
 * hangs, or refuses the token; `forbidden` resources answer 403 as RBAC would.
 */
export async function startFakeKubernetes(tls: { key: string; cert: string }, behaviour: FakeClusterBehaviour, objects: FakeClusterObjects = {}, forbidden: (keyof FakeClusterObjects)[] = []) {
  const requests: string[] = [];
  const server: Server = createServer(tls, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://localhost');
    requests.push(`${request.method} ${url.pathname}${url.search} ${request.headers.authorization ?? ''}`);
    if (behaviour === 'hang') return;
    if (behaviour !== 'answer') {
      response.writeHead(behaviour, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: behaviour === 401 ? 'Unauthorized' : 'Forbidden', code: behaviour }));
    }
    const route = LIST_PATH.exec(url.pathname);
    if (!route) {
      response.writeHead(404, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ kind: 'Status', code: 404 }));
    }
    const [, namespace, resource] = route;
    if (forbidden.includes(resource as keyof FakeClusterObjects)) {
      response.writeHead(403, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }));
    }
    const warningsOnly = url.searchParams.get('fieldSelector') === 'type=Warning';
    const items = (objects[resource as keyof FakeClusterObjects] ?? []).filter((item) => {
      const metadata = (item.metadata ?? {}) as { namespace?: string; labels?: Record<string, string> };
      if (namespace && metadata.namespace !== namespace) return false;
      if (warningsOnly && item.type !== 'Warning') return false;
      return resource === 'events' || resource === 'horizontalpodautoscalers' || matches(metadata.labels, url.searchParams.get('labelSelector'));
    });
    // A limit is honoured as the API server does: the first items, and a continue token for the rest.
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const more = limit > 0 && items.length > limit;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: more ? { continue: 'next-page' } : {}, items: more ? items.slice(0, limit) : items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
