import type { Entity, EntityRelation } from './entity.js';
import { entityRefOf, normalizeEntityRef } from './entity-ref.js';

/** Each built-in relation type and its reverse; every relation is answered in both directions. */
export const RELATION_PAIRS = {
  ownedBy: 'ownerOf',
  partOf: 'hasPart',
  dependsOn: 'dependencyOf',
  providesApi: 'apiProvidedBy',
  consumesApi: 'apiConsumedBy',
  memberOf: 'hasMember',
  childOf: 'parentOf',
} as const;

const REVERSE: Record<string, string> = Object.fromEntries(
  Object.entries(RELATION_PAIRS).flatMap(([forward, reverse]) => [
    [forward, reverse],
    [reverse, forward],
  ]),
);

export function reverseRelation(type: string): string {
  const reverse = REVERSE[type];
  if (!reverse) throw new TypeError(`Unknown relation type ${type}`);
  return reverse;
}

interface RelationField {
  field: string;
  /** Kind given to a short ref in this field; none means the ref must spell its kind. */
  defaultKind?: string;
  relation: string;
}

/** Which spec fields of which kinds produce relations (Backstage's built-in processor rules). */
export const RELATION_FIELDS: Record<string, RelationField[]> = {
  Component: [
    { field: 'owner', defaultKind: 'Group', relation: 'ownedBy' },
    { field: 'system', defaultKind: 'System', relation: 'partOf' },
    { field: 'subcomponentOf', defaultKind: 'Component', relation: 'partOf' },
    { field: 'providesApis', defaultKind: 'API', relation: 'providesApi' },
    { field: 'consumesApis', defaultKind: 'API', relation: 'consumesApi' },
    { field: 'dependsOn', relation: 'dependsOn' },
    { field: 'dependencyOf', relation: 'dependencyOf' },
  ],
  API: [
    { field: 'owner', defaultKind: 'Group', relation: 'ownedBy' },
    { field: 'system', defaultKind: 'System', relation: 'partOf' },
  ],
  Resource: [
    { field: 'owner', defaultKind: 'Group', relation: 'ownedBy' },
    { field: 'system', defaultKind: 'System', relation: 'partOf' },
    { field: 'dependsOn', relation: 'dependsOn' },
    { field: 'dependencyOf', relation: 'dependencyOf' },
  ],
  System: [
    { field: 'owner', defaultKind: 'Group', relation: 'ownedBy' },
    { field: 'domain', defaultKind: 'Domain', relation: 'partOf' },
  ],
  Domain: [
    { field: 'owner', defaultKind: 'Group', relation: 'ownedBy' },
    { field: 'subdomainOf', defaultKind: 'Domain', relation: 'partOf' },
  ],
  Group: [
    { field: 'parent', defaultKind: 'Group', relation: 'childOf' },
    { field: 'children', defaultKind: 'Group', relation: 'parentOf' },
    { field: 'members', defaultKind: 'User', relation: 'hasMember' },
  ],
  User: [{ field: 'memberOf', defaultKind: 'Group', relation: 'memberOf' }],
  Template: [{ field: 'owner', defaultKind: 'Group', relation: 'ownedBy' }],
};

export interface StoredRelation {
  sourceRef: string;
  type: string;
  targetRef: string;
}

export interface EmittedRelations {
  relations: StoredRelation[];
  /** One message per ref that could not be parsed, naming its field. */
  problems: string[];
}

/** The relations an entity's spec declares, each with its reverse; refs default per field and namespace. */
export function emitRelations(entity: Entity): EmittedRelations {
  const relations: StoredRelation[] = [];
  const problems: string[] = [];
  const fields = RELATION_FIELDS[entity.kind] ?? [];
  const selfRef = entityRefOf(entity);
  const defaultNamespace = entity.metadata.namespace;
  for (const { field, defaultKind, relation } of fields) {
    const value = entity.spec && Object.hasOwn(entity.spec, field) ? entity.spec[field] : undefined;
    if (value === undefined || value === null) continue;
    const refs = Array.isArray(value) ? value : [value];
    refs.forEach((ref, index) => {
      const where = Array.isArray(value) ? `spec.${field}[${index}]` : `spec.${field}`;
      if (typeof ref !== 'string') {
        problems.push(`${where}: expected an entity reference string`);
        return;
      }
      try {
        const targetRef = normalizeEntityRef(ref, { defaultKind, defaultNamespace });
        relations.push({ sourceRef: selfRef, type: relation, targetRef });
        relations.push({ sourceRef: targetRef, type: reverseRelation(relation), targetRef: selfRef });
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    });
  }
  return { relations, problems };
}

/** The relations an entity states itself, once each; the reverse direction is implied by each. */
export function statedRelations(entity: Entity): EntityRelation[] {
  return statedAmong(entityRefOf(entity), emitRelations(entity).relations);
}

/** Of the relations `emitRelations` gave for the entity `selfRef`, those it states itself, once each. */
export function statedAmong(selfRef: string, relations: StoredRelation[]): EntityRelation[] {
  const seen = new Set<string>();
  const stated: EntityRelation[] = [];
  for (const { sourceRef, type, targetRef } of relations) {
    const key = `${type}\u0000${targetRef}`;
    if (sourceRef !== selfRef || seen.has(key)) continue;
    seen.add(key);
    stated.push({ type, targetRef });
  }
  return stated;
}
