import path from 'node:path';
import { ANNOTATIONS, annotationOf, type Entity } from '../catalog/model/entity.js';
import { entityRefOf } from '../catalog/model/entity-ref.js';

/** One page of a template's form: a JSON Schema object with Backstage's `ui:*` keywords on its properties. */
export interface FormPage {
  title: string;
  description?: string;
  schema: Record<string, unknown>;
  /** Backstage's `when`: the page is shown (and its values asked for) only when this renders truthy over the earlier answers. */
  when?: string | boolean;
}

export interface TemplateStep {
  id: string;
  name: string;
  action: string;
  input: Record<string, unknown>;
  /** Rendered before the step runs: the step is skipped unless it passes (see passesCondition). */
  if?: string | boolean;
  /** Rendered to an array or object: the step runs once per item, with `each` in scope. */
  each?: unknown;
}

export interface TemplateOutput {
  links: { title?: string; url?: string; entityRef?: string; icon?: string; if?: string | boolean }[];
  text: { title?: string; content?: string; icon?: string; default?: boolean; if?: string | boolean }[];
}

/** Where a template's relative paths (fetch:template's `./skeleton`) are read from. */
export type TemplateBase = { type: 'folder'; folder: string } | { type: 'url'; url: string };

/** A Backstage `scaffolder.backstage.io/v1beta3` Template, as Callboard runs it. */
export interface TemplateDefinition {
  ref: string;
  name: string;
  title: string;
  description: string;
  tags: string[];
  type: string;
  owner?: string;
  /** The file or URL it was read from. */
  source: string;
  base: TemplateBase;
  pages: FormPage[];
  steps: TemplateStep[];
  output: TemplateOutput;
  entity: Entity;
}

/**
 * A Template entity (already validated by the catalog) as a definition. `source` is where it was
 * read: a local file (`file:<path>`) or a URL (`url:<url>`), as in the catalog's location keys.
 */
export function templateDefinition(entity: Entity, source: string): TemplateDefinition {
  const spec = entity.spec ?? {};
  const parameters = spec.parameters;
  const pageSchemas = Array.isArray(parameters) ? parameters : parameters && typeof parameters === 'object' ? [parameters] : [];
  const pages = pageSchemas.map((schema, index): FormPage => {
    const page = schema as Record<string, unknown>;
    return {
      title: typeof page.title === 'string' ? page.title : `Step ${index + 1}`,
      ...(typeof page.description === 'string' ? { description: page.description } : {}),
      ...(typeof page.when === 'string' || typeof page.when === 'boolean' ? { when: page.when } : {}),
      schema: page,
    };
  });
  const steps = (Array.isArray(spec.steps) ? spec.steps : []).map((raw, index): TemplateStep => {
    const step = raw as Record<string, unknown>;
    const id = typeof step.id === 'string' && step.id ? step.id : `step-${index + 1}`;
    return {
      id,
      name: typeof step.name === 'string' ? step.name : id,
      action: String(step.action),
      input: step.input && typeof step.input === 'object' ? (step.input as Record<string, unknown>) : {},
      ...(step.if !== undefined ? { if: step.if as string | boolean } : {}),
      ...(step.each !== undefined ? { each: step.each } : {}),
    };
  });
  const output = (spec.output ?? {}) as Record<string, unknown>;
  const { metadata } = entity;
  const location = source.replace(/^(file|url):/, '');
  return {
    ref: entityRefOf(entity),
    name: metadata.name,
    title: metadata.title ?? metadata.name,
    description: metadata.description ?? '',
    tags: metadata.tags ?? [],
    type: typeof spec.type === 'string' ? spec.type : '',
    ...(typeof spec.owner === 'string' ? { owner: spec.owner } : {}),
    source: location,
    base: source.startsWith('url:') ? { type: 'url', url: new URL('.', location).href } : { type: 'folder', folder: path.dirname(location) },
    pages,
    steps,
    output: {
      links: Array.isArray(output.links) ? (output.links as TemplateOutput['links']) : [],
      text: Array.isArray(output.text) ? (output.text as TemplateOutput['text']) : [],
    },
    entity,
  };
}

/** The location key a catalog entity was read from (its managed-by-location annotation). */
export function sourceOfEntity(entity: Entity): string | undefined {
  return annotationOf(entity, ANNOTATIONS.managedByLocation);
}
