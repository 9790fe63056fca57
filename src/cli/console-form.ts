import type { CatalogView } from '../catalog/answers/catalog-view.js';
import { entitySuggestions } from '../scaffolder/entity-suggestions.js';
import { choiceOf, formFields, type FormField } from '../scaffolder/form-fields.js';
import { mergePage, nextPage, pageErrors } from '../scaffolder/form-session.js';
import type { ScaffolderService } from '../scaffolder/scaffolder-service.js';
import type { TemplateDefinition } from '../scaffolder/template-definition.js';
import { findTemplate } from '../scaffolder/template-library.js';
import { parseRepoUrl } from '../scaffolder/template-filters.js';
import { section } from '../slack/blocks/block-parts.js';
import { runReport } from '../slack/blocks/template-runs.js';
import type { TemplateForms } from '../slack/commands/registry.js';
import { runningUser } from '../scaffolder/template-access.js';
import { STEP_MARKS } from './format.js';

/** Asks one question and reads one line of answer (a secret one is never shown back); undefined at end of input. */
export type Ask = (question: string, options?: { secret?: boolean }) => Promise<string | undefined>;

/** Typed for a field, clears what it holds (an empty answer keeps it). */
const CLEAR = '-';

type Answer = (question: string, options?: { secret?: boolean }) => Promise<string>;

/** How many catalog suggestions an entity question lists. */
const SUGGESTIONS_SHOWN = 10;

class FormLeft extends Error {}


/**
 * /create-service in the local console: the same form as Slack's modals, a question per field,
 * the same checks per page, then the run, reported as it goes.
 */
export function consoleTemplateForms(ask: Ask, write: (text: string) => void, scaffolder: ScaffolderService, view: CatalogView): TemplateForms {
  const answer: Answer = async (question, options) => {
    const line = await ask(question, options);
    if (line === undefined) throw new FormLeft();
    return line.trim();
  };
  return {
    // One person at a terminal: runs are theirs whoever they are (--as names them).
    needsCatalogUser: false,
    async open(templates, chosen, userRef) {
      try {
        const template = chosen ?? (await pickTemplate(templates, answer, write));
        let values: Record<string, unknown> = {};
        for (let page = nextPage(template, -1, values); page !== undefined; page = nextPage(template, page, values)) {
          const { title, description } = template.pages[page]!;
          write(`\n${title}${description ? `: ${description}` : ''} (Enter keeps what is shown, ${CLEAR} clears it)`);
          const fields = formFields(template.pages[page]!);
          // Until the page passes: the whole page again, so a rule between fields can be met from any of them.
          for (;;) {
            const entered: Record<string, unknown> = {};
            for (const field of fields) {
              const value = await askField(field, values[field.name], answer, write, view);
              if (value !== undefined) entered[field.name] = value;
            }
            values = mergePage(template, page, values, entered);
            const errors = pageErrors(template, page, values);
            if (Object.keys(errors).length === 0) break;
            if (fields.length === 0) throw new Error(`${template.title} cannot be filled in here: ${Object.values(errors).join('; ')}`);
            for (const [name, message] of Object.entries(errors)) write(`  ${name}: ${message}`);
          }
        }
        write(`\nCreating from ${template.title}…`);
        const user = runningUser(view, userRef);
        const shown = new Set<string>();
        const { run } = await scaffolder.run({
          template,
          values,
          ...(user ? { user } : {}),
          onProgress: (_id, steps) => {
            for (const step of steps) {
              const key = `${step.id}:${step.status}`;
              if (step.status !== 'open' && !shown.has(key)) write(`  ${STEP_MARKS[step.status]} ${step.name}`);
              shown.add(key);
            }
          },
        });
        return runReport(run, template.title);
      } catch (error) {
        if (!(error instanceof FormLeft)) throw error;
        const text = 'The form was left unfinished; nothing was created.';
        return { text, blocks: [section(text)] };
      }
    },
  };
}

async function pickTemplate(templates: TemplateDefinition[], answer: Answer, write: (text: string) => void): Promise<TemplateDefinition> {
  write(templates.map((template, index) => `  ${index + 1}. ${template.title} (${template.name})${template.description ? `: ${template.description}` : ''}`).join('\n'));
  for (;;) {
    const choice = await answer('Template (number or name): ');
    const picked = /^\d+$/.test(choice) ? templates[Number(choice) - 1] : findTemplate(templates, choice);
    if (picked) return picked;
    write(`  No template ${choice}: give its number or name.`);
  }
}

