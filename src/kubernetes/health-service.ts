import type { CatalogService } from '../catalog/catalog-service.js';
import { resolveQuery } from '../catalog/answers/who-owns.js';
import type { ClusterSettings } from './cluster-config.js';
import { preloadKubernetesClient, readCluster, type ClusterAnswer } from './cluster-reader.js';
import { workloadQueryOf, type WorkloadQuery } from './entity-workloads.js';
import { clusterHealth, overallHealth, type HealthStatus, type WarningEvent, type WorkloadHealth } from './workload-health.js';

/** `callboard health ENTITY`'s answer, and what /health posts. */
export interface HealthAnswer {
  entity: string | null;
  status: HealthStatus;
  reasons: string[];
  clusters: { name: string; status: ClusterAnswer['status']; error?: string; workloads: WorkloadHealth[]; events: WarningEvent[] }[];
}

export interface HealthService {
  health(query: string): Promise<HealthAnswer>;
}

export interface HealthServiceDeps {
  catalog: CatalogService;
  clusters: ClusterSettings[];
  /** Each cluster's calls share this deadline (default 1.5 s). */
  timeoutMs?: number;
  /** How long an entity's answer is reused: a busy channel must not flood the API servers (default 15 s). */
  cacheMs?: number;
  read?: (cluster: ClusterSettings, query: WorkloadQuery, timeoutMs: number) => Promise<ClusterAnswer>;
  now?: () => number;
}

/** How long an answer in which a cluster failed is reused. */
const FAILED_CACHE_MS = 2_000;

/**
 * An entity's health across every configured cluster at once: its workloads where the clusters
 * answered, how the others failed (named in the reasons, without changing the status by
 * themselves), and an overall status. Answers are cached briefly per entity, and asking again
 * while one is being fetched waits for that one.
 */
export function createHealthService({ catalog, clusters, timeoutMs = 1_500, cacheMs = 15_000, read = readCluster, now = Date.now }: HealthServiceDeps): HealthService {
  const cache = new Map<string, { at: number; keepMs: number; answer: Promise<HealthAnswer> }>();
  if (clusters.length > 0 && read === readCluster) preloadKubernetesClient();

  const fetchHealth = async (ref: string, query: WorkloadQuery): Promise<HealthAnswer> => {
    const answers = await Promise.all(clusters.map((cluster) => read(cluster, query, timeoutMs)));
    const described = answers.map((answer) =>
      answer.status === 'ok'
        ? { name: answer.name, status: answer.status, ...(answer.partial ? { error: answer.partial } : {}), ...clusterHealth(answer.objects, now()) }
        : { name: answer.name, status: answer.status, error: answer.error, workloads: [], events: [] },
    );
    const failed = described.filter((cluster) => cluster.error).map((cluster) => `cluster ${cluster.name}: ${cluster.status === 'ok' ? 'partly read' : cluster.status} (${cluster.error})`);
    if (described.every((cluster) => cluster.status !== 'ok')) return { entity: ref, status: 'unknown', reasons: ['no cluster answered', ...failed], clusters: described };
    const overall = overallHealth(described.flatMap((cluster) => cluster.workloads));
    return { entity: ref, status: overall.status, reasons: [...overall.reasons, ...failed], clusters: described };
  };

  return {
    async health(rawQuery) {
      const query = rawQuery.trim();
      const ref = resolveQuery(catalog.view, query);
      const entity = ref ? catalog.view.get(ref) : undefined;
      if (!ref || !entity) return { entity: null, status: 'unknown', reasons: [`no entity named ${query}`], clusters: [] };
      const workloads = workloadQueryOf(entity);
      if (typeof workloads === 'string') return { entity: ref, status: 'unknown', reasons: [workloads], clusters: [] };
      if (clusters.length === 0) return { entity: ref, status: 'unknown', reasons: ['no clusters are configured: list them under kubernetes.clusterLocatorMethods, or set KUBECONFIG'], clusters: [] };
      const cached = cache.get(ref);
      if (cached && now() - cached.at < cached.keepMs) return cached.answer;
      const answer = fetchHealth(ref, workloads);
      const entry = { at: now(), keepMs: cacheMs, answer };
      cache.set(ref, entry);
      // A cluster that failed may answer in a moment: that answer is asked again sooner.
      answer.then((settled) => {
        if (settled.clusters.some((cluster) => cluster.status !== 'ok')) entry.keepMs = Math.min(cacheMs, FAILED_CACHE_MS);
      }, () => cache.delete(ref));
      return answer;
    },
  };
}
