import type { Entity } from '../model/entity.js';

const OBJECT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]+(?:-+[a-z0-9]+)*$/;
const DNS_SUBDOMAIN_PART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TAG = /^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$/;
const REFUSED_URL_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:']);
/** Annotations whose values are rendered as links, so they get the same scheme check as `links`. */
const URL_ANNOTATIONS = ['backstage.io/view-url', 'backstage.io/edit-url', 'backstage.io/source-location'];

export function isValidObjectName(value: string): boolean {
  return value.length >= 1 && value.length <= 63 && OBJECT_NAME.test(value);
}

export function isValidNamespace(value: string): boolean {
  return value.length >= 1 && value.length <= 63 && DNS_LABEL.test(value);
}

function isValidDnsSubdomain(value: string): boolean {
  return value.length >= 1 && value.length <= 253 && value.split('.').every((part) => part.length <= 63 && DNS_SUBDOMAIN_PART.test(part));
}

/** Label and annotation keys: `[prefix/]name`, the prefix a DNS subdomain, the name an object name. */
export function isValidPrefixedKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash === -1) return isValidObjectName(key);
  return isValidDnsSubdomain(key.slice(0, slash)) && isValidObjectName(key.slice(slash + 1));
}

export function isValidTag(tag: string): boolean {
  return tag.length >= 1 && tag.length <= 63 && TAG.test(tag);
}

/** Why a URL may not be shown as a link, or undefined when it may. */
export function refuseUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${truncate(value)}" is not an absolute URL`;
  }
  if (REFUSED_URL_SCHEMES.has(url.protocol)) return `the ${url.protocol} scheme is refused; use an https: URL`;
  return undefined;
}

export interface FieldFormatResult {
  /** The entity can't be stored: its identity or a rule Backstage enforces is broken. */
  errors: string[];
  /** Dropped values (refused links); the entity is stored without them. */
  refusals: string[];
}

/**
 * Backstage's field-format rules, with messages that name the field and the expected shape.
 * Links and link-like annotations with refused schemes are removed from the entity (mutated)
 * rather than failing it, so one bad link never hides an ownership answer.
 */
export function checkFieldFormats(entity: Entity): FieldFormatResult {
  const errors: string[] = [];
  const refusals: string[] = [];
  const { metadata } = entity;
  if (!isValidObjectName(metadata.name)) {
    errors.push(
      `metadata.name "${truncate(metadata.name)}" is invalid: use 1-63 characters [a-zA-Z0-9], separated by [-_.], starting and ending with a letter or digit`,
    );
  }
  if (metadata.namespace !== undefined && !isValidNamespace(metadata.namespace)) {
    errors.push(`metadata.namespace "${truncate(metadata.namespace)}" is invalid: use 1-63 lower-case letters, digits and dashes`);
  }
  for (const [field, record] of [
    ['labels', metadata.labels],
    ['annotations', metadata.annotations],
  ] as const) {
    for (const key of Object.keys(record ?? {})) {
      if (!isValidPrefixedKey(key)) {
        errors.push(`metadata.${field} key "${truncate(key)}" is invalid: use [prefix/]name, the prefix a DNS name such as example.com`);
      }
    }
  }
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    if (value !== '' && !isValidObjectName(value)) {
      errors.push(`metadata.labels.${key} value "${truncate(value)}" is invalid: use an empty string or 1-63 characters [a-zA-Z0-9-_.]`);
    }
  }
  (metadata.tags ?? []).forEach((tag, index) => {
    if (!isValidTag(tag)) {
      errors.push(`metadata.tags[${index}] "${truncate(tag)}" is invalid: use 1-63 lower-case characters [a-z0-9:+#] separated by -`);
    }
  });
  if (metadata.links) {
    metadata.links = metadata.links.filter((link, index) => {
      const reason = refuseUrl(link.url);
      if (reason) refusals.push(`metadata.links[${index}].url refused: ${reason}`);
      return !reason;
    });
  }
  for (const key of URL_ANNOTATIONS) {
    const annotations = metadata.annotations;
    if (!annotations || !Object.hasOwn(annotations, key)) continue;
    const value = annotations[key] ?? '';
    const reason = refuseUrl(value.replace(/^url:/, ''));
    if (reason) {
      refusals.push(`metadata.annotations.${key} refused: ${reason}`);
      delete annotations[key];
    }
  }
  return { errors, refusals };
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