/** One field's question, showing what it holds (the default, or the earlier answer): Enter keeps that, `-` clears it. */
async function askField(field: FormField, current: unknown, answer: Answer, write: (text: string) => void, view: CatalogView): Promise<unknown> {
  const shown = current ?? field.default;
  const label = `${field.title}${field.required ? '' : ' (optional)'}`;
  const suffix = shown !== undefined && field.kind !== 'password' && field.kind !== 'repository' ? ` [${Array.isArray(shown) ? shown.join(', ') : String(shown)}]` : '';
  if (field.help) write(`  ${field.help}`);
  const typedOr = async (question: string, read: (typed: string) => unknown, secret = false) => {
    const typed = await answer(question, { secret });
    if (typed === CLEAR) return undefined;
    return typed ? read(typed) : shown;
  };
  switch (field.kind) {
    case 'select':
    case 'multiselect': {
      write(field.options!.map((option, index) => `    ${index + 1}. ${option.label}`).join('\n'));
      const pick = (part: string) => choiceOf(field, /^\d+$/.test(part) ? (field.options![Number(part) - 1]?.value ?? part) : (field.options!.find((option) => option.label === part)?.value ?? part));
      const many = field.kind === 'multiselect';
      return typedOr(`${label}${many ? ', numbers separated by commas' : ''}${suffix}: `, (typed) => (many ? typed.split(',').map((part) => pick(part.trim())) : pick(typed)));
    }
    case 'checkbox':
      return typedOr(`${label} (y/n)${suffix}: `, (typed) => ['y', 'yes', 'true'].includes(typed.toLowerCase()));
    case 'number':
      // Text that is no number goes through as text, for the page's check to name.
      return typedOr(`${label}${suffix}: `, (typed) => (Number.isFinite(Number(typed)) ? Number(typed) : typed));
    case 'password':
      return typedOr(`${label}${current !== undefined ? ' (entered already)' : ''}: `, (typed) => typed, true);
    case 'entity':
      return field.multiple
        ? typedOr(`${label}, refs separated by commas${suffix}: `, (typed) => typed.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean))
        : askEntity(field, label, suffix, shown, answer, write, view);
    case 'repository': {
      let owner = '';
      let repo = '';
      try {
        ({ owner = '', repo = '' } = parseRepoUrl(shown));
      } catch {
        // Nothing entered yet.
      }
      const host = field.allowedHosts![0]!;
      const typedOwner = (await answer(`${label}: owner on ${host}${field.allowedOwners ? ` (${field.allowedOwners.join(', ')})` : ''}${owner ? ` [${owner}]` : ''}: `)) || owner;
      const typedRepo = (await answer(`${label}: repository name${repo ? ` [${repo}]` : ''}: `)) || repo;
      return typedOwner && typedRepo && typedOwner !== CLEAR && typedRepo !== CLEAR ? `${host}?owner=${encodeURIComponent(typedOwner)}&repo=${encodeURIComponent(typedRepo)}` : undefined;
    }
    default:
      return typedOr(`${label}${suffix}: `, (typed) => typed);
  }
}

/** A catalog picker: an exact ref is taken as it is; anything else is searched, and one match is taken. */
async function askEntity(field: FormField, label: string, suffix: string, shown: unknown, answer: Answer, write: (text: string) => void, view: CatalogView): Promise<unknown> {
  for (;;) {
    const typed = await answer(`${label}${suffix}: `);
    if (typed === CLEAR) return undefined;
    if (!typed) {
      if (shown !== undefined || !field.required) return shown;
    } else if (view.get(typed.toLowerCase())) return typed.toLowerCase();
    const found = entitySuggestions(view, field, typed, SUGGESTIONS_SHOWN);
    if (typed && found.length === 1) {
      write(`  → ${found[0]!.ref}`);
      return found[0]!.ref;
    }
    write(found.length > 0 ? found.map((entity) => `    ${entity.label}`).join('\n') : '  Nothing in the catalog matches.');
  }
}
