import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clustersFromConfig } from '../../../src/kubernetes/cluster-config.js';
import { createHealthService, type HealthService } from '../../../src/kubernetes/health-service.js';
import { startFakeKubernetes } from '../../support/fake-kubernetes.js';
import { catalogInfoYaml, createTestCatalog, type TestCatalog } from '../../support/slack-harness.js';
import { makeTestCertificates } from '../../support/test-certificates.js';

const labels = { 'backstage.io/kubernetes-id': 'payments-api' };
const deployment = (ready: number) => ({ metadata: { name: 'payments-api', namespace: 'payments', labels }, spec: { replicas: 2, selector: {}, template: { spec: { containers: [{ name: 'api', image: 'api:2' }] } } }, status: { readyReplicas: ready } });
const crashing = {
  metadata: { name: 'payments-api-x', namespace: 'payments', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'payments-api-rs', uid: 'u' }] },
  spec: { containers: [{ name: 'api', image: 'api:2' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'api', image: 'api:2', imageID: '', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s <!channel>' } } }] },
};
const replicaSet = { metadata: { name: 'payments-api-rs', namespace: 'payments', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments-api', uid: 'd' }] }, spec: { selector: {}, template: {} }, status: { replicas: 2 } };

describe('health across several clusters at once', () => {
  let testCatalog: TestCatalog;
  let health: HealthService;
  let silent: HealthService;
  const servers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    const certs = makeTestCertificates();
    const tls = { key: certs.key, cert: certs.cert };
    const east = await startFakeKubernetes(tls, 'answer', { deployments: [deployment(2)] });
    const west = await startFakeKubernetes(tls, 'answer', { deployments: [deployment(1)], replicasets: [replicaSet], pods: [crashing] });
    const hanging = await startFakeKubernetes(tls, 'hang');
    const refusing = await startFakeKubernetes(tls, 401);
    // Signed by a CA of its own, not the one configured.
    const stranger = makeTestCertificates();
    const impostor = await startFakeKubernetes({ key: stranger.key, cert: stranger.cert }, 'answer', { deployments: [deployment(2)] });
    servers.push(east, west, hanging, refusing, impostor);
    const caData = Buffer.from(certs.ca).toString('base64');
    const cluster = (name: string, url: string) => ({ name, url, authProvider: 'serviceAccount', serviceAccountToken: 't', caData });
    const { clusters } = clustersFromConfig({ clusterLocatorMethods: [{ type: 'config', clusters: [cluster('east', east.url), cluster('west', west.url), cluster('hanging', hanging.url), cluster('refusing', refusing.url), cluster('impostor', impostor.url)] }] }, {});
    testCatalog = await createTestCatalog(
      'pglite',
      catalogInfoYaml([
        { kind: 'Component', metadata: { name: 'payments-api', annotations: { 'backstage.io/kubernetes-id': 'payments-api', 'backstage.io/kubernetes-namespace': 'payments' } }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
        { kind: 'Component', metadata: { name: 'no-k8s' }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
      ]),
    );
    health = createHealthService({ catalog: testCatalog.catalog, clusters, timeoutMs: 1_500 });
    silent = createHealthService({ catalog: testCatalog.catalog, clusters: clusters.filter((cluster) => cluster.name === 'hanging' || cluster.name === 'refusing'), timeoutMs: 1_500 });
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await testCatalog?.stop();
  });

  it('reports the workloads of the clusters that answered, worst first, and names the clusters that did not', async () => {
    const answer = await health.health('payments-api');
    expect(answer.entity).toBe('component:default/payments-api');
    expect(answer.status).toBe('degraded');
    expect(answer.reasons[0]).toBe('Deployment payments/payments-api: 1 of 2 replicas ready');
    expect(answer.reasons).toContain("cluster hanging: timeout (the cluster did not answer in time)");
    expect(answer.reasons.find((reason) => reason.startsWith('cluster refusing: forbidden'))).toContain('401');
    expect(answer.reasons.find((reason) => reason.startsWith('cluster impostor: tls-error'))).toContain('check caData or caFile');
    expect(answer.clusters.map((cluster) => [cluster.name, cluster.status])).toEqual([['east', 'ok'], ['west', 'ok'], ['hanging', 'timeout'], ['refusing', 'forbidden'], ['impostor', 'tls-error']]);
    const west = answer.clusters[1]!.workloads[0]!;
    expect(west).toMatchObject({ kind: 'Deployment', ready: 1, desired: 2, images: ['api:2'] });
    expect(west.problems.map((problem) => problem.type)).toEqual(['CrashLoopBackOff', 'Restarting']);
  });

  it('answers again from its cache for a while, without asking the clusters', async () => {
    const first = health.health('payments-api');
    const second = health.health('payments-api');
    expect(await second).toBe(await first);
  });

  it('says unknown when no cluster answers, naming each', async () => {
    const answer = await silent.health('payments-api');
    expect(answer).toMatchObject({ status: 'unknown', reasons: ['no cluster answered', expect.stringContaining('cluster hanging: timeout'), expect.stringContaining('cluster refusing: forbidden')] });
  });

  it('says unknown, and why, for an entity without Kubernetes annotations or not in the catalog', async () => {
    expect(await health.health('no-k8s')).toMatchObject({ status: 'unknown', reasons: [expect.stringContaining('add backstage.io/kubernetes-id')] });
    expect(await health.health('nothing-by-that-name')).toMatchObject({ entity: null, status: 'unknown' });
  });
});
