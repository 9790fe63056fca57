import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clustersFromConfig } from '../../../src/kubernetes/cluster-config.js';
import { readCluster } from '../../../src/kubernetes/cluster-reader.js';
import { startFakeKubernetes } from '../../support/fake-kubernetes.js';
import { makeTestCertificates, type TestCertificates } from '../../support/test-certificates.js';

const labels = { 'backstage.io/kubernetes-id': 'payments-api' };
const OBJECTS = {
  deployments: [{ metadata: { name: 'payments-api', namespace: 'payments', labels }, spec: { replicas: 2, selector: {}, template: {} }, status: { readyReplicas: 2 } }, { metadata: { name: 'other', namespace: 'payments', labels: { app: 'other' } }, spec: { selector: {}, template: {} } }],
  pods: [{ metadata: { name: 'payments-api-1', namespace: 'payments', labels }, spec: { containers: [{ name: 'api', image: 'api:1' }] }, status: { phase: 'Running' } }],
  events: [
    { metadata: { name: 'e1', namespace: 'payments' }, involvedObject: { kind: 'Pod', name: 'payments-api-1', namespace: 'payments' }, type: 'Warning', reason: 'BackOff', message: 'back-off' },
    { metadata: { name: 'e2', namespace: 'payments' }, involvedObject: { kind: 'Pod', name: 'payments-api-1', namespace: 'payments' }, type: 'Normal', reason: 'Pulled', message: 'ok' },
  ],
};

describe('clusters read through @kubernetes/client-node, against HTTPS servers on loopback', () => {
  let certs: TestCertificates;
  const servers: { close(): Promise<void> }[] = [];
  beforeAll(() => {
    certs = makeTestCertificates();
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
  });
  const start = async (...args: Parameters<typeof startFakeKubernetes>) => {
    const server = await startFakeKubernetes(...args);
    servers.push(server);
    return server;
  };
  const query = { labelSelector: 'backstage.io/kubernetes-id=payments-api', namespace: 'payments' };
  const cluster = (url: string) => ({ name: 'prod', source: 'config' as const, server: url, token: 'token-1', caData: Buffer.from(certs.ca).toString('base64') });

  it("lists the entity's objects with its token, trusting the configured CA", async () => {
    const server = await start({ key: certs.key, cert: certs.cert }, 'answer', OBJECTS);
    const answer = await readCluster(cluster(server.url), query, 2_000);
    expect(answer.status).toBe('ok');
    if (answer.status !== 'ok') return;
    expect(answer.objects.deployments.map((deployment) => deployment.metadata?.name)).toEqual(['payments-api']);
    expect(answer.objects.pods).toHaveLength(1);
    expect(answer.objects.events.map((event) => event.reason)).toEqual(['BackOff']);
    expect(server.requests.every((request) => request.endsWith('Bearer token-1'))).toBe(true);
    expect(server.requests.some((request) => request.startsWith('GET /apis/apps/v1/namespaces/payments/deployments?labelSelector=backstage.io%2Fkubernetes-id%3Dpayments-api'))).toBe(true);
  });

  it('still reports the workloads when RBAC refuses autoscalers and events, saying what was not read', async () => {
    const server = await start({ key: certs.key, cert: certs.cert }, 'answer', OBJECTS, ['horizontalpodautoscalers', 'events']);
    const answer = await readCluster(cluster(server.url), query, 2_000);
    expect(answer).toMatchObject({ status: 'ok', partial: expect.stringMatching(/^could not read autoscalers \(.*403.*\) or warning events \(.*403.*\)$/) });
    if (answer.status !== 'ok') return;
    expect(answer.objects.deployments).toHaveLength(1);
    expect(answer.objects.events).toEqual([]);
    expect(server.requests.some((request) => request.startsWith('GET /api/v1/namespaces/payments/events?fieldSelector=type%3DWarning&limit=1000'))).toBe(true);
  });

  it('says when a cluster has more warning events than it reads', async () => {
    const many = Array.from({ length: 1_001 }, (_, index) => ({ metadata: { name: `e${index}`, namespace: 'payments' }, involvedObject: { kind: 'Pod', name: 'other', namespace: 'payments' }, type: 'Warning', reason: 'BackOff', message: 'x' }));
    const server = await start({ key: certs.key, cert: certs.cert }, 'answer', { ...OBJECTS, events: many });
    const answer = await readCluster(cluster(server.url), query, 5_000);
    expect(answer).toMatchObject({ status: 'ok', partial: 'could not read warning events beyond the first 1000' });
  });

  it('reads a cluster named by a kubeconfig context, as KUBECONFIG gives them', async () => {
    const server = await start({ key: certs.key, cert: certs.cert }, 'answer', OBJECTS);
    const folder = mkdtempSync(path.join(tmpdir(), 'callboard-kubeconfig-'));
    try {
      const kubeconfig = path.join(folder, 'config');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: loopback\n  cluster:\n    server: ${server.url}\n    certificate-authority-data: ${Buffer.from(certs.ca).toString('base64')}\nusers:\n- name: reader\n  user: { token: kube-token }\ncontexts:\n- name: staging\n  context: { cluster: loopback, user: reader }\ncurrent-context: staging\n`,
      );
      const [settings] = clustersFromConfig(undefined, { KUBECONFIG: kubeconfig }).clusters;
      const answer = await readCluster(settings!, query, 2_000);
      expect(answer).toMatchObject({ name: 'staging', status: 'ok' });
      expect(server.requests.every((request) => request.endsWith('Bearer kube-token'))).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('says which cluster hung, refused the token, or showed a certificate its CA did not sign', async () => {
    const hanging = await start({ key: certs.key, cert: certs.cert }, 'hang');
    const refusing = await start({ key: certs.key, cert: certs.cert }, 403);
    const unauthenticated = await start({ key: certs.key, cert: certs.cert }, 401);
    expect(await readCluster(cluster(unauthenticated.url), query, 2_000)).toMatchObject({ status: 'forbidden', error: expect.stringContaining('did not accept the credentials (401)') });
    const stranger = await start({ key: certs.strangerKey, cert: certs.strangerCert }, 'answer', OBJECTS);
    const [hung, refused, untrusted] = await Promise.all([readCluster(cluster(hanging.url), query, 500), readCluster(cluster(refusing.url), query, 2_000), readCluster(cluster(stranger.url), query, 2_000)]);
    // Only the deadline's signal ends a request this way: the hanging cluster did not hold the others up.
    expect(hung).toMatchObject({ status: 'timeout' });
    expect(refused).toMatchObject({ status: 'forbidden', error: expect.stringContaining('403') });
    expect(untrusted).toMatchObject({ status: 'tls-error' });
    expect(stranger.requests).toEqual([]);
    const closed = await readCluster(cluster('https://127.0.0.1:9'), query, 2_000);
    expect(closed).toMatchObject({ status: 'unreachable' });
  });
});
