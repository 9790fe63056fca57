import { createHash } from 'node:crypto';
import { ANNOTATIONS, DEFAULT_NAMESPACE, type Entity, type EntityRelation } from '../model/entity.js';
import { entityRefOf } from '../model/entity-ref.js';
import { emitRelations, statedAmong } from '../model/relations.js';
import { SUPPORTED_KINDS, validateEntity } from '../validation/validate-entity.js';
import type { CatalogProblem } from './catalog-problem.js';
import { hasPlaceholders, resolvePlaceholders, type PlaceholderReader } from './placeholders.js';

/**
 * One stored entity as processing hands it on: plain strings and arrays, so it crosses from a
 * parsing worker cheaply. `entityOf` parses the entity back where it is needed.
 */
export interface ProcessedEntity {
  ref: string;
  kind: string;
  namespace: string;
  name: string;
  /** metadata.title, stored beside the JSON so loading the view needs no JSON read on the server. */
  title: string | null;
  /** The entity serialised once: its content hash, the stored row and the in-memory view share this string. */
  json: string;
  /** The relations the entity states (the reverse of each is implied). */
  relations: EntityRelation[];
  /** `file:<path>` or `url:<url>` of the file the entity was read from. */
  locationKey: string;
  originKey: string;
  contentHash: string;
  file: string;
  line: number;
  document: number;
}

export interface ProcessingContext {
  file: string;
  locationKey: string;
  originKey: string;
  document: number;
  line: number;
  /** Kinds this location may contribute; undefined allows every supported kind. */
  allowedKinds?: Set<string>;
  readPlaceholder: PlaceholderReader;
  /** The parser's cheap look at the text: false skips the walk for placeholders. */
  mayHavePlaceholders?: boolean;
}

export type ProcessingResult =
  | { ok: true; processed: ProcessedEntity; problems: CatalogProblem[] }
  | { ok: false; problems: CatalogProblem[] };

/**
 * Turns one parsed YAML document into a stored entity, in named steps: resolve placeholders,
 * validate, default the namespace, apply catalog rules, emit relations, stamp the location.
 * It never throws: a document that fails becomes problems naming its file, line and ref.
 */
export async function processEntity(document: unknown, context: ProcessingContext): Promise<ProcessingResult> {
  const problems: CatalogProblem[] = [];
  const problem = (severity: CatalogProblem['severity'], message: string, ref?: string): CatalogProblem => ({
    severity,
    file: context.file,
    line: context.line,
    document: context.document,
    ref,
    message,
  });

  let value = document;
  const placeholderWarnings: string[] = [];
  if (context.mayHavePlaceholders !== false && hasPlaceholders(value)) value = await resolvePlaceholders(value, context.readPlaceholder, placeholderWarnings);

  const validation = validateEntity(value);
  const ref = guessRef(value);
  if (!validation.ok) {
    return { ok: false, problems: validation.errors.map((message) => problem('error', message, ref)) };
  }
  const entity = withDefaults(validation.entity);
  const entityRef = entityRefOf(entity);
  problems.push(...placeholderWarnings.map((message) => problem('warning', message, entityRef)));
  problems.push(...validation.refusals.map((message) => problem('error', message, entityRef)));

  if (context.allowedKinds && !context.allowedKinds.has(entity.kind)) {
    return {
      ok: false,
      problems: [
        problem('error', `kind ${entity.kind} is not allowed from this location; allowed: ${[...context.allowedKinds].join(', ')} (see catalog.rules)`, entityRef),
      ],
    };
  }

  const emitted = emitRelations(entity);
  if (emitted.problems.length > 0) {
    return { ok: false, problems: emitted.problems.map((message) => problem('error', message, entityRef)) };
  }

  entity.metadata.annotations = {
    ...entity.metadata.annotations,
    [ANNOTATIONS.managedByLocation]: context.locationKey,
    [ANNOTATIONS.managedByOriginLocation]: context.originKey,
  };
  const json = JSON.stringify(entity);
  const processed: ProcessedEntity = {
    ref: entityRef,
    kind: entity.kind,
    namespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
    name: entity.metadata.name,
    title: entity.metadata.title ?? null,
    json,
    relations: statedAmong(entityRef, emitted.relations),
    locationKey: context.locationKey,
    originKey: context.originKey,
    contentHash: createHash('sha1').update(json).digest('base64url'),
    file: context.file,
    line: context.line,
    document: context.document,
  };
  return { ok: true, processed, problems };
}

