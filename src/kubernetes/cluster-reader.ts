import type { KubeConfig, RequestContext } from '@kubernetes/client-node';
import type { ClusterSettings } from './cluster-config.js';
import type { WorkloadQuery } from './entity-workloads.js';
import type { ClusterObjects } from './workload-health.js';

/** How a cluster answered: with the entity's objects, or how it failed. */
export type ClusterAnswer =
  /** `partial` says what could not be read beside the workloads (autoscalers, events). */
  | { name: string; status: 'ok'; objects: ClusterObjects; partial?: string }
  | { name: string; status: 'timeout' | 'unreachable' | 'forbidden' | 'tls-error'; error: string };

const TLS_ERRORS = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE']);

/** Per cluster and call: enough for any one entity, bounded for a cluster with thousands. */
const MAX_AUTOSCALERS = 500;
const MAX_WARNING_EVENTS = 1_000;

// The client is loaded on the first health question: it takes a second or two to load, and most commands never ask.
type KubernetesClient = typeof import('@kubernetes/client-node');
let client: Promise<KubernetesClient> | undefined;
const kubernetesClient = () => (client ??= import('@kubernetes/client-node'));

/** Starts loading the client where clusters are configured, so the first question does not wait for it. */
export function preloadKubernetesClient(): void {
  void kubernetesClient().catch(() => undefined);
}

/** The client's settings for a cluster; certificates are always checked (never skipTLSVerify). */
function kubeConfigOf(k8s: KubernetesClient, cluster: ClusterSettings): KubeConfig {
  const config = new k8s.KubeConfig();
  if (cluster.source === 'in-cluster') config.loadFromCluster();
  else if (cluster.source === 'kubeconfig') {
    config.loadFromString(cluster.config);
    config.setCurrentContext(cluster.context);
  } else {
    config.loadFromOptions({
      clusters: [{ name: cluster.name, server: cluster.server, skipTLSVerify: false, ...(cluster.caData ? { caData: cluster.caData } : {}), ...(cluster.caFile ? { caFile: cluster.caFile } : {}) }],
      users: [{ name: 'callboard', ...(cluster.token ? { token: cluster.token } : {}) }],
      contexts: [{ name: cluster.name, cluster: cluster.name, user: 'callboard' }],
      currentContext: cluster.name,
    });
  }
  return config;
}

/** What went wrong, as the answer's status and a message for people (the client's own words). */
function failure(k8s: KubernetesClient, name: string, error: unknown): Extract<ClusterAnswer, { error: string }> {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return { name, status: 'timeout', error: 'the cluster did not answer in time' };
  if (error instanceof k8s.ApiException && error.code === 401) return { name, status: 'forbidden', error: 'the cluster did not accept the credentials (401); check the token or the kubeconfig user' };
  if (error instanceof k8s.ApiException && error.code === 403) return { name, status: 'forbidden', error: "the cluster's RBAC refused access (403); the service account needs list on workloads, pods, autoscalers and events" };
  const tlsCode = [typeof code === 'string' ? code : undefined, cause?.code].find((candidate) => candidate && TLS_ERRORS.has(candidate));
  if (tlsCode || /certificate/i.test(message)) return { name, status: 'tls-error', error: `the cluster's certificate was not accepted (${tlsCode ?? message}); check caData or caFile` };
  return { name, status: 'unreachable', error: message.split('\n')[0]! };
}

/**
 * The entity's workloads in one cluster, through the real client: Deployments, StatefulSets,
 * DaemonSets, ReplicaSets and Pods by its label selector; autoscalers and warning events of
 * the namespace (or all of them). Every call shares one deadline; past it the cluster counts as
 * not answering.
 */
export async function readCluster(cluster: ClusterSettings, query: WorkloadQuery, timeoutMs: number): Promise<ClusterAnswer> {
  const k8s = await kubernetesClient();
  try {
    const config = kubeConfigOf(k8s, cluster);
    const signal = AbortSignal.timeout(timeoutMs);
    // The client's requests take a signal through a middleware only.
    const options = {
      middleware: [
        {
          pre: (context: RequestContext) => {
            context.setSignal(signal);
            return new k8s.Observable(Promise.resolve(context));
          },
          post: <T>(response: T) => new k8s.Observable(Promise.resolve(response)),
        },
      ],
      middlewareMergeStrategy: 'append' as const,
    };
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const autoscaling = config.makeApiClient(k8s.AutoscalingV2Api);
    const { labelSelector, namespace } = query;
    const selected = { labelSelector };
    // Autoscalers and events carry no workload labels, so they are listed by namespace and
    // bounded; a cluster that will not list them still reports the workloads.
    const autoscalers = { limit: MAX_AUTOSCALERS };
    const warnings = { fieldSelector: 'type=Warning', limit: MAX_WARNING_EVENTS };
    const [workloads, extras] = [
      Promise.all(
        namespace
          ? [
              apps.listNamespacedDeployment({ namespace, ...selected }, options),
              apps.listNamespacedStatefulSet({ namespace, ...selected }, options),
              apps.listNamespacedDaemonSet({ namespace, ...selected }, options),
              apps.listNamespacedReplicaSet({ namespace, ...selected }, options),
              core.listNamespacedPod({ namespace, ...selected }, options),
            ]
          : [
              apps.listDeploymentForAllNamespaces(selected, options),
              apps.listStatefulSetForAllNamespaces(selected, options),
              apps.listDaemonSetForAllNamespaces(selected, options),
              apps.listReplicaSetForAllNamespaces(selected, options),
              core.listPodForAllNamespaces(selected, options),
            ],
      ),
      Promise.allSettled([
        namespace ? autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, ...autoscalers }, options) : autoscaling.listHorizontalPodAutoscalerForAllNamespaces(autoscalers, options),
        namespace ? core.listNamespacedEvent({ namespace, ...warnings }, options) : core.listEventForAllNamespaces(warnings, options),
      ]),
    ];
    const [deployments, statefulSets, daemonSets, replicaSets, pods] = await workloads;
    const [hpas, events] = await extras;
    const unread = [
      ...(hpas.status === 'rejected' ? [`autoscalers (${failure(k8s, cluster.name, hpas.reason).error})`] : []),
      ...(events.status === 'rejected' ? [`warning events (${failure(k8s, cluster.name, events.reason).error})`] : []),
      // Past the limit, the rest are left unread: said, rather than silently missing.
      ...(hpas.status === 'fulfilled' && hpas.value.metadata?._continue ? [`autoscalers beyond the first ${MAX_AUTOSCALERS}`] : []),
      ...(events.status === 'fulfilled' && events.value.metadata?._continue ? [`warning events beyond the first ${MAX_WARNING_EVENTS}`] : []),
    ];
    const objects: ClusterObjects = {
      deployments: deployments.items,
      statefulSets: statefulSets.items,
      daemonSets: daemonSets.items,
      replicaSets: replicaSets.items,
      pods: pods.items,
      hpas: hpas.status === 'fulfilled' ? hpas.value.items : [],
      events: events.status === 'fulfilled' ? events.value.items : [],
    };
    return { name: cluster.name, status: 'ok', objects, ...(unread.length > 0 ? { partial: `could not read ${unread.join(' or ')}` } : {}) };
  } catch (error) {
    return failure(k8s, cluster.name, error);
  }
}
