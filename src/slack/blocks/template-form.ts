import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { choiceOf, formFields, type FormField } from '../../scaffolder/form-fields.js';
import type { TemplateDefinition } from '../../scaffolder/template-definition.js';
import { parseRepoUrl } from '../../scaffolder/template-filters.js';
import { ACTIONS, VIEWS } from './action-ids.js';
import { actions, button, section } from './block-parts.js';
import { truncateText } from './limits.js';
import { escapeText } from './mrkdwn.js';

/** Block Kit's modal limits (https://api.slack.com/reference/surfaces/views, block-elements). */
const MODAL = { title: 24, blocks: 100, options: 100, optionText: 75, optionValue: 150, label: 2000, hint: 2000, textValue: 3000 } as const;

/** Each field's input is the block `field:<name>` (a repository's two: `:owner` and `:repo`), its element `value`. */
export const FIELD_ACTION = 'value';
export const fieldBlock = (name: string, part?: 'owner' | 'repo') => `field:${name}${part ? `:${part}` : ''}`;

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncateText(text, max) });

function option(value: string, label: string): PlainTextOption {
  return { text: plain(label, MODAL.optionText), value: value.slice(0, MODAL.optionValue) };
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value).slice(0, MODAL.textValue);
}

/** One field's input blocks, showing `value` (what was entered before, else the default). */
function inputsFor(field: FormField, value: unknown): InputBlock[] {
  const shown = value ?? field.default;
  const frame = (element: InputBlock['element'], blockId = fieldBlock(field.name), label = field.title): InputBlock => ({
    type: 'input',
    block_id: blockId,
    label: plain(label, MODAL.label),
    optional: !field.required,
    ...(field.help ? { hint: plain(field.help, MODAL.hint) } : {}),
    element,
  });
  const initialText = (initial: unknown) => (text(initial) !== undefined ? { initial_value: text(initial)! } : {});
  const focus = field.autofocus ? { focus_on_load: true } : {};
  switch (field.kind) {
    case 'text':
    case 'textarea':
      return [frame({ type: 'plain_text_input', action_id: FIELD_ACTION, multiline: field.kind === 'textarea', ...initialText(shown), ...focus })];
    case 'password': {
      // Slack cannot mask an input; what was typed is at least never sent back to it.
      const kept = value !== undefined ? { hint: plain(`${field.help ? `${field.help} ` : ''}(Entered already: leave it empty to keep it.)`, MODAL.hint) } : {};
      return [{ ...frame({ type: 'plain_text_input', action_id: FIELD_ACTION, ...focus }), ...kept }];
    }
    case 'select': {
      const options = field.options!.slice(0, MODAL.options).map((choice) => option(choice.value, choice.label));
      const initial = options.find((choice) => choice.value === String(shown));
      return [frame({ type: 'static_select', action_id: FIELD_ACTION, options, ...(initial ? { initial_option: initial } : {}), ...focus })];
    }
    case 'multiselect': {
      const options = field.options!.slice(0, MODAL.options).map((choice) => option(choice.value, choice.label));
      const chosen: string[] = Array.isArray(shown) ? shown.map(String) : [];
      const initial = options.filter((choice) => chosen.includes(choice.value ?? ''));
      return [frame({ type: 'multi_static_select', action_id: FIELD_ACTION, options, ...(initial.length > 0 ? { initial_options: initial } : {}), ...focus })];
    }
    case 'checkbox': {
      const checked = option('true', field.title);
      return [frame({ type: 'checkboxes', action_id: FIELD_ACTION, options: [checked], ...(shown === true ? { initial_options: [checked] } : {}), ...focus })];
    }
    case 'number':
      return [
        frame({
          type: 'number_input',
          action_id: FIELD_ACTION,
          is_decimal_allowed: !field.integer,
          ...(field.minimum !== undefined ? { min_value: String(field.minimum) } : {}),
          ...(field.maximum !== undefined ? { max_value: String(field.maximum) } : {}),
          ...initialText(shown),
          ...focus,
        }),
      ];
    case 'entity': {
      // Suggestions come from the catalog as the person types (block_suggestion).
      if (field.multiple) {
        const initial = (Array.isArray(shown) ? shown.map(String) : []).map((ref) => option(ref, ref));
        return [frame({ type: 'multi_external_select', action_id: FIELD_ACTION, min_query_length: 0, ...(initial.length > 0 ? { initial_options: initial } : {}), ...focus })];
      }
      return [frame({ type: 'external_select', action_id: FIELD_ACTION, min_query_length: 0, ...(text(shown) ? { initial_option: option(text(shown)!, text(shown)!) } : {}), ...focus })];
    }
    case 'repository': {
      let owner: string | undefined;
      let repo: string | undefined;
      try {
        ({ owner, repo } = parseRepoUrl(shown));
      } catch {
        // Nothing entered yet.
      }
      const owners = field.allowedOwners?.slice(0, MODAL.options).map((name) => option(name, name));
      const ownerInitial = owners?.find((choice) => choice.value === owner);
      return [
        frame(
          owners
            ? { type: 'static_select', action_id: FIELD_ACTION, options: owners, ...(ownerInitial ? { initial_option: ownerInitial } : {}) }
            : { type: 'plain_text_input', action_id: FIELD_ACTION, ...initialText(owner), ...focus },
          fieldBlock(field.name, 'owner'),
          `${field.title}: owner on ${field.allowedHosts![0]}`,
        ),
        frame({ type: 'plain_text_input', action_id: FIELD_ACTION, ...initialText(repo) }, fieldBlock(field.name, 'repo'), `${field.title}: repository name`),
      ];
    }
  }
}

