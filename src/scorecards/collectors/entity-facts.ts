import { ANNOTATIONS, annotationOf, type Entity } from '../../catalog/model/entity.js';
import { TECHDOCS_ENTITY } from '../../docs/entity-docs.js';
import { KUBERNETES_ANNOTATIONS } from '../../kubernetes/entity-workloads.js';
import type { FactCollector } from '../fact-collector.js';

const has = (value: unknown) => (typeof value === 'string' ? value.trim().length > 0 : value !== undefined && value !== null);
const hasAnnotation = (entity: Entity, ...keys: string[]) => keys.some((key) => has(annotationOf(entity, key)));

/**
 * Facts read from the entity and the catalog around it. Backstage's entityOwnership,
 * entityMetadata and techdocs retrievers' facts are here under their own names, so Tech Insights
 * checks written for them answer unchanged; the entity's own fields are facts too, for `path` rules.
 */
export const entityFacts: FactCollector = {
  id: 'entity',
  cost: 'cheap',
  facts: {
    hasOwner: { type: 'boolean', description: 'spec.owner is set' },
    hasGroupOwner: { type: 'boolean', description: 'spec.owner is set and is not a user (as Backstage’s entityOwnership retriever)' },
    ownerExists: { type: 'boolean', description: 'the owner is an entity in the catalog' },
    hasTitle: { type: 'boolean', description: 'metadata.title is set' },
    hasDescription: { type: 'boolean', description: 'metadata.description is set' },
    hasTags: { type: 'boolean', description: 'metadata.tags has at least one tag' },
    hasSystem: { type: 'boolean', description: 'spec.system is set' },
    hasLifecycle: { type: 'boolean', description: 'spec.lifecycle is set' },
    hasTechDocs: { type: 'boolean', description: 'a backstage.io/techdocs-ref or techdocs-entity annotation' },
    hasAnnotationBackstageIoTechdocsRef: { type: 'boolean', description: 'a backstage.io/techdocs-ref annotation (as Backstage’s techdocs retriever)' },
    hasAnnotationBackstageIoTechdocsEntity: { type: 'boolean', description: 'a backstage.io/techdocs-entity annotation (as Backstage’s techdocs retriever)' },
    hasKubernetes: { type: 'boolean', description: 'a backstage.io/kubernetes-id or kubernetes-label-selector annotation' },
    hasDanglingRelations: { type: 'boolean', description: 'a relation names an entity the catalog does not have' },
    catalogProblems: { type: 'integer', description: 'problems found in the entity’s own YAML' },
    kind: { type: 'string', description: 'the entity’s kind' },
    metadata: { type: 'object', description: 'the entity’s metadata' },
    links: { type: 'set', description: 'metadata.links' },
    tags: { type: 'set', description: 'metadata.tags' },
    annotations: { type: 'object', description: 'metadata.annotations' },
    spec: { type: 'object', description: 'the entity’s spec' },
  },
  collect(ref, entity, { view, problemsOf }) {
    const spec = entity.spec ?? {};
    const owner = view.related(ref, 'ownedBy')[0];
    return {
      hasOwner: has(spec.owner),
      hasGroupOwner: typeof spec.owner === 'string' && has(spec.owner) && !spec.owner.startsWith('user:'),
      ownerExists: owner !== undefined && view.has(owner),
      hasTitle: has(entity.metadata.title),
      hasDescription: has(entity.metadata.description),
      hasTags: (entity.metadata.tags?.length ?? 0) > 0,
      hasSystem: has(spec.system),
      hasLifecycle: has(spec.lifecycle),
      hasTechDocs: hasAnnotation(entity, ANNOTATIONS.techdocsRef, TECHDOCS_ENTITY),
      hasAnnotationBackstageIoTechdocsRef: hasAnnotation(entity, ANNOTATIONS.techdocsRef),
      hasAnnotationBackstageIoTechdocsEntity: hasAnnotation(entity, TECHDOCS_ENTITY),
      hasKubernetes: hasAnnotation(entity, KUBERNETES_ANNOTATIONS.id, KUBERNETES_ANNOTATIONS.labelSelector),
      hasDanglingRelations: view.relations(ref).some((relation) => !view.has(relation.targetRef)),
      catalogProblems: problemsOf(ref).length,
      kind: entity.kind,
      metadata: entity.metadata,
      links: entity.metadata.links ?? [],
      tags: entity.metadata.tags ?? [],
      annotations: entity.metadata.annotations ?? {},
      spec,
    };
  },
};
