import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { BUILT_IN_COLLECTORS } from '../../../src/scorecards/collectors/built-in.js';
import { loadScorecards } from '../../../src/scorecards/scorecard-library.js';
import { createScorecardService } from '../../../src/scorecards/scorecard-service.js';
import { clustersFromConfig } from '../../../src/kubernetes/cluster-config.js';
import { createHealthService, type HealthService } from '../../../src/kubernetes/health-service.js';
import { startFakeKubernetes } from '../../support/fake-kubernetes.js';
import { catalogInfoYaml, createTestCatalog, type TestCatalog } from '../../support/slack-harness.js';
import { makeTestCertificates } from '../../support/test-certificates.js';

const NAMESPACE = 'shop';
const labels = (id: string) => ({ 'backstage.io/kubernetes-id': id });
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

interface Container {
  name: string;
  image: string;
  readinessProbe?: Record<string, unknown>;
}

const deployment = (id: string, replicas: number, ready: number, extra: { conditions?: Record<string, unknown>[]; image?: string } = {}) => ({
  metadata: { name: id, namespace: NAMESPACE, labels: labels(id), uid: `${id}-uid` },
  spec: { replicas, selector: { matchLabels: labels(id) }, template: { metadata: { labels: labels(id) }, spec: { containers: [{ name: 'api', image: extra.image ?? `registry.acme.test/${id}:1.0.0` }] } } },
  status: { replicas, readyReplicas: ready, ...(extra.conditions ? { conditions: extra.conditions } : {}) },
});

const replicaSet = (id: string, hash: string, replicas: number, containers: Container[]) => ({
  metadata: { name: `${id}-${hash}`, namespace: NAMESPACE, labels: labels(id), uid: `${id}-${hash}-uid`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: id, uid: `${id}-uid`, controller: true }] },
  spec: { replicas, selector: { matchLabels: labels(id) }, template: { metadata: { labels: labels(id) }, spec: { containers } } },
  status: { replicas, readyReplicas: replicas },
});

