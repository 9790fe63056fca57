/**
 * /health's latency: an entity whose workloads live in three loopback HTTPS clusters, read with
 * the real client. Timed twice: all three answering, and one of them hanging (the others answer,
 * the hanging one is cut at its deadline). Each answer is fetched afresh (no cache). Prints one
 * JSON line. Run through bench/run-bench.ts.
 */
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { loadConfig } from '../src/config/load-config.js';
import { clustersFromConfig } from '../src/kubernetes/cluster-config.js';
import { createHealthService } from '../src/kubernetes/health-service.js';
import { createLogger } from '../src/logger.js';
import { startFakeKubernetes } from '../test/support/fake-kubernetes.js';
import { makeTestCertificates } from '../test/support/test-certificates.js';
import { benchDatabase, percentile } from './support.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REQUESTS = 30;
const labels = { 'backstage.io/kubernetes-id': 'ledger' };
const objects = {
  deployments: [{ metadata: { name: 'ledger', namespace: 'payments', labels }, spec: { replicas: 3, selector: {}, template: { spec: { containers: [{ name: 'api', image: 'ledger:7' }] } } }, status: { readyReplicas: 3 } }],
  replicasets: [{ metadata: { name: 'ledger-7', namespace: 'payments', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ledger', uid: 'd' }] }, spec: { selector: {}, template: {} }, status: { replicas: 3 } }],
  pods: Array.from({ length: 3 }, (_, index) => ({ metadata: { name: `ledger-7-${index}`, namespace: 'payments', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ledger-7', uid: 'r' }] }, spec: { containers: [{ name: 'api', image: 'ledger:7' }] }, status: { phase: 'Running' } })),
};

const certs = makeTestCertificates();
const tls = { key: certs.key, cert: certs.cert };
const [a, b, c, hanging] = await Promise.all([startFakeKubernetes(tls, 'answer', objects), startFakeKubernetes(tls, 'answer', objects), startFakeKubernetes(tls, 'answer', objects), startFakeKubernetes(tls, 'hang')]);
const caData = Buffer.from(certs.ca).toString('base64');
const clustersOf = (urls: string[]) => clustersFromConfig({ clusterLocatorMethods: [{ type: 'config', clusters: urls.map((url, index) => ({ name: `cluster-${index}`, url, serviceAccountToken: 't', caData })) }] }, {}).clusters;

const folder = mkdtempSync(path.join(tmpdir(), 'callboard-health-bench-'));
writeFileSync(path.join(folder, 'catalog-info.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\n  annotations: { backstage.io/kubernetes-id: ledger, backstage.io/kubernetes-namespace: payments }\nspec: { type: service, lifecycle: production, owner: payments }\n');
const store = benchDatabase('pglite', '');
const database = await store.fresh(1);
const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'warn' }) });
try {
  await catalog.refresh([{ key: `file:${folder}`, type: 'file', target: folder }]);
  const time = async (urls: string[]) => {
    const health = createHealthService({ catalog, clusters: clustersOf(urls), cacheMs: 0 });
    await health.health('ledger');
    const timings: number[] = [];
    for (let index = 0; index < REQUESTS; index++) {
      const started = performance.now();
      const answer = await health.health('ledger');
      timings.push(performance.now() - started);
      if (answer.status !== 'healthy') throw new Error(`expected healthy, got ${answer.status}: ${answer.reasons.join('; ')}`);
    }
    return timings;
  };
  const allAnswer = await time([a.url, b.url, c.url]);
  const oneHangs = await time([a.url, b.url, hanging.url]);
  process.stdout.write(`${JSON.stringify({ requests: REQUESTS, allP50: percentile(allAnswer, 50), allP99: percentile(allAnswer, 99), hangingP50: percentile(oneHangs, 50), hangingP99: percentile(oneHangs, 99) })}\n`);
} finally {
  await Promise.all([a, b, c, hanging].map((server) => server.close()));
  await catalog.whenIdle();
  await database.close();
  await store.drop();
  rmSync(folder, { recursive: true, force: true });
}
