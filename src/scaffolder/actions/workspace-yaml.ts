import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalogYaml } from '../../catalog/ingestion/parse-catalog-yaml.js';
import { validateEntity } from '../../catalog/validation/validate-entity.js';
import { ActionError } from './action.js';
import { workspaceFiles } from './workspace-files.js';

const YAML_FILE = /\.ya?ml$/i;

/**
 * Every YAML file of a workspace parsed again before it is published, and every document that
 * declares an apiVersion and kind validated as a catalog entity: a value that smuggled YAML into a
 * rendered file (`x\nspec:\n  owner: attacker`) shows up as a duplicate key or an invalid entity
 * here, and nothing is published. Throws naming each file, line and problem.
 */
export function assertWorkspaceYaml(workspace: string): void {
  const problems: string[] = [];
  for (const relative of workspaceFiles(workspace)) {
    if (!YAML_FILE.test(relative)) continue;
    const parsed = parseCatalogYaml(readFileSync(path.join(workspace, relative), 'utf8'));
    for (const problem of parsed.problems) problems.push(`${relative}:${problem.line}: ${problem.message}`);
    for (const document of parsed.documents) {
      const value = document.value as { apiVersion?: unknown; kind?: unknown } | null;
      if (!value || typeof value !== 'object' || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') continue;
      const validation = validateEntity(value);
      if (!validation.ok) for (const error of validation.errors) problems.push(`${relative}:${document.line}: ${error}`);
    }
  }
  if (problems.length > 0) throw new ActionError(`the rendered files are not valid, so nothing was published: ${problems.join('; ')}`);
}
