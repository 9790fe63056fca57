/** Backstage's descriptor format, as Callboard stores and answers it. */
export interface EntityLink {
  url: string;
  title?: string;
  icon?: string;
  type?: string;
}

export interface EntityMetadata {
  name: string;
  namespace?: string;
  title?: string;
  description?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  tags?: string[];
  links?: EntityLink[];
  [key: string]: unknown;
}

export interface EntityRelation {
  type: string;
  targetRef: string;
}

export interface Entity {
  apiVersion: string;
  kind: string;
  metadata: EntityMetadata;
  spec?: Record<string, unknown>;
  relations?: EntityRelation[];
}

export const DEFAULT_NAMESPACE = 'default';

export const ANNOTATIONS = {
  managedByLocation: 'backstage.io/managed-by-location',
  managedByOriginLocation: 'backstage.io/managed-by-origin-location',
  sourceLocation: 'backstage.io/source-location',
  viewUrl: 'backstage.io/view-url',
  editUrl: 'backstage.io/edit-url',
  techdocsRef: 'backstage.io/techdocs-ref',
  projectSlug: 'github.com/project-slug',
  pagerdutyServiceId: 'pagerduty.com/service-id',
  pagerdutyIntegrationKey: 'pagerduty.com/integration-key',
  pagerdutyAccount: 'pagerduty.com/account',
  opsgenieTeam: 'opsgenie.com/team',
  opsgenieComponentSelector: 'opsgenie.com/component-selector',
  slackChannel: 'slack.com/channel',
  slackUserId: 'slack.com/user-id',
} as const;

/** An own annotation value; user data is never read through the prototype chain. */
export function annotationOf(entity: Entity, key: string): string | undefined {
  const annotations = entity.metadata.annotations;
  return annotations && Object.hasOwn(annotations, key) ? annotations[key] : undefined;
}

/** Where the entity's source lives (`backstage.io/source-location`), without Backstage's `url:` prefix. */
export function sourceLocationOf(entity: Entity): string | undefined {
  return annotationOf(entity, ANNOTATIONS.sourceLocation)?.replace(/^url:/, '');
}

export function specString(entity: Entity, field: string): string | undefined {
  const value = entity.spec && Object.hasOwn(entity.spec, field) ? entity.spec[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}
