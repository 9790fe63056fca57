import { annotationOf } from '../../catalog/model/entity.js';
import { KUBERNETES_ANNOTATIONS } from '../../kubernetes/entity-workloads.js';
import type { FactCollector } from '../fact-collector.js';

/**
 * Facts from the entity's workloads, read through the health feature (its clusters, its cache).
 * Unknown, with the reason, for an entity without Kubernetes annotations, where no cluster is
 * configured, or when no cluster answered or no workload matched.
 */
export const kubernetesFacts: FactCollector = {
  id: 'kubernetes',
  cost: 'remote',
  maxAgeMs: 5 * 60 * 1000,
  facts: {
    kubernetesHealthy: { type: 'boolean', description: 'its workloads are healthy in the clusters that answered' },
    kubernetesStatus: { type: 'string', description: 'healthy, degraded or down' },
    kubernetesRestarts: { type: 'integer', description: 'container restarts across its pods' },
  },
  async collect(ref, entity, { health }) {
    if (!annotationOf(entity, KUBERNETES_ANNOTATIONS.id) && !annotationOf(entity, KUBERNETES_ANNOTATIONS.labelSelector)) throw new Error(`no ${KUBERNETES_ANNOTATIONS.id} or ${KUBERNETES_ANNOTATIONS.labelSelector} annotation`);
    if (!health) throw new Error('no Kubernetes cluster is configured (kubernetes.clusterLocatorMethods, or KUBECONFIG)');
    const answer = await health.health(ref);
    if (answer.status === 'unknown') throw new Error(`Kubernetes: ${answer.reasons.join('; ')}`);
    const restarts = answer.clusters.flatMap((cluster) => cluster.workloads).reduce((total, workload) => total + workload.restarts, 0);
    return { kubernetesHealthy: answer.status === 'healthy', kubernetesStatus: answer.status, kubernetesRestarts: restarts };
  },
};
