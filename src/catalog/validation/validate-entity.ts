import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Entity } from '../model/entity.js';
import { checkFieldFormats } from './field-format.js';
import { KIND_DEFINITIONS, envelopeSchema, kindSchema, type KindDefinition } from './kind-schemas.js';

interface Validators {
  envelope: ValidateFunction;
  kinds: Map<string, { definition: KindDefinition; validate: ValidateFunction }>;
}

let compiled: Validators | undefined;

/** Compiled once, on the first entity: a command that only answers from the store never needs them. */
function validators(): Validators {
  if (!compiled) {
    // Schemas are trusted code: `$data` stays off, and nothing may coerce or strip the user's data.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, $data: false });
    compiled = {
      envelope: ajv.compile(envelopeSchema),
      kinds: new Map(KIND_DEFINITIONS.map((definition) => [definition.kind, { definition, validate: ajv.compile(kindSchema(definition)) }])),
    };
  }
  return compiled;
}

export const SUPPORTED_KINDS = KIND_DEFINITIONS.map((definition) => definition.kind);

export type EntityValidation =
  | { ok: true; entity: Entity; refusals: string[] }
  | { ok: false; errors: string[] };

/**
 * Checks a parsed document as a catalog entity: envelope, supported kind and apiVersion, kind
 * schema, then Backstage's field formats. Every problem found is returned, each naming its path.
 */
export function validateEntity(value: unknown): EntityValidation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: ['expected a mapping with apiVersion, kind, metadata and spec at the document root'] };
  }
  const { envelope, kinds } = validators();
  if (!envelope(value)) return { ok: false, errors: describeErrors(envelope.errors) };
  const entity = value as Entity;
  const known = kinds.get(entity.kind);
  if (!known) return { ok: false, errors: [unsupportedKind(entity)] };
  if (!known.definition.apiVersions.includes(entity.apiVersion)) {
    return {
      ok: false,
      errors: [`apiVersion "${entity.apiVersion}" is not supported for kind ${entity.kind}; use ${known.definition.apiVersions.join(' or ')}`],
    };
  }
  if (!known.validate(entity)) return { ok: false, errors: describeErrors(known.validate.errors) };
  const formats = checkFieldFormats(entity);
  if (formats.errors.length > 0) return { ok: false, errors: formats.errors };
  return { ok: true, entity, refusals: formats.refusals };
}

function unsupportedKind(entity: Entity): string {
  const sameWord = SUPPORTED_KINDS.find((kind) => kind.toLowerCase() === entity.kind.toLowerCase());
  const hint = sameWord ? ` (kinds are case-sensitive: did you mean ${sameWord}?)` : '';
  return `unsupported kind "${entity.kind}" (apiVersion ${entity.apiVersion})${hint}; Callboard reads ${SUPPORTED_KINDS.join(', ')}`;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  const messages = new Set<string>();
  for (const error of errors ?? []) {
    // The if/then/else wrapper error repeats what its branch already said.
    if (error.keyword === 'if') continue;
    const at = error.instancePath.slice(1).replaceAll('/', '.');
    if (error.keyword === 'required') {
      const field = (error.params as { missingProperty: string }).missingProperty;
      messages.add(`${at ? `${at}.` : ''}${field} is required`);
    } else if (error.keyword === 'additionalProperties') {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      messages.add(`${at ? `${at}.` : ''}${field} is not an allowed field here`);
    } else if (error.keyword === 'enum') {
      messages.add(`${at} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`);
    } else {
      messages.add(`${at || 'entity'} ${error.message ?? 'is invalid'}`);
    }
  }
  return [...messages];
}
