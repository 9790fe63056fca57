import type { FormPage } from './template-definition.js';

/** How a form property is asked for, whatever the surface (a Slack modal, a console). */
export type FieldKind = 'text' | 'textarea' | 'password' | 'select' | 'multiselect' | 'checkbox' | 'number' | 'entity' | 'repository';

export interface FormField {
  name: string;
  title: string;
  /** `ui:help`, else the schema's description. */
  help?: string;
  required: boolean;
  kind: FieldKind;
  /** select and multiselect: the values as text, their labels (`enumNames`, or a oneOf's titles), and the values as the schema has them. */
  options?: { value: string; label: string; choice: unknown }[];
  default?: unknown;
  /** number: whether decimals are allowed, and the bounds. */
  integer?: boolean;
  minimum?: number;
  maximum?: number;
  /** entity (OwnerPicker, EntityPicker...): the kinds to offer and the catalog filter, as Backstage's ui:options give them. */
  kinds?: string[];
  /** entity: several may be chosen (MultiEntityPicker, an array property). */
  multiple?: boolean;
  catalogFilter?: Record<string, unknown>[];
  /** repository (RepoUrlPicker): the hosts and owners allowed. */
  allowedHosts?: string[];
  allowedOwners?: string[];
  autofocus?: boolean;
}

/** A property whose value is a secret: a password widget or Backstage's Secret field. */
export function isSecretProperty(property: Record<string, unknown>): boolean {
  return property['ui:widget'] === 'password' || property['ui:field'] === 'Secret';
}

const ENTITY_FIELDS = new Set(['EntityPicker', 'OwnerPicker', 'MultiEntityPicker', 'OwnedEntityPicker', 'MyGroupsPicker']);

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

/** A catalogFilter (object or list of objects) as a list, and the kinds it names. */
function catalogFilterOf(options: Record<string, unknown>): { filters?: Record<string, unknown>[]; kinds?: string[] } {
  const raw = options.catalogFilter;
  const filters = Array.isArray(raw) ? (raw as Record<string, unknown>[]) : raw && typeof raw === 'object' ? [raw as Record<string, unknown>] : undefined;
  const kinds = strings(options.allowedKinds) ?? filters?.flatMap((filter) => (typeof filter.kind === 'string' ? [filter.kind] : (strings(filter.kind) ?? [])));
  return { ...(filters ? { filters } : {}), ...(kinds && kinds.length > 0 ? { kinds } : {}) };
}

/** One property of a page as a field; undefined for one the form does not ask for (ui:widget hidden). */
function fieldOf(name: string, property: Record<string, unknown>, required: boolean): FormField | undefined {
  const options = (property['ui:options'] ?? {}) as Record<string, unknown>;
  const widget = property['ui:widget'];
  const uiField = property['ui:field'];
  if (widget === 'hidden') return undefined;
  const help = typeof property['ui:help'] === 'string' ? property['ui:help'] : typeof property.description === 'string' ? property.description : undefined;
  const base = {
    name,
    title: typeof property.title === 'string' ? property.title : name,
    ...(help ? { help } : {}),
    required,
    ...(property.default !== undefined ? { default: property.default } : {}),
    ...(property['ui:autofocus'] === true ? { autofocus: true } : {}),
  };
  if (typeof uiField === 'string' && ENTITY_FIELDS.has(uiField)) {
    const { filters, kinds } = catalogFilterOf(options);
    const defaultKinds = uiField === 'OwnerPicker' ? ['Group', 'User'] : uiField === 'MyGroupsPicker' ? ['Group'] : undefined;
    const multiple = uiField === 'MultiEntityPicker' || property.type === 'array';
    return { ...base, kind: 'entity', ...(kinds ?? defaultKinds ? { kinds: kinds ?? defaultKinds } : {}), ...(filters ? { catalogFilter: filters } : {}), ...(multiple ? { multiple } : {}) };
  }
  if (uiField === 'RepoUrlPicker') {
    const owners = strings(options.allowedOwners) ?? strings(options.allowedOrganizations);
    return { ...base, kind: 'repository', allowedHosts: strings(options.allowedHosts) ?? ['github.com'], ...(owners ? { allowedOwners: owners } : {}) };
  }
  const choices = choicesOf(property) ?? (property.type === 'array' && property.items && typeof property.items === 'object' ? choicesOf(property.items as Record<string, unknown>) : undefined);
  if (property.type === 'array' && choices) return { ...base, kind: 'multiselect', options: choices };
  if (choices) return { ...base, kind: 'select', options: choices };
  if (property.type === 'boolean') return { ...base, kind: 'checkbox' };
  if (property.type === 'number' || property.type === 'integer') {
    return {
      ...base,
      kind: 'number',
      integer: property.type === 'integer',
      ...(typeof property.minimum === 'number' ? { minimum: property.minimum } : {}),
      ...(typeof property.maximum === 'number' ? { maximum: property.maximum } : {}),
    };
  }
  if (isSecretProperty(property)) return { ...base, kind: 'password' };
  return { ...base, kind: widget === 'textarea' ? 'textarea' : 'text' };
}