const pod = (id: string, hash: string, suffix: string, containers: Container[], status: Record<string, unknown>) => ({
  metadata: { name: `${id}-${hash}-${suffix}`, namespace: NAMESPACE, labels: labels(id), uid: `${id}-${hash}-${suffix}-uid`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${id}-${hash}`, uid: `${id}-${hash}-uid`, controller: true }] },
  spec: { containers },
  status,
});

const api = (id: string): Container => ({ name: 'api', image: `registry.acme.test/${id}:1.0.0` });
const scheduled = { type: 'PodScheduled', status: 'True' };
const waiting = (id: string, reason: string, message?: string) => ({
  phase: 'Pending',
  conditions: [scheduled, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
  containerStatuses: [{ name: 'api', image: api(id).image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason, ...(message ? { message } : {}) } } }],
});
const running = (id: string, restartCount: number, extra: Record<string, unknown> = {}) => ({
  phase: 'Running',
  conditions: [scheduled, { type: 'Ready', status: 'True' }],
  containerStatuses: [{ name: 'api', image: api(id).image, imageID: '', ready: true, restartCount, started: true, state: { running: { startedAt: minutesAgo(30) } }, ...extra }],
});

/** A Deployment with one ReplicaSet and one pod in the given state. */
const onePod = (id: string, status: Record<string, unknown>, ready = 0, containers = [api(id)]) => ({
  deployments: [deployment(id, 1, ready)],
  replicasets: [replicaSet(id, '5d8f7', 1, containers)],
  pods: [pod(id, '5d8f7', 'a1b2c', containers, status)],
});

const MESSAGES = {
  imagePull: 'Back-off pulling image "registry.acme.test/image-pull:1.0.0"',
  errImagePull: 'rpc error: code = NotFound desc = failed to pull and unpack image "registry.acme.test/err-image-pull:1.0.0": not found',
  configError: 'secret "config-error-db" not found',
  unschedulable: '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
  progressing: 'ReplicaSet "stalled-rollout-6c4d9" has timed out progressing.',
};

const probed = (id: string): Container => ({ ...api(id), readinessProbe: { httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 } });
const notReady = (id: string, startedAt: string) => ({
  phase: 'Running',
  conditions: [scheduled, { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [api]' }],
  containerStatuses: [{ name: 'api', image: api(id).image, imageID: '', ready: false, restartCount: 0, started: true, state: { running: { startedAt } } }],
});

const rolloutContainers = (version: string): Container[] => [
  { name: 'api', image: `registry.acme.test/rollout:${version}` },
  { name: 'proxy', image: 'envoyproxy/envoy:v1.30.1' },
];
const rolloutStatus = (version: string) => ({
  phase: 'Running',
  conditions: [scheduled, { type: 'Ready', status: 'True' }],
  containerStatuses: rolloutContainers(version).map((container) => ({ name: container.name, image: container.image, imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: minutesAgo(3) } } })),
});

const hpa = (name: string, target: string, max: number, current: number) => ({
  metadata: { name, namespace: NAMESPACE },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 2, maxReplicas: max },
  status: { currentReplicas: current, desiredReplicas: current },
});

/** One entity's objects in the cluster. */
interface EntityObjects {
  deployments: ReturnType<typeof deployment>[];
  replicasets?: ReturnType<typeof replicaSet>[];
  pods?: ReturnType<typeof pod>[];
}

const states: EntityObjects[] = [
  onePod('image-pull', waiting('image-pull', 'ImagePullBackOff', MESSAGES.imagePull)),
  onePod('err-image-pull', waiting('err-image-pull', 'ErrImagePull', MESSAGES.errImagePull)),
  onePod('config-error', waiting('config-error', 'CreateContainerConfigError', MESSAGES.configError)),
  onePod(
    'oom',
    running('oom', 3, { lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: minutesAgo(40), finishedAt: minutesAgo(30) } } }),
    1,
  ),
  {
    deployments: [deployment('readiness', 2, 0)],
    replicasets: [replicaSet('readiness', '7b9c4', 2, [probed('readiness')])],
    // One has failed its probe for minutes; the other started seconds ago and is still within initialDelay + period x threshold.
    pods: [pod('readiness', '7b9c4', 'old11', [probed('readiness')], notReady('readiness', minutesAgo(10))), pod('readiness', '7b9c4', 'new22', [probed('readiness')], notReady('readiness', new Date(Date.now() - 5_000).toISOString()))],
  },
  onePod('pending', { phase: 'Pending', conditions: [scheduled], containerStatuses: [{ name: 'api', image: api('pending').image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
  onePod('unschedulable', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: MESSAGES.unschedulable }] }),
  onePod('restarts', running('restarts', 5, { lastState: { terminated: { reason: 'Error', exitCode: 1, startedAt: minutesAgo(35), finishedAt: minutesAgo(30) } } }), 1),
  { deployments: [deployment('autoscaled', 10, 10)] },
  { deployments: [deployment('healthy', 3, 3)] },
  {
    deployments: [
      deployment('stalled-rollout', 2, 2, {
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
          { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: MESSAGES.progressing },
          // No message: not reported, as Backstage does not.
          { type: 'ReplicaFailure', status: 'False' },
        ],
      }),
    ],
  },
  {
    deployments: [deployment('rollout', 3, 3, { image: 'registry.acme.test/rollout:1.5.0' })],
    replicasets: [
      replicaSet('rollout', 'old01', 2, rolloutContainers('1.4.0')),
      replicaSet('rollout', 'new02', 1, rolloutContainers('1.5.0')),
      // Scaled to nothing: its image no longer runs anywhere.
      replicaSet('rollout', 'gone03', 0, rolloutContainers('1.3.0')),
    ],
    pods: [
      pod('rollout', 'old01', 'aaaaa', rolloutContainers('1.4.0'), rolloutStatus('1.4.0')),
      pod('rollout', 'old01', 'bbbbb', rolloutContainers('1.4.0'), rolloutStatus('1.4.0')),
      pod('rollout', 'new02', 'ccccc', rolloutContainers('1.5.0'), rolloutStatus('1.5.0')),
    ],
  },
];

const OBJECTS = {
  deployments: states.flatMap((state) => state.deployments),
  replicasets: states.flatMap((state) => state.replicasets ?? []),
  pods: states.flatMap((state) => state.pods ?? []),
  // Autoscalers are listed per namespace, not by label: each must be matched to its own target.
  horizontalpodautoscalers: [hpa('autoscaled-hpa', 'autoscaled', 10, 10), hpa('healthy-hpa', 'healthy', 6, 3)],
};

describe('each pod failure state, read from an HTTPS cluster through the real client', () => {
  let testCatalog: TestCatalog;
  let health: HealthService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const certs = makeTestCertificates();
    const cluster = await startFakeKubernetes({ key: certs.key, cert: certs.cert }, 'answer', OBJECTS);
    close = cluster.close;
    const { clusters } = clustersFromConfig(
      { clusterLocatorMethods: [{ type: 'config', clusters: [{ name: 'prod', url: cluster.url, authProvider: 'serviceAccount', serviceAccountToken: 't', caData: Buffer.from(certs.ca).toString('base64') }] }] },
      {},
    );
    const component = (name: string) => ({ kind: 'Component', metadata: { name, annotations: { 'backstage.io/kubernetes-id': name, 'backstage.io/kubernetes-namespace': NAMESPACE } }, spec: { type: 'service', lifecycle: 'production', owner: 'shop' } });
    testCatalog = await createTestCatalog('pglite', catalogInfoYaml(states.map((state) => component(state.deployments[0]!.metadata.name))));
    health = createHealthService({ catalog: testCatalog.catalog, clusters, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await close?.();
    await testCatalog?.stop();
  });

  const workloadOf = async (name: string) => {
    const answer = await health.health(name);
    expect(answer.clusters.map((cluster) => [cluster.name, cluster.status])).toEqual([['prod', 'ok']]);
    expect(answer.clusters[0]!.workloads).toHaveLength(1);
    return { answer, workload: answer.clusters[0]!.workloads[0]! };
  };

  it.each([
    ['image-pull', 'ImagePullBackOff', MESSAGES.imagePull],
    ['err-image-pull', 'ErrImagePull', MESSAGES.errImagePull],
    ['config-error', 'CreateContainerConfigError', MESSAGES.configError],
  ])('%s: a container waiting with %s is down, with the kubelet message', async (name, type, message) => {
    const { answer, workload } = await workloadOf(name);
    expect(workload).toMatchObject({ kind: 'Deployment', namespace: NAMESPACE, name, ready: 0, desired: 1, images: [`registry.acme.test/${name}:1.0.0`], rollout: false });
    expect(workload.problems).toEqual([{ type, pod: `${name}-5d8f7-a1b2c`, container: 'api', message }]);
    expect(answer.status).toBe('down');
    expect(answer.reasons).toEqual([`Deployment shop/${name}: no replica ready of 1`, `${type} in Deployment shop/${name} (pod ${name}-5d8f7-a1b2c): ${message}`]);
  });

  it('reports a container whose last termination was OOMKilled, and its restarts', async () => {
    const { answer, workload } = await workloadOf('oom');
    expect(workload).toMatchObject({ ready: 1, desired: 1 });
    expect(workload.problems).toEqual([
      { type: 'OOMKilled', pod: 'oom-5d8f7-a1b2c', container: 'api', message: 'container api was killed for running out of memory' },
      { type: 'Restarting', pod: 'oom-5d8f7-a1b2c', container: 'api', message: 'container api restarted 3 times' },
    ]);
    expect(answer.status).toBe('degraded');
    expect(answer.reasons).toEqual([
      'OOMKilled in Deployment shop/oom (pod oom-5d8f7-a1b2c): container api was killed for running out of memory',
      'Restarting in Deployment shop/oom (pod oom-5d8f7-a1b2c): container api restarted 3 times',
    ]);
  });

  it('reports a running container not ready past its probe deadline, and not one still starting', async () => {
    const { answer, workload } = await workloadOf('readiness');
    expect(workload).toMatchObject({ ready: 0, desired: 2 });
    expect(workload.problems).toEqual([{ type: 'ReadinessProbeFailed', pod: 'readiness-7b9c4-old11', container: 'api', message: 'container api is running but has not passed its readiness probe' }]);
    expect(answer.status).toBe('down');
    expect(answer.reasons).toEqual(['Deployment shop/readiness: no replica ready of 2', 'ReadinessProbeFailed in Deployment shop/readiness (pod readiness-7b9c4-old11): container api is running but has not passed its readiness probe']);
  });

  it('reports a pod that is pending, scheduled but not started', async () => {
    const { answer, workload } = await workloadOf('pending');
    expect(workload.problems).toEqual([{ type: 'Pending', pod: 'pending-5d8f7-a1b2c', message: 'the pod is pending' }]);
    expect(answer.status).toBe('down');
    expect(answer.reasons).toEqual(['Deployment shop/pending: no replica ready of 1', 'Pending in Deployment shop/pending (pod pending-5d8f7-a1b2c): the pod is pending']);
  });

  it("reports a pod the scheduler cannot place, with the scheduler's message", async () => {
    const { answer, workload } = await workloadOf('unschedulable');
    expect(workload.problems).toEqual([{ type: 'Unschedulable', pod: 'unschedulable-5d8f7-a1b2c', message: MESSAGES.unschedulable }]);
    expect(answer.status).toBe('down');
    expect(answer.reasons).toEqual(['Deployment shop/unschedulable: no replica ready of 1', `Unschedulable in Deployment shop/unschedulable (pod unschedulable-5d8f7-a1b2c): ${MESSAGES.unschedulable}`]);
  });

  it('reports restarts of a container that is running again', async () => {
    const { answer, workload } = await workloadOf('restarts');
    expect(workload).toMatchObject({ ready: 1, desired: 1 });
    expect(workload.problems).toEqual([{ type: 'Restarting', pod: 'restarts-5d8f7-a1b2c', container: 'api', message: 'container api restarted 5 times' }]);
    expect(answer).toMatchObject({ status: 'degraded', reasons: ['Restarting in Deployment shop/restarts (pod restarts-5d8f7-a1b2c): container api restarted 5 times'] });
  });

  it('reports an autoscaler at its maximum on its own target only', async () => {
    const { answer, workload } = await workloadOf('autoscaled');
    expect(workload).toMatchObject({ ready: 10, desired: 10 });
    expect(workload.problems).toEqual([{ type: 'HpaAtMaximum', message: 'the autoscaler autoscaled-hpa runs 10 replicas, its maximum' }]);
    expect(answer).toMatchObject({ status: 'degraded', reasons: ['HpaAtMaximum in Deployment shop/autoscaled: the autoscaler autoscaled-hpa runs 10 replicas, its maximum'] });
    // Its autoscaler is below its maximum: nothing is wrong.
    expect(await health.health('healthy')).toMatchObject({ status: 'healthy', reasons: [], clusters: [{ workloads: [{ name: 'healthy', ready: 3, desired: 3, problems: [] }] }] });
  });

  it("reports a Deployment condition that is false, with the controller's message", async () => {
    const { answer, workload } = await workloadOf('stalled-rollout');
    expect(workload.problems).toEqual([{ type: 'ConditionFalse', message: `Progressing: ${MESSAGES.progressing}` }]);
    expect(answer).toMatchObject({ status: 'degraded', reasons: [`ConditionFalse in Deployment shop/stalled-rollout: Progressing: ${MESSAGES.progressing}`] });
  });

  it('lists every image its live pods and ReplicaSets run, and calls two of one container a rollout', async () => {
    const { answer, workload } = await workloadOf('rollout');
    expect(workload).toMatchObject({ ready: 3, desired: 3, rollout: true, problems: [] });
    expect(workload.images).toEqual(['envoyproxy/envoy:v1.30.1', 'registry.acme.test/rollout:1.4.0', 'registry.acme.test/rollout:1.5.0']);
    // A rollout alone is not a fault: the replicas are all ready.
    expect(answer.status).toBe('healthy');
    expect(answer.reasons).toEqual(['Deployment shop/rollout: a rollout is under way (envoyproxy/envoy:v1.30.1, registry.acme.test/rollout:1.4.0, registry.acme.test/rollout:1.5.0)']);
  });

  it('gives scorecards the Kubernetes facts: healthy, status and restarts, unknown where nothing can be read', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'callboard-k8s-scorecard-'));
    writeFileSync(
      path.join(folder, 'runtime.yaml'),
      'id: runtime\ntitle: Runtime\nfilter: { kinds: [Component] }\nlevels:\n  - id: steady\n    title: Steady\n    checks:\n' +
        '      - { id: healthy, title: Healthy in Kubernetes, rule: { conditions: { all: [{ fact: kubernetesHealthy, operator: equal, value: true }] } } }\n' +
        '      - { id: few-restarts, title: Restarts rarely, rule: { conditions: { all: [{ fact: kubernetesRestarts, operator: lessThan, value: 3 }] } } }\n',
    );
    const library = loadScorecards({ folders: [folder], collectors: BUILT_IN_COLLECTORS });
    const scorecardsWith = (withHealth: boolean) =>
      createScorecardService({ db: testCatalog.database.db, catalog: testCatalog.catalog, library, collectors: BUILT_IN_COLLECTORS, nudges: loadConfig({ files: [], env: {} }).callboard.scorecards.nudges, ...(withHealth ? { health } : {}) });
    const statuses = async (name: string, withHealth = true) => {
      const answer = await scorecardsWith(withHealth).entity(name);
      return Object.fromEntries(answer.scorecards.find((scorecard) => scorecard.id === 'runtime')!.checks.map((check) => [check.id, `${check.status}${check.status === 'unknown' ? `: ${check.message}` : ''}`]));
    };
    try {
      expect(await statuses('healthy')).toEqual({ healthy: 'pass', 'few-restarts': 'pass' });
      expect(await statuses('restarts')).toEqual({ healthy: 'fail', 'few-restarts': 'fail' });
      expect(await statuses('oom')).toEqual({ healthy: 'fail', 'few-restarts': 'fail' });
      expect((await statuses('healthy', false)).healthy).toBe('unknown: Unknown: no Kubernetes cluster is configured (kubernetes.clusterLocatorMethods, or KUBECONFIG)');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