/**
 * The stored entity again after a catalog processor changed it: validated and its relations
 * emitted anew, its ref and the location annotations the catalog sets kept as they were.
 */
export function reprocessed(before: ProcessedEntity, changed: Entity): { processed: ProcessedEntity } | { problem: string } {
  const validation = validateEntity(changed);
  if (!validation.ok) return { problem: `it returned an entity that is not valid: ${validation.errors.join('; ')}` };
  const entity = withDefaults(validation.entity);
  if (entityRefOf(entity) !== before.ref) return { problem: `it returned ${entityRefOf(entity)} for ${before.ref}: a processor may not change an entity's kind, namespace or name` };
  const emitted = emitRelations(entity);
  if (emitted.problems.length > 0) return { problem: emitted.problems.join('; ') };
  entity.metadata.annotations = { ...entity.metadata.annotations, [ANNOTATIONS.managedByLocation]: before.locationKey, [ANNOTATIONS.managedByOriginLocation]: before.originKey };
  const json = JSON.stringify(entity);
  return { processed: { ...before, title: entity.metadata.title ?? null, json, relations: statedAmong(before.ref, emitted.relations), contentHash: createHash('sha1').update(json).digest('base64url') } };
}

/** Drops the metadata only the catalog may set and fills the default namespace. */
function withDefaults(entity: Entity): Entity {
  const { uid: _uid, etag: _etag, ...metadata } = entity.metadata;
  return {
    apiVersion: entity.apiVersion,
    kind: entity.kind,
    metadata: { ...metadata, namespace: metadata.namespace ?? DEFAULT_NAMESPACE },
    ...(entity.spec ? { spec: entity.spec } : {}),
  };
}

/** Best-effort ref for a document that failed validation, so its problems still name it. */
function guessRef(value: unknown): string | undefined {
  const candidate = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  if (!candidate || typeof candidate !== 'object') return undefined;
  const { kind, metadata } = candidate;
  if (typeof kind !== 'string' || typeof metadata?.name !== 'string') return undefined;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : DEFAULT_NAMESPACE;
  return `${kind}:${namespace}/${metadata.name}`.toLowerCase();
}

/** What a refresh remembers of an entity in a file it may skip next time: enough to plan the write, not the content. */
export type EntityFingerprint = Pick<ProcessedEntity, 'ref' | 'kind' | 'locationKey' | 'originKey' | 'contentHash' | 'file' | 'line' | 'document'>;

/** An entity a refresh found: processed from its file now, or remembered from an unchanged file. */
export type IngestedEntity = ProcessedEntity | EntityFingerprint;

export function entityOf(processed: ProcessedEntity): Entity {
  return JSON.parse(processed.json) as Entity;
}

export function hasContent(entity: IngestedEntity): entity is ProcessedEntity {
  return 'json' in entity;
}

/**
 * The fingerprint of an entity read from a file. Given, `source` holds the file's own strings, so
 * all its entities' fingerprints share them; else the entity's are kept. `same`, given, holds the
 * same ref and content hash, whose strings are shared instead of the entity's.
 */
export function fingerprintOf(
  { ref, kind, contentHash, line, document, locationKey, originKey, file }: IngestedEntity,
  source: { locationKey: string; originKey: string; file: string } = { locationKey, originKey, file },
  same: { ref: string; contentHash: string } = { ref, contentHash },
): EntityFingerprint {
  return { ref: same.ref, kind: KINDS.get(kind) ?? kind, contentHash: same.contentHash, line, document, locationKey: source.locationKey, originKey: source.originKey, file: source.file };
}

/** Each kind's name once: fingerprints outlive refreshes, and those made from a thread's message would each hold a copy. */
const KINDS = new Map(SUPPORTED_KINDS.map((kind) => [kind, kind]));
