import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogView } from '../catalog/answers/catalog-view.js';
import { compareStrings } from '../catalog/model/entity-ref.js';
import { hashText, processText } from '../catalog/ingestion/file-processing.js';
import { entityOf, hasContent } from '../catalog/processing/process-entity.js';
import { expressionProblems } from './expressions.js';
import { sourceOfEntity, templateDefinition, type TemplateDefinition } from './template-definition.js';

/** The templates shipped with Callboard: `templates/<name>/template.yaml`. */
export const BUILT_IN_TEMPLATES = fileURLToPath(new URL('../../templates', import.meta.url));

export interface TemplateProblem {
  file: string;
  message: string;
}

export interface TemplateFolder {
  templates: TemplateDefinition[];
  /** Files that are not valid templates; the other templates load regardless. */
  problems: TemplateProblem[];
}

const TEMPLATE_ONLY = new Set(['Template']);

/**
 * Reads `<folder>/<name>/template.yaml` for every subfolder, through the catalog's own parsing and
 * validation, so a template file is held to the rules a Template entity in the catalog is.
 */
export async function loadTemplateFolder(folder: string): Promise<TemplateFolder> {
  const loaded: TemplateFolder = { templates: [], problems: [] };
  if (!existsSync(folder)) return loaded;
  const names = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  for (const name of names.sort(compareStrings)) {
    const file = path.join(folder, name, 'template.yaml');
    if (!existsSync(file)) continue;
    const { templates, problems } = await loadTemplateFile(file);
    loaded.templates.push(...templates);
    loaded.problems.push(...problems);
  }
  return loaded;
}

/** The templates of one template.yaml, through the catalog's parsing and validation. */
export async function loadTemplateFile(file: string): Promise<TemplateFolder> {
  const loaded: TemplateFolder = { templates: [], problems: [] };
  const text = readFileSync(file, 'utf8');
  const source = { key: `file:${file}`, display: file, originKey: `file:${path.dirname(file)}`, allowedKinds: TEMPLATE_ONLY };
  const processed = await processText(text, source, hashText(text), () => Promise.reject(new Error('a template file reads no placeholders')));
  for (const problem of processed.problems) loaded.problems.push({ file, message: problem.line ? `line ${problem.line}: ${problem.message}` : problem.message });
  for (const entity of processed.entities.filter(hasContent)) {
    const definition = templateDefinition(entityOf(entity), entity.locationKey);
    const broken = templateProblems(definition);
    if (broken.length === 0) loaded.templates.push(definition);
    else loaded.problems.push(...broken.map((message) => ({ file, message })));
  }
  if (processed.entities.length === 0 && processed.problems.length === 0) loaded.problems.push({ file, message: 'holds no Template entity' });
  return loaded;
}

/** What makes a template unusable: an expression in its steps or output that does not parse. */
export function templateProblems(template: TemplateDefinition): string[] {
  const spec = template.entity.spec ?? {};
  return [...expressionProblems(spec.steps, 'spec.steps'), ...expressionProblems(spec.output, 'spec.output')].map((problem) => `${template.ref}: ${problem}`);
}

/** The Template entities of the catalog: teams publish their own templates by registering them. */
export function catalogTemplates(view: CatalogView): TemplateFolder {
  const found: TemplateFolder = { templates: [], problems: [] };
  for (const ref of view.refs()) {
    if (!ref.startsWith('template:')) continue;
    const entity = view.get(ref);
    if (!entity) continue;
    const definition = templateDefinition(entity, sourceOfEntity(entity) ?? `catalog:${ref}`);
    const broken = templateProblems(definition);
    if (broken.length === 0) found.templates.push(definition);
    else found.problems.push(...broken.map((message) => ({ file: definition.source, message })));
  }
  return found;
}

/**
 * Every template a user may pick: those of the catalog, then the built-in ones. A catalog template
 * with the ref of a built-in one replaces it, so a team can adapt what Callboard ships.
 */
export function mergeTemplates(fromCatalog: TemplateDefinition[], builtIn: TemplateDefinition[]): TemplateDefinition[] {
  const byRef = new Map<string, TemplateDefinition>();
  for (const template of [...fromCatalog, ...builtIn]) if (!byRef.has(template.ref)) byRef.set(template.ref, template);
  return [...byRef.values()].sort((a, b) => compareStrings(a.title, b.title) || compareStrings(a.ref, b.ref));
}

/** A template by name or ref, among `templates`; undefined when none (or several names match). */
export function findTemplate(templates: TemplateDefinition[], nameOrRef: string): TemplateDefinition | undefined {
  const wanted = nameOrRef.toLowerCase();
  const exact = templates.find((template) => template.ref === wanted || template.ref === `template:default/${wanted}`);
  if (exact) return exact;
  const named = templates.filter((template) => template.name.toLowerCase() === wanted);
  return named.length === 1 ? named[0] : undefined;
}

/** The templates on offer with this catalog: its own and the built-in ones, and those that failed to load. */
export async function availableTemplates(view: CatalogView, builtInFolder = BUILT_IN_TEMPLATES, loadFolder = loadTemplateFolder): Promise<TemplateFolder> {
  const [fromCatalog, builtIn] = [catalogTemplates(view), await loadFolder(builtInFolder)];
  return { templates: mergeTemplates(fromCatalog.templates, builtIn.templates), problems: [...fromCatalog.problems, ...builtIn.problems] };
}