/** enum with enumNames, or oneOf/anyOf of { const, title }, as values and labels. */
function choicesOf(schema: Record<string, unknown>): FormField['options'] {
  if (Array.isArray(schema.enum)) {
    const names = strings(schema.enumNames);
    return schema.enum.map((choice, index) => ({ value: String(choice), label: names?.[index] ?? String(choice), choice }));
  }
  const alternatives = (schema.oneOf ?? schema.anyOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0 && alternatives.every((item) => item && typeof item === 'object' && 'const' in item)) {
    return alternatives.map((item) => ({ value: String(item.const), label: typeof item.title === 'string' ? item.title : String(item.const), choice: item.const }));
  }
  return undefined;
}

/** A chosen option as the schema has it (an enum of numbers gives a number); text no option has is kept as it is. */
export function choiceOf(field: FormField, value: string): unknown {
  const option = field.options?.find((candidate) => candidate.value === value);
  return option ? option.choice : value;
}

/**
 * The properties a page's `dependencies` add when another field has some value (Backstage forms
 * show them as that value is chosen). A modal cannot grow as it is filled in, so they are always
 * asked, optional, each saying when it is needed; the page's check enforces them.
 */
function dependentFields(schema: Record<string, unknown>, properties: Record<string, Record<string, unknown>>): FormField[] {
  const fields = new Map<string, FormField>();
  for (const [trigger, dependency] of Object.entries((schema.dependencies ?? {}) as Record<string, unknown>)) {
    if (!dependency || typeof dependency !== 'object' || Array.isArray(dependency)) continue;
    const { oneOf, anyOf } = dependency as { oneOf?: unknown; anyOf?: unknown };
    const branches = (Array.isArray(oneOf) ? oneOf : Array.isArray(anyOf) ? anyOf : [dependency]) as Record<string, unknown>[];
    const triggerTitle = typeof properties[trigger]?.title === 'string' ? (properties[trigger]!.title as string) : trigger;
    for (const branch of branches) {
      const branchProperties = (branch?.properties ?? {}) as Record<string, Record<string, unknown>>;
      const condition = branchProperties[trigger];
      const values = condition && 'const' in condition ? [condition.const] : Array.isArray(condition?.enum) ? condition.enum : undefined;
      const when = values ? `${triggerTitle} is ${values.map(String).join(' or ')}` : `${triggerTitle} is given`;
      const needed = new Set(strings(branch?.required) ?? []);
      for (const [name, property] of Object.entries(branchProperties)) {
        if (name === trigger || name in properties || fields.has(name) || !property || typeof property !== 'object') continue;
        const field = fieldOf(name, property, false);
        if (!field) continue;
        const note = needed.has(name) ? `Needed when ${when}.` : `Asked when ${when}.`;
        fields.set(name, { ...field, help: field.help ? `${field.help} (${note})` : note });
      }
    }
  }
  return [...fields.values()];
}

/** The fields of one form page, in the order its properties are written (`ui:order` first, as react-jsonschema-form does). */
export function formFields(page: FormPage): FormField[] {
  const properties = (page.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(strings(page.schema.required) ?? []);
  const order = strings(page.schema['ui:order']);
  const names = Object.keys(properties);
  const ordered = order ? [...order.filter((name) => name !== '*' && names.includes(name)), ...names.filter((name) => !order.includes(name))] : names;
  const own = ordered.flatMap((name) => {
    const field = fieldOf(name, properties[name] ?? {}, required.has(name));
    return field ? [field] : [];
  });
  return [...own, ...dependentFields(page.schema, properties)];
}