export interface PagePlace {
  /** No shown page follows: submitting it creates. */
  last: boolean;
  /** A shown page comes before it: the modal offers Back. */
  back: boolean;
}

/**
 * One page of a template's form as a modal: an input per field (see formFields), showing what was
 * entered before (Back) or the default. `metadata` rides along in private_metadata. A template
 * without pages (`pageIndex` -1) gets a page that only asks to confirm.
 */
export function templatePageModal(template: TemplateDefinition, pageIndex: number, values: Record<string, unknown>, metadata: string, place: PagePlace): ModalView {
  const page = template.pages[pageIndex] ?? { title: template.title, description: template.description, schema: {} };
  const blocks: KnownBlock[] = [];
  const intro = [template.pages.length > 1 ? `*${escapeText(page.title)}* (${pageIndex + 1} of ${template.pages.length})` : `*${escapeText(page.title)}*`, page.description && escapeText(page.description)].filter(Boolean).join('\n');
  blocks.push(section(intro));
  for (const field of formFields(page)) blocks.push(...inputsFor(field, values[field.name]));
  // The last block, so the 100-block cut never drops it.
  const backBlock = place.back ? [actions([button('Back', ACTIONS.formBack, 'back')])] : [];
  return {
    type: 'modal',
    callback_id: VIEWS.createService,
    title: plain(template.title, MODAL.title),
    submit: plain(place.last ? 'Create' : 'Next', MODAL.title),
    close: plain('Cancel', MODAL.title),
    private_metadata: metadata,
    blocks: [...blocks.slice(0, MODAL.blocks - backBlock.length), ...backBlock],
  };
}

/** What Slack sends back for one input (a view_submission's `view.state.values[block][action]`). */
interface InputState {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
}

/** The page's values from a submitted modal's state; a field left empty is left out. */
export function pageValues(template: TemplateDefinition, pageIndex: number, state: Record<string, Record<string, InputState>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const page = template.pages[pageIndex];
  if (!page) return values;
  const read = (blockId: string) => state[blockId]?.[FIELD_ACTION];
  for (const field of formFields(page)) {
    if (field.kind === 'repository') {
      const owner = read(fieldBlock(field.name, 'owner'));
      const repo = read(fieldBlock(field.name, 'repo'))?.value?.trim();
      const ownerName = (owner?.selected_option?.value ?? owner?.value ?? '').trim();
      if (ownerName && repo) values[field.name] = `${field.allowedHosts![0]}?owner=${encodeURIComponent(ownerName)}&repo=${encodeURIComponent(repo)}`;
      continue;
    }
    const input = read(fieldBlock(field.name));
    if (!input) continue;
    const value = (() => {
      switch (field.kind) {
        case 'checkbox':
          return (input.selected_options ?? []).length > 0;
        case 'multiselect':
          return (input.selected_options ?? []).map((selected) => choiceOf(field, selected.value));
        case 'select':
          return input.selected_option ? choiceOf(field, input.selected_option.value) : undefined;
        case 'entity':
          return field.multiple ? (input.selected_options ?? []).map((selected) => selected.value) : input.selected_option?.value;
        case 'number':
          return input.value === undefined || input.value === null || input.value === '' ? undefined : Number(input.value);
        default:
          return input.value === null || input.value === '' ? undefined : input.value;
      }
    })();
    if (value !== undefined) values[field.name] = value;
  }
  return values;
}
