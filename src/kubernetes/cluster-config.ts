import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

/** One cluster Callboard may ask about workloads, and how it reaches it. Only ever from config. */
export type ClusterSettings =
  | { name: string; source: 'config'; server: string; token?: string; caData?: string; caFile?: string }
  | { name: string; source: 'in-cluster' }
  /** `config` is the file's text as read and checked at start: an edit to it (turning TLS checks off, say) needs a restart. */
  | { name: string; source: 'kubeconfig'; kubeconfig: string; config: string; context: string };

export interface ClusterConfigResult {
  clusters: ClusterSettings[];
  /** Clusters left out, each saying why (a locator or an auth provider not supported, TLS checks turned off). */
  problems: string[];
}

interface ConfiguredCluster {
  name?: unknown;
  url?: unknown;
  authProvider?: unknown;
  serviceAccountToken?: unknown;
  caData?: unknown;
  caFile?: unknown;
  skipTLSVerify?: unknown;
}

interface KubeconfigFile {
  clusters?: { name?: string; cluster?: { server?: string; 'insecure-skip-tls-verify'?: boolean } }[];
  contexts?: { name?: string; context?: { cluster?: string } }[];
}

/** The contexts of a kubeconfig file's text, each with why it cannot be used (TLS not verified, plain http), if so. */
function contextsOf(text: string): { name: string; problem?: string }[] {
  const parsed = (yaml.load(text, { schema: yaml.CORE_SCHEMA }) ?? {}) as KubeconfigFile;
  return (parsed.contexts ?? []).flatMap((context) => {
    if (!context?.name) return [];
    const cluster = parsed.clusters?.find((candidate) => candidate?.name === context.context?.cluster)?.cluster;
    if (cluster?.['insecure-skip-tls-verify'] === true) return [{ name: context.name, problem: 'its cluster sets insecure-skip-tls-verify; Callboard always verifies TLS' }];
    if (!cluster?.server?.startsWith('https://')) return [{ name: context.name, problem: 'its cluster is not an https server' }];
    return [{ name: context.name }];
  });
}

/**
 * The clusters of Backstage's `kubernetes.clusterLocatorMethods` (type `config`: `url`,
 * `authProvider: serviceAccount` with `serviceAccountToken`, `caData` or `caFile`; without a url,
 * the cluster Callboard runs in, through its service account); when the config names none and
 * `KUBECONFIG` is set, every context there, named after it. TLS is always verified: a cluster
 * with `skipTLSVerify: true` is left out, as are locators and auth providers Callboard does not have.
 */
export function clustersFromConfig(kubernetes: unknown, env: Record<string, string | undefined>, readContexts: (text: string) => { name: string; problem?: string }[] = contextsOf): ClusterConfigResult {
  const clusters: ClusterSettings[] = [];
  const problems: string[] = [];
  const methods = (kubernetes as { clusterLocatorMethods?: unknown } | undefined)?.clusterLocatorMethods;
  for (const [index, method] of (Array.isArray(methods) ? methods : []).entries()) {
    const type = (method as { type?: unknown } | null)?.type;
    if (type !== 'config') {
      problems.push(`kubernetes.clusterLocatorMethods[${index}]: type ${String(type)} is not supported; list the clusters with type: config`);
      continue;
    }
    const listed = (method as { clusters?: unknown }).clusters;
    for (const [position, raw] of (Array.isArray(listed) ? listed : []).entries()) {
      const cluster = (raw ?? {}) as ConfiguredCluster;
      const where = `kubernetes.clusterLocatorMethods[${index}].clusters[${position}]`;
      const name = typeof cluster.name === 'string' && cluster.name ? cluster.name : undefined;
      if (!name) {
        problems.push(`${where}: a cluster needs a name`);
        continue;
      }
      if (cluster.skipTLSVerify === true) {
        problems.push(`${where} (${name}): skipTLSVerify is true; Callboard always verifies TLS, so give the cluster's CA as caData or caFile`);
        continue;
      }
      const provider = cluster.authProvider ?? 'serviceAccount';
      if (provider !== 'serviceAccount') {
        problems.push(`${where} (${name}): authProvider ${String(provider)} is not supported; use serviceAccount with a serviceAccountToken`);
        continue;
      }
      if (cluster.url === undefined) {
        clusters.push({ name, source: 'in-cluster' });
        continue;
      }
      if (typeof cluster.url !== 'string' || !/^https:\/\//.test(cluster.url)) {
        problems.push(`${where} (${name}): url must be an https URL`);
        continue;
      }
      clusters.push({
        name,
        source: 'config',
        server: cluster.url,
        ...(typeof cluster.serviceAccountToken === 'string' ? { token: cluster.serviceAccountToken } : {}),
        ...(typeof cluster.caData === 'string' ? { caData: cluster.caData } : {}),
        ...(typeof cluster.caFile === 'string' ? { caFile: cluster.caFile } : {}),
      });
    }
  }
  if (clusters.length === 0 && problems.length === 0 && env.KUBECONFIG) {
    // KUBECONFIG may list several files, as kubectl reads it.
    for (const file of env.KUBECONFIG.split(':').filter(Boolean)) {
      try {
        const text = readFileSync(file, 'utf8');
        for (const context of readContexts(text)) {
          if (context.problem) problems.push(`KUBECONFIG ${file}: context ${context.name} is left out: ${context.problem}`);
          else clusters.push({ name: context.name, source: 'kubeconfig', kubeconfig: file, config: text, context: context.name });
        }
      } catch (error) {
        problems.push(`KUBECONFIG ${file}: ${(error as Error).message}`);
      }
    }
  }
  const seen = new Set<string>();
  return {
    clusters: clusters.filter((cluster) => {
      if (!seen.has(cluster.name)) return seen.add(cluster.name);
      problems.push(`two clusters are named ${cluster.name}; the first is used`);
      return false;
    }),
    problems,
  };
}
