import { DEFAULT_NAMESPACE, type Entity } from './entity.js';

export interface CompoundEntityRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface RefDefaults {
  /** The kind a short ref gets in this field; without one the ref must spell its kind. */
  defaultKind?: string;
  /** The referring entity's own namespace. */
  defaultNamespace?: string;
}

/**
 * Parses `[kind:][namespace/]name`. A `/` before the first `:` means the colon belongs to the name.
 * Throws TypeError naming what is missing, as Backstage does.
 */
export function parseEntityRef(ref: string, defaults: RefDefaults = {}): CompoundEntityRef {
  if (typeof ref !== 'string' || ref.length === 0) throw new TypeError('Entity reference must be a non-empty string');
  const colon = ref.indexOf(':');
  const slash = ref.indexOf('/');
  let kind: string | undefined;
  let rest = ref;
  if (colon > 0 && (slash === -1 || colon < slash)) {
    kind = ref.slice(0, colon);
    rest = ref.slice(colon + 1);
  } else if (colon === 0) {
    throw new TypeError(`Entity reference "${ref}" has an empty kind`);
  }
  const split = rest.indexOf('/');
  let namespace: string | undefined;
  let name = rest;
  if (split >= 0) {
    namespace = rest.slice(0, split);
    name = rest.slice(split + 1);
    if (!namespace) throw new TypeError(`Entity reference "${ref}" has an empty namespace`);
  }
  if (!name) throw new TypeError(`Entity reference "${ref}" has an empty name`);
  kind ??= defaults.defaultKind;
  if (!kind) throw new TypeError(`Entity reference "${ref}" has no kind and this field has no default kind; write it as kind:name`);
  return { kind, namespace: namespace ?? defaults.defaultNamespace ?? DEFAULT_NAMESPACE, name };
}

/** The canonical, lower-case `kind:namespace/name`. */
export function stringifyEntityRef(ref: CompoundEntityRef): string {
  return `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase();
}

export function entityRefOf(entity: Entity): string {
  return stringifyEntityRef({
    kind: entity.kind,
    namespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
    name: entity.metadata.name,
  });
}

/** Completes a short ref the way a spec field would, returning the canonical string. */
export function normalizeEntityRef(ref: string, defaults: RefDefaults = {}): string {
  return stringifyEntityRef(parseEntityRef(ref, defaults));
}

/** The canonical ref in a single-ref spec field (owner, system ...), or undefined when absent or malformed. */
export function specRef(entity: Entity, field: string, defaultKind: string): string | undefined {
  const value = entity.spec && Object.hasOwn(entity.spec, field) ? entity.spec[field] : undefined;
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return normalizeEntityRef(value, { defaultKind, defaultNamespace: entity.metadata.namespace });
  } catch {
    return undefined;
  }
}

/** The name part of a canonical `kind:namespace/name` ref: what people call the entity. */
export function nameOfRef(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

/** Code-unit order: refs are lower-case ASCII in practice, and locale-aware comparison is far slower. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
