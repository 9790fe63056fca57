import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { clusterHealth, overallHealth, podProblems, type ClusterObjects } from '../../../src/kubernetes/workload-health.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const owned = (kind: string, name: string) => [{ apiVersion: 'apps/v1', kind, name, uid: `${kind}-${name}`, controller: true }];

function pod(name: string, owner: string, status: V1Pod['status'], image = 'ghcr.io/acme/payments-api:1.4.2'): V1Pod {
  return {
    metadata: { name, namespace: 'payments', ownerReferences: owned('ReplicaSet', owner) },
    spec: { containers: [{ name: 'api', image, readinessProbe: { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3, httpGet: { path: '/ready', port: 8080 } } }] },
    status,
  };
}

const running = (ready: boolean, restartCount = 0, extra: Record<string, unknown> = {}) => ({
  phase: 'Running',
  containerStatuses: [{ name: 'api', image: 'x', imageID: 'x', ready, restartCount, state: { running: { startedAt: new Date('2026-12-01T11:00:00Z') } }, ...extra }],
});

function objects(): ClusterObjects {
  return {
    deployments: [
      {
        metadata: { name: 'payments-api', namespace: 'payments' },
        spec: { replicas: 3, selector: {}, template: { spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/payments-api:1.4.2' }] } } },
        status: { readyReplicas: 1, replicas: 3, conditions: [{ type: 'Available', status: 'False', message: 'Deployment does not have minimum availability.' }, { type: 'Progressing', status: 'True', message: 'ok' }] },
      },
    ],
    statefulSets: [],
    daemonSets: [],
    replicaSets: [
      { metadata: { name: 'payments-api-old', namespace: 'payments', ownerReferences: owned('Deployment', 'payments-api') }, spec: { selector: {}, template: { spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/payments-api:1.4.1' }] } } }, status: { replicas: 1 } },
      { metadata: { name: 'payments-api-new', namespace: 'payments', ownerReferences: owned('Deployment', 'payments-api') }, spec: { selector: {}, template: { spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/payments-api:1.4.2' }] } } }, status: { replicas: 2 } },
    ],
    pods: [
      pod('payments-api-new-a', 'payments-api-new', running(true)),
      pod('payments-api-new-b', 'payments-api-new', {
        phase: 'Running',
        containerStatuses: [{ name: 'api', image: 'x', imageID: 'x', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }],
      }),
      pod('payments-api-old-c', 'payments-api-old', running(false), 'ghcr.io/acme/payments-api:1.4.1'),
      pod('payments-api-new-d', 'payments-api-new', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available: 3 Insufficient memory.' }] }),
      { metadata: { name: 'stranger', namespace: 'payments', ownerReferences: owned('ReplicaSet', 'someone-else') }, spec: { containers: [{ name: 'x', image: 'x:1' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    ],
    hpas: [{ metadata: { name: 'payments-api', namespace: 'payments' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'payments-api' }, maxReplicas: 3 }, status: { currentReplicas: 3, desiredReplicas: 3 } }],
    events: [
      { metadata: {}, involvedObject: { kind: 'Pod', namespace: 'payments', name: 'payments-api-new-b' }, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', count: 12, lastTimestamp: new Date('2026-12-01T11:59:00Z') },
      { metadata: {}, involvedObject: { kind: 'Pod', namespace: 'payments', name: 'another-service-7f9c' }, type: 'Warning', reason: 'Unhealthy', message: 'not ours' },
      { metadata: {}, involvedObject: { kind: 'Pod', namespace: 'payments', name: 'payments-api-new-a' }, type: 'Normal', reason: 'Pulled', message: 'fine' },
    ],
  };
}

describe("an entity's workloads in one cluster", () => {
  it('finds each failure state of its pods, its false conditions and its autoscaler at the maximum', () => {
    const { workloads, events } = clusterHealth(objects(), NOW);
    // The pod of a ReplicaSet the selector did not match is not the Deployment's: it is reported on its own.
    expect(workloads.map((workload) => [workload.kind, workload.name, workload.ready, workload.desired])).toEqual([['Deployment', 'payments-api', 1, 3], ['Pod', 'stranger', 1, 1]]);
    const [deployment] = workloads;
    expect(deployment).toMatchObject({ kind: 'Deployment', namespace: 'payments', name: 'payments-api', ready: 1, desired: 3, rollout: true, images: ['ghcr.io/acme/payments-api:1.4.1', 'ghcr.io/acme/payments-api:1.4.2'] });
    expect(deployment!.problems.map((problem) => [problem.type, problem.pod ?? ''])).toEqual([
      ['ConditionFalse', ''],
      ['CrashLoopBackOff', 'payments-api-new-b'],
      ['OOMKilled', 'payments-api-new-b'],
      ['Restarting', 'payments-api-new-b'],
      ['ReadinessProbeFailed', 'payments-api-old-c'],
      ['Unschedulable', 'payments-api-new-d'],
      ['HpaAtMaximum', ''],
    ]);
    expect(deployment!.problems[0]!.message).toBe('Available: Deployment does not have minimum availability.');
    // Only warnings about its own objects.
    expect(events).toEqual([{ object: 'Pod/payments-api-new-b', reason: 'BackOff', message: 'Back-off restarting failed container', count: 12, at: '2026-12-01T11:59:00.000Z' }]);
  });

  it('tells image pull and configuration failures apart, and a pod simply pending', () => {
    const waiting = (reason: string) => podProblems({ metadata: { name: 'p' }, status: { phase: 'Pending', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: `${reason} happened` } } }] } }, NOW);
    expect(waiting('ImagePullBackOff').map((problem) => problem.type)).toEqual(['ImagePullBackOff']);
    expect(waiting('ErrImagePull').map((problem) => problem.type)).toEqual(['ErrImagePull']);
    expect(waiting('CreateContainerConfigError')[0]).toMatchObject({ type: 'CreateContainerConfigError', container: 'c', message: 'CreateContainerConfigError happened' });
    expect(podProblems({ metadata: { name: 'p' }, status: { phase: 'Pending' } }, NOW).map((problem) => problem.type)).toEqual(['Pending']);
  });

  it('reports, as Backstage does, any waiting container Kubernetes explains, any restart, and an autoscaler at its maximum even when fixed', () => {
    const waiting = podProblems({ metadata: { name: 'p' }, status: { phase: 'Pending', containerStatuses: [{ name: 'c', image: 'x:@', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'InvalidImageName', message: 'couldn\'t parse image reference "x:@"' } } }] } }, NOW);
    expect(waiting).toEqual([{ type: 'ContainerWaiting', pod: 'p', container: 'c', message: 'couldn\'t parse image reference "x:@"' }]);
    const once = podProblems({ metadata: { name: 'p' }, status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: true, restartCount: 1, state: { running: {} } }] } }, NOW);
    expect(once).toEqual([{ type: 'Restarting', pod: 'p', container: 'c', message: 'container c restarted 1 times' }]);
    const fixed = clusterHealth({ deployments: [{ metadata: { name: 'd', namespace: 'n' }, spec: { replicas: 3, selector: {}, template: {} }, status: { readyReplicas: 3 } }], statefulSets: [], daemonSets: [], replicaSets: [], pods: [], events: [], hpas: [{ metadata: { name: 'h', namespace: 'n' }, spec: { minReplicas: 3, maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'd' } }, status: { currentReplicas: 3, desiredReplicas: 3 } }] }, NOW);
    expect(fixed.workloads[0]!.problems.map((problem) => problem.type)).toEqual(['HpaAtMaximum']);
  });

  it('says down, degraded, healthy or unknown, the worst reasons first', () => {
    const { workloads } = clusterHealth(objects(), NOW);
    const degraded = overallHealth(workloads);
    expect(degraded.status).toBe('degraded');
    expect(degraded.reasons[0]).toBe('Deployment payments/payments-api: 1 of 3 replicas ready');
    expect(degraded.reasons[1]).toMatch(/^CrashLoopBackOff in Deployment payments\/payments-api \(pod payments-api-new-b\)/);
    expect(degraded.reasons.at(-1)).toContain('a rollout is under way');
    expect(overallHealth([{ ...workloads[0]!, ready: 0 }]).status).toBe('down');
    expect(overallHealth([{ ...workloads[0]!, ready: 3, problems: [], rollout: false }])).toEqual({ status: 'healthy', reasons: [] });
    expect(overallHealth([]).status).toBe('unknown');
  });

  it('reports pods that no workload controls on their own, so a lone crashing pod is not "no workload"', () => {
    const crashing = { metadata: { name: 'migrate-x1', namespace: 'n', uid: 'u1', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', uid: 'j', controller: true }] }, spec: { containers: [{ name: 'm', image: 'migrate:3' }] }, status: { phase: 'Running', containerStatuses: [{ name: 'm', image: 'migrate:3', imageID: '', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } } }] } };
    const done = { metadata: { name: 'seed-x2', namespace: 'n', uid: 'u2' }, spec: { containers: [{ name: 's', image: 'seed:1' }] }, status: { phase: 'Succeeded' } };
    const { workloads } = clusterHealth({ deployments: [], statefulSets: [], daemonSets: [], replicaSets: [], pods: [crashing, done], hpas: [], events: [] }, NOW);
    expect(workloads.map((workload) => [workload.kind, workload.name, workload.ready, workload.desired, workload.problems.map((problem) => problem.type)])).toEqual([
      ['Pod', 'migrate-x1', 0, 1, ['CrashLoopBackOff', 'Restarting']],
      ['Pod', 'seed-x2', 0, 0, []],
    ]);
    expect(overallHealth(workloads).status).toBe('down');
  });
});
