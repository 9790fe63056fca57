import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TemplateDefinition } from '../../src/scaffolder/template-definition.js';
import { loadTemplateFile } from '../../src/scaffolder/template-library.js';

/** A template folder under `parent`: its template.yaml and its files (paths relative to the folder), loaded. */
export async function templateFolder(parent: string, templateYaml: string, files: Record<string, string> = {}): Promise<{ folder: string; template: TemplateDefinition }> {
  const folder = mkdtempSync(path.join(parent, 'template-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), content);
  }
  writeFileSync(path.join(folder, 'template.yaml'), templateYaml);
  const { templates, problems } = await loadTemplateFile(path.join(folder, 'template.yaml'));
  if (templates.length !== 1) throw new Error(`the test template does not load: ${JSON.stringify(problems)}`);
  return { folder, template: templates[0]! };
}

/** The lines every test template starts with, up to its spec's type. */
export function templateHead(name: string, type = 'service'): string {
  return `apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: { name: ${name} }\nspec:\n  type: ${type}\n`;
}
