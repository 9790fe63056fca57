import { annotationOf, type Entity } from '../catalog/model/entity.js';

export const KUBERNETES_ANNOTATIONS = {
  id: 'backstage.io/kubernetes-id',
  labelSelector: 'backstage.io/kubernetes-label-selector',
  namespace: 'backstage.io/kubernetes-namespace',
} as const;

/** How an entity's workloads are found in a cluster: Backstage's label selector, in one namespace or all. */
export interface WorkloadQuery {
  labelSelector: string;
  namespace?: string;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A selector's requirements, split at the commas outside `in (...)` lists. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of selector) {
    if (character === '(') depth++;
    if (character === ')') depth--;
    if (character === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += character;
  }
  parts.push(current.trim());
  return parts;
}

/**
 * Whether a requirement narrows what is matched: `key=value`, `key==value` or `key in (...)`. A bare
 * `key`, and negations (`!key`, `key!=value`, `key notin (...)`), match nearly everything.
 */
function narrows(requirement: string): boolean {
  if (/^!/.test(requirement) || /!=/.test(requirement) || /\snotin\s*\(/.test(requirement)) return false;
  const [key = '', value = ''] = requirement.split(/==|=|\sin\s*\(/);
  // A key alone (`app`) matches every workload that has the label at all: a value is needed.
  return LABEL_KEY.test(key.trim()) && value.replace(/[()\s,]/g, '') !== '';
}

/**
 * The query for an entity's workloads, as Backstage's Kubernetes plugin builds it: the
 * `backstage.io/kubernetes-label-selector` annotation as it is, else `backstage.io/kubernetes-id=<id>`,
 * in `backstage.io/kubernetes-namespace` when set. An entity with neither annotation, or a selector
 * that would match everything a cluster runs, gets the reason instead. Annotations name only what
 * to look for: which clusters, and with which credentials, is the config's alone.
 */
export function workloadQueryOf(entity: Entity): WorkloadQuery | string {
  const id = annotationOf(entity, KUBERNETES_ANNOTATIONS.id)?.trim();
  const selector = annotationOf(entity, KUBERNETES_ANNOTATIONS.labelSelector)?.trim();
  const namespace = annotationOf(entity, KUBERNETES_ANNOTATIONS.namespace)?.trim();
  if (namespace !== undefined && !NAMESPACE.test(namespace)) return `${KUBERNETES_ANNOTATIONS.namespace}: "${namespace}" is not a namespace name`;
  const within = namespace ? { namespace } : {};
  if (selector !== undefined) {
    const parts = requirements(selector);
    if (!selector || parts.some((part) => !part)) return `${KUBERNETES_ANNOTATIONS.labelSelector}: "${selector}" is empty or has an empty requirement`;
    if (!parts.some(narrows)) return `${KUBERNETES_ANNOTATIONS.labelSelector}: "${selector}" would match every workload; name a label the entity's workloads carry, such as app=${entity.metadata.name}`;
    return { labelSelector: selector, ...within };
  }
  if (id !== undefined) {
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(id)) return `${KUBERNETES_ANNOTATIONS.id}: "${id}" is not a label value`;
    return { labelSelector: `${KUBERNETES_ANNOTATIONS.id}=${id}`, ...within };
  }
  return `no Kubernetes annotation: add ${KUBERNETES_ANNOTATIONS.id}: ${entity.metadata.name} (and that label on its workloads and pods), or ${KUBERNETES_ANNOTATIONS.labelSelector}`;
}
