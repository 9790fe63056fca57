import type { CoreV1Event, V1DaemonSet, V1Deployment, V1Pod, V1ReplicaSet, V1StatefulSet, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';

/** What one cluster holds of an entity's workloads, as its API server listed them. */
export interface ClusterObjects {
  deployments: V1Deployment[];
  statefulSets: V1StatefulSet[];
  daemonSets: V1DaemonSet[];
  replicaSets: V1ReplicaSet[];
  pods: V1Pod[];
  hpas: V2HorizontalPodAutoscaler[];
  events: CoreV1Event[];
}

export type ProblemType =
  | 'CrashLoopBackOff'
  | 'ImagePullBackOff'
  | 'ErrImagePull'
  | 'CreateContainerConfigError'
  | 'OOMKilled'
  | 'ReadinessProbeFailed'
  | 'Unschedulable'
  | 'Pending'
  | 'Restarting'
  | 'HpaAtMaximum'
  | 'ConditionFalse'
  /** A container waiting for any other reason Kubernetes explains (InvalidImageName, CreateContainerError...). */
  | 'ContainerWaiting';

export interface WorkloadProblem {
  type: ProblemType;
  pod?: string;
  container?: string;
  message: string;
}

export interface WorkloadHealth {
  /** `Pod`: a pod no listed workload controls (a bare pod, a Job's), reported on its own. */
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Pod';
  namespace: string;
  name: string;
  ready: number;
  desired: number;
  /** Every image its pods and live ReplicaSets run; more than one per container is a rollout under way. */
  images: string[];
  rollout: boolean;
  /** Container restarts across its pods, init containers included. */
  restarts: number;
  problems: WorkloadProblem[];
}

export interface WarningEvent {
  object: string;
  reason: string;
  message: string;
  count: number;
  at?: string;
}

/** How bad a problem is, for ordering reasons worst first (Backstage's severities, and pods that cannot start above them). */
const SEVERITY: Record<ProblemType, number> = {
  CrashLoopBackOff: 9,
  ImagePullBackOff: 9,
  ErrImagePull: 9,
  CreateContainerConfigError: 9,
  OOMKilled: 8,
  Unschedulable: 8,
  HpaAtMaximum: 8,
  ConditionFalse: 6,
  ContainerWaiting: 6,
  ReadinessProbeFailed: 4,
  Pending: 4,
  Restarting: 4,
};

const WAITING_PROBLEMS = new Set<ProblemType>(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError']);

/** The most recent warning events shown. */
const MAX_EVENTS = 5;

const key = (kind: string, namespace: string | undefined, name: string | undefined) => `${kind}/${namespace ?? ''}/${name ?? ''}`;

function restartsOf(pods: V1Pod[]): number {
  return pods.reduce((total, pod) => total + [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].reduce((sum, status) => sum + (status.restartCount ?? 0), 0), 0);
}

/** What is wrong with one pod: waiting containers, OOM kills, restarts, readiness failing for too long, not scheduled. */
export function podProblems(pod: V1Pod, now = Date.now()): WorkloadProblem[] {
  const problems: WorkloadProblem[] = [];
  const name = pod.metadata?.name ?? '';
  const probes = new Map((pod.spec?.containers ?? []).map((container) => [container.name, container.readinessProbe]));
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = status.state?.waiting;
    // As Backstage: any waiting container Kubernetes explains, and the known failures even unexplained.
    const known = waiting?.reason && WAITING_PROBLEMS.has(waiting.reason as ProblemType);
    if (waiting && (known || waiting.message)) {
      problems.push({ type: known ? (waiting.reason as ProblemType) : 'ContainerWaiting', pod: name, container: status.name, message: waiting.message ?? waiting.reason ?? 'waiting' });
    }
    const terminated = status.lastState?.terminated ?? status.state?.terminated;
    if (terminated?.reason === 'OOMKilled') problems.push({ type: 'OOMKilled', pod: name, container: status.name, message: `container ${status.name} was killed for running out of memory` });
    if (status.restartCount > 0) problems.push({ type: 'Restarting', pod: name, container: status.name, message: `container ${status.name} restarted ${status.restartCount} times` });
    const probe = probes.get(status.name);
    const started = status.state?.running?.startedAt;
    if (probe && started && !status.ready) {
      const deadline = new Date(started).getTime() + 1_000 * ((probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3));
      if (deadline < now) problems.push({ type: 'ReadinessProbeFailed', pod: name, container: status.name, message: `container ${status.name} is running but has not passed its readiness probe` });
    }
  }
  if (pod.status?.phase === 'Pending') {
    const scheduled = pod.status.conditions?.find((condition) => condition.type === 'PodScheduled');
    if (scheduled?.status === 'False') problems.push({ type: 'Unschedulable', pod: name, message: scheduled.message ?? 'the pod cannot be scheduled on any node' });
    else if (!problems.some((problem) => WAITING_PROBLEMS.has(problem.type) || problem.type === 'ContainerWaiting')) problems.push({ type: 'Pending', pod: name, message: 'the pod is pending' });
  }
  return problems;
}

function conditionProblems(conditions: { type: string; status: string; message?: string }[] | undefined): WorkloadProblem[] {
  return (conditions ?? []).filter((condition) => condition.status === 'False' && condition.message).map((condition) => ({ type: 'ConditionFalse' as const, message: `${condition.type}: ${condition.message}` }));
}

/**
 * Each workload (Deployment, StatefulSet, DaemonSet) with its readiness, images and problems:
 * its pods are found through their owner references (a Deployment's through its ReplicaSets), and
 * an HPA through its scale target. The warning events are those whose object is one of these.
 */
export function clusterHealth(objects: ClusterObjects, now = Date.now()): { workloads: WorkloadHealth[]; events: WarningEvent[] } {
  const ownerOfReplicaSet = new Map<string, string>();
  const replicaSetsOf = new Map<string, V1ReplicaSet[]>();
  for (const replicaSet of objects.replicaSets) {
    const owner = controllerOf(replicaSet.metadata?.ownerReferences);
    if (owner?.kind !== 'Deployment') continue;
    if (!owner) continue;
    const deployment = key('Deployment', replicaSet.metadata?.namespace, owner.name);
    ownerOfReplicaSet.set(key('ReplicaSet', replicaSet.metadata?.namespace, replicaSet.metadata?.name), deployment);
    replicaSetsOf.set(deployment, [...(replicaSetsOf.get(deployment) ?? []), replicaSet]);
  }
  const podsOf = new Map<string, V1Pod[]>();
  for (const pod of objects.pods) {
    const owner = controllerOf(pod.metadata?.ownerReferences);
    if (!owner) continue;
    const direct = key(owner.kind, pod.metadata?.namespace, owner.name);
    const workload = owner.kind === 'ReplicaSet' ? ownerOfReplicaSet.get(direct) : direct;
    if (workload) podsOf.set(workload, [...(podsOf.get(workload) ?? []), pod]);
  }
  const hpaOf = new Map(objects.hpas.map((hpa) => [key(hpa.spec?.scaleTargetRef.kind ?? '', hpa.metadata?.namespace, hpa.spec?.scaleTargetRef.name), hpa]));

  const describe = (kind: WorkloadHealth['kind'], metadata: { namespace?: string; name?: string } | undefined, ready: number, desired: number, conditions: WorkloadProblem[], templateImages: string[]): WorkloadHealth => {
    const id = key(kind, metadata?.namespace, metadata?.name);
    const pods = podsOf.get(id) ?? [];
    const liveSets = (replicaSetsOf.get(id) ?? []).filter((replicaSet) => (replicaSet.status?.replicas ?? 0) > 0);
    const imagesByContainer = new Map<string, Set<string>>();
    const add = (container: string, image: string | undefined) => {
      if (!image) return;
      imagesByContainer.set(container, (imagesByContainer.get(container) ?? new Set()).add(image));
    };
    for (const pod of pods) for (const container of pod.spec?.containers ?? []) add(container.name, container.image);
    for (const replicaSet of liveSets) for (const container of replicaSet.spec?.template?.spec?.containers ?? []) add(container.name, container.image);
    if (imagesByContainer.size === 0) templateImages.forEach((image, index) => add(String(index), image));
    const problems = [...conditions, ...pods.flatMap((pod) => podProblems(pod, now))];
    const hpa = hpaOf.get(id);
    const max = hpa?.spec?.maxReplicas;
    if (hpa && max !== undefined && hpa.status?.currentReplicas === max) problems.push({ type: 'HpaAtMaximum', message: `the autoscaler ${hpa.metadata?.name} runs ${max} replicas, its maximum` });
    return {
      kind,
      namespace: metadata?.namespace ?? '',
      name: metadata?.name ?? '',
      ready,
      desired,
      images: [...new Set([...imagesByContainer.values()].flatMap((images) => [...images]))].sort(),
      rollout: [...imagesByContainer.values()].some((images) => images.size > 1),
      restarts: restartsOf(pods),
      problems,
    };
  };
  const imagesOf = (template: { spec?: { containers?: { image?: string }[] } } | undefined) => (template?.spec?.containers ?? []).flatMap((container) => (container.image ? [container.image] : []));

  const workloads = [
    ...objects.deployments.map((deployment) =>
      describe('Deployment', deployment.metadata, deployment.status?.readyReplicas ?? 0, deployment.spec?.replicas ?? 1, conditionProblems(deployment.status?.conditions), imagesOf(deployment.spec?.template)),
    ),
    ...objects.statefulSets.map((set) => describe('StatefulSet', set.metadata, set.status?.readyReplicas ?? 0, set.spec?.replicas ?? 1, conditionProblems(set.status?.conditions), imagesOf(set.spec?.template))),
    ...objects.daemonSets.map((set) => describe('DaemonSet', set.metadata, set.status?.numberReady ?? 0, set.status?.desiredNumberScheduled ?? 0, conditionProblems(set.status?.conditions), imagesOf(set.spec?.template))),
  ];

  // Pods that no workload above controls are still the entity's: each is reported as its own.
  const attached = new Set(workloads.flatMap((workload) => (podsOf.get(key(workload.kind, workload.namespace, workload.name)) ?? []).map((pod) => pod.metadata?.uid ?? pod.metadata?.name)));
  for (const pod of objects.pods.filter((candidate) => !attached.has(candidate.metadata?.uid ?? candidate.metadata?.name))) {
    const finished = pod.status?.phase === 'Succeeded';
    const ready = pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ? 1 : 0;
    const images = [...new Set((pod.spec?.containers ?? []).flatMap((container) => (container.image ? [container.image] : [])))].sort();
    workloads.push({ kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', ready: finished ? 0 : ready, desired: finished ? 0 : 1, images, rollout: false, restarts: restartsOf([pod]), problems: podProblems(pod, now) });
  }

  const own = new Set<string>();
  for (const workload of workloads) own.add(key(workload.kind, workload.namespace, workload.name));
  for (const replicaSet of objects.replicaSets) own.add(key('ReplicaSet', replicaSet.metadata?.namespace, replicaSet.metadata?.name));
  for (const pod of objects.pods) own.add(key('Pod', pod.metadata?.namespace, pod.metadata?.name));
  for (const hpa of objects.hpas) own.add(key('HorizontalPodAutoscaler', hpa.metadata?.namespace, hpa.metadata?.name));
  const events = objects.events
    .filter((event) => event.type === 'Warning' && own.has(key(event.involvedObject.kind ?? '', event.involvedObject.namespace, event.involvedObject.name)))
    .map((event) => ({ event, at: timestamp(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp) }))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, MAX_EVENTS)
    .map(({ event, at }) => ({ object: `${event.involvedObject.kind}/${event.involvedObject.name}`, reason: event.reason ?? '', message: event.message ?? '', count: event.count ?? 1, ...(at ? { at } : {}) }));
  return { workloads, events };
}

/** The reference Kubernetes marks as the controller (the first one, from servers that mark none). */
function controllerOf<T extends { controller?: boolean }>(references: T[] | undefined): T | undefined {
  return references?.find((reference) => reference.controller) ?? references?.[0];
}

export type HealthStatus = 'healthy' | 'degraded' | 'down' | 'unknown';

/**
 * The overall status of the workloads found (in the clusters that answered), with the reasons
 * worst first: down when a workload that should run has nothing ready, degraded when anything is
 * short or wrong, healthy when all is ready and nothing is wrong, unknown when nothing was found.
 */
export function overallHealth(workloads: WorkloadHealth[]): { status: HealthStatus; reasons: string[] } {
  if (workloads.length === 0) return { status: 'unknown', reasons: ['no workload matches the entity in any cluster that answered'] };
  const down = workloads.filter((workload) => workload.desired > 0 && workload.ready === 0);
  const short = workloads.filter((workload) => workload.ready < workload.desired && !down.includes(workload));
  const problems = workloads.flatMap((workload) => workload.problems.map((problem) => ({ workload, problem }))).sort((a, b) => SEVERITY[b.problem.type] - SEVERITY[a.problem.type]);
  const reasons = [
    ...down.map((workload) => `${workload.kind} ${workload.namespace}/${workload.name}: no replica ready of ${workload.desired}`),
    ...short.map((workload) => `${workload.kind} ${workload.namespace}/${workload.name}: ${workload.ready} of ${workload.desired} replicas ready`),
    ...problems.map(({ workload, problem }) => `${problem.type} in ${workload.kind} ${workload.namespace}/${workload.name}${problem.pod ? ` (pod ${problem.pod})` : ''}: ${problem.message}`),
    ...workloads.filter((workload) => workload.rollout).map((workload) => `${workload.kind} ${workload.namespace}/${workload.name}: a rollout is under way (${workload.images.join(', ')})`),
  ];
  const status: HealthStatus = down.length > 0 ? 'down' : short.length > 0 || problems.length > 0 ? 'degraded' : 'healthy';
  return { status, reasons: [...new Set(reasons)] };
}

/** The client gives times as Dates (or, from some servers, strings); compared and shown as ISO text. */
function timestamp(value: Date | string | undefined): string {
  if (value === undefined) return '';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
