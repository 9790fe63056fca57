import { formFields } from './form-fields.js';
import { pageProblems, pageShown } from './run-template.js';
import type { TemplateDefinition } from './template-definition.js';

/**
 * Walking a template's form a page at a time, whatever shows it (a Slack modal, the console):
 * which pages the answers so far show, what a page's answers break, and the answers merged.
 */

/** The pages shown for these answers, in order: a page's `when` reads the answers and defaults of the pages before it. */
export function shownPages(template: TemplateDefinition, values: Record<string, unknown>): number[] {
  const filled = structuredClone(values);
  const shown: number[] = [];
  template.pages.forEach((page, index) => {
    if (!pageShown(page, filled)) return;
    shown.push(index);
    // Checking a page fills in its defaults, which later pages' `when` may read.
    pageProblems(page, filled);
  });
  return shown;
}

/** The shown page after `index` (-1: the first), or undefined when `index` was the last. */
export function nextPage(template: TemplateDefinition, index: number, values: Record<string, unknown>): number | undefined {
  return shownPages(template, values).find((shown) => shown > index);
}

export function previousPage(template: TemplateDefinition, index: number, values: Record<string, unknown>): number | undefined {
  return shownPages(template, values).findLast((shown) => shown < index);
}

/**
 * The answers with page `index`'s replaced by `pageValues`: a field left empty this time is
 * dropped, except a secret, which is never shown again and so keeps what was entered before.
 */
export function mergePage(template: TemplateDefinition, index: number, values: Record<string, unknown>, pageValues: Record<string, unknown>): Record<string, unknown> {
  const replaced = new Set(formFields(template.pages[index]!).filter((field) => field.kind !== 'password' || pageValues[field.name] !== undefined).map((field) => field.name));
  return { ...Object.fromEntries(Object.entries(values).filter(([name]) => !replaced.has(name))), ...pageValues };
}

/**
 * What page `index` says is wrong with the answers, by the name of the field to show it on. A
 * problem of the page as a whole (a `dependencies` rule) goes on its first field; on a page
 * without fields, under ''.
 */
export function pageErrors(template: TemplateDefinition, index: number, values: Record<string, unknown>): Record<string, string> {
  const page = template.pages[index]!;
  const fields = formFields(page).map((field) => field.name);
  const errors: Record<string, string> = {};
  for (const { field, message } of pageProblems(page, structuredClone(values))) {
    const [name = ''] = field.split('.');
    // A page without fields to show it on (all hidden) says it under ''.
    const shownOn = fields.includes(name) ? name : (fields[0] ?? '');
    const text = name && name !== shownOn ? `${field} ${message}` : field.includes('.') ? `${field.slice(name.length + 1)} ${message}` : message;
    errors[shownOn] = errors[shownOn] ? `${errors[shownOn]}; ${text}` : text;
  }
  return errors;
}
