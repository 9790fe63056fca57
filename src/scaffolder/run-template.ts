import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Entity } from '../catalog/model/entity.js';
import { errorMessage } from '../errors.js';
import { ActionError, type ScaffolderAction } from './actions/action.js';
import { UNDELIVERED, type RunNotifier } from './actions/notification-send.js';
import type { ActionRegistry } from './actions/registry.js';
import { passesCondition, renderValue, type ExpressionScope } from './expressions.js';
import { isSecretProperty } from './form-fields.js';
import { isValidObjectName } from '../catalog/validation/field-format.js';
import type { FormPage, TemplateDefinition, TemplateStep } from './template-definition.js';

/** Backstage's task states, for a run and for each of its steps. */
export type RunStatus = 'open' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'skipped';

export interface StepReport {
  id: string;
  name: string;
  action: string;
  status: RunStatus;
  log: string[];
}

export interface TemplateRunResult {
  status: 'completed' | 'failed' | 'cancelled';
  /** Why the run failed or stopped: the values, an unknown action, the step that failed and its error, or where it was cancelled. */
  error?: string;
  steps: StepReport[];
  output: { links: { title: string; url?: string; entityRef?: string }[]; text: { title: string; content: string }[] };
}

export interface TemplateRunRequest {
  template: TemplateDefinition;
  values: Record<string, unknown>;
  /** The person running it, as the catalog knows them (`user.ref`, `user.entity` in expressions). */
  user?: { ref: string; entity?: Entity };
  /** Only actions that write nothing beyond the workspace run; the others are described. */
  dryRun?: boolean;
  /** The folder the run works in (the caller makes it and removes it). */
  workspace: string;
  /** Aborted: the run is cancelled, before its next step or during the one under way. */
  signal?: AbortSignal;
  /** The run stops once it has taken this long (default 10 minutes), failing the step under way. */
  timeoutMs?: number;
  /** How long a stopped step's action is given to stop in its turn (default 10 s). */
  stopGraceMs?: number;
  /** Where notification:send delivers (default: nowhere, and its log says so). */
  notifier?: RunNotifier;
  /** Told the steps each time one starts or ends (to record the run, or update a message). */
  onStep?: (steps: readonly StepReport[]) => Promise<void> | void;
}

// Template schemas carry Backstage's ui:* keywords, which are no JSON Schema keywords. Form values
// get the defaults their pages declare, as the form would have shown them; action inputs are
// checked as they are.
const formAjv = new Ajv({ allErrors: true, strict: false, $data: false, useDefaults: true });
const inputAjv = new Ajv({ allErrors: true, strict: false, $data: false });
/**
 * Compiled schemas by their text: templates are read afresh for each request, so the same schema
 * comes as a new object every time, and Ajv would compile (and keep) each one. The oldest go once
 * there are this many, from Ajv's cache too.
 */
const MAX_COMPILED = 500;
const compiled = new Map<string, { ajv: Ajv; validate: ValidateFunction }>();

function validatorOf(schema: Record<string, unknown>, ajv = inputAjv): ValidateFunction {
  const key = `${ajv === formAjv ? 'form' : 'input'}:${JSON.stringify(schema)}`;
  const known = compiled.get(key);
  if (known) return known.validate;
  const validate = ajv.compile(schema);
  compiled.set(key, { ajv, validate });
  if (compiled.size > MAX_COMPILED) {
    const [oldestKey, oldest] = compiled.entries().next().value!;
    compiled.delete(oldestKey);
    oldest.ajv.removeSchema(oldest.validate.schema as object);
  }
  return validate;
}

/** A value that breaks a form page, under the dotted path of its field ('' for the page as a whole). */
export interface FieldProblem {
  field: string;
  message: string;
}

function fieldProblems(errors: ErrorObject[] | null | undefined, prefix: string): FieldProblem[] {
  return (errors ?? []).map((error) => {
    const field = [prefix, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
    if (error.keyword === 'required') return { field: [field, (error.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.'), message: 'is required' };
    return { field, message: error.message ?? 'is not valid' };
  });
}

/**
 * A failed `oneOf` reports every branch's errors: only the branch that came closest says what to
 * fix, and the `oneOf` error itself says nothing more once it has.
 */
function closestBranches(errors: ErrorObject[]): ErrorObject[] {
  let kept = errors;
  for (const failed of errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf')) {
    const prefix = `${failed.schemaPath}/`;
    const byBranch = new Map<string, ErrorObject[]>();
    for (const error of kept) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0]!;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), error]);
    }
    if (byBranch.size === 0) continue;
    // A branch whose discriminating value (a const or enum) fails is not the one meant.
    const missed = (branch: ErrorObject[]) => branch.filter((error) => error.keyword === 'const' || error.keyword === 'enum').length;
    const closest = [...byBranch.values()].sort((a, b) => missed(a) - missed(b) || a.length - b.length)[0]!;
    kept = kept.filter((error) => error !== failed && (!error.schemaPath.startsWith(prefix) || closest.includes(error)));
  }
  return kept;
}

const described = ({ field, message }: FieldProblem) => `${field || '(the values)'}: ${message}`;

/** Each problem as `field: message`, the field as a dotted path under `prefix`. */
function describeErrors(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  return fieldProblems(errors, prefix).map(described);
}

/** The fields whose values are secrets: a password widget or Backstage's Secret field. */
export function secretFields(template: TemplateDefinition): Set<string> {
  const fields = new Set<string>();
  for (const page of template.pages) {
    const properties = (page.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, property] of Object.entries(properties)) {
      if (property && isSecretProperty(property)) fields.add(name);
    }
  }
  return fields;
}

/** The values with each secret replaced by ***, as they are recorded and shown. */
export function maskedValues(template: TemplateDefinition, values: Record<string, unknown>): Record<string, unknown> {
  const secrets = secretFields(template);
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, secrets.has(name) ? '***' : value]));
}

/** A text with every secret value (of four characters or more) replaced by ***. */
export function redacted(template: TemplateDefinition, values: Record<string, unknown>, text: string): string {
  let result = text;
  for (const name of secretFields(template)) {
    const secret = values[name];
    // As it is, and as JSON writes it inside a string (a logged input).
    if (typeof secret === 'string' && secret.length >= 4) result = result.replaceAll(secret, '***').replaceAll(JSON.stringify(secret).slice(1, -1), '***');
  }
  return result;
}

/** A value with every string in it redacted (see `redacted`). */
export function redactedValue<T>(template: TemplateDefinition, values: Record<string, unknown>, value: T): T {
  if (typeof value === 'string') return redacted(template, values, value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactedValue(template, values, item)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactedValue(template, values, item)])) as T;
  return value;
}

/**
 * What the values break of one page: its schema (filling in its defaults, in place) and
 * EntityNamePicker's rule, Backstage's for entity names.
 */
export function pageProblems(page: FormPage, values: Record<string, unknown>): FieldProblem[] {
  const validate = validatorOf(page.schema, formAjv);
  const problems = validate(values) ? [] : fieldProblems(closestBranches(validate.errors ?? []), '');
  const properties = (page.schema.properties ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const [name, property] of Object.entries(properties)) {
    const value = values[name];
    if (property?.['ui:field'] === 'EntityNamePicker' && typeof value === 'string' && !isValidObjectName(value)) {
      problems.push({ field: name, message: 'must be 1 to 63 letters, digits, -, _ or ., starting and ending with a letter or digit' });
    }
  }
  return problems;
}

/**
 * The values with the defaults the template's pages declare filled in, and what they break of
 * those pages, each naming its field (empty when they pass).
 */
export function checkedValues(template: TemplateDefinition, values: Record<string, unknown>): { values: Record<string, unknown>; problems: string[] } {
  const filled = structuredClone(values);
  const problems: string[] = [];
  // In order: a page's `when` reads the answers (and defaults) of the pages before it.
  for (const page of template.pages) {
    if (pageShown(page, filled)) problems.push(...pageProblems(page, filled).map(described));
  }
  return { values: filled, problems };
}

/** Whether a form page is shown for these answers (Backstage's `when`); a page without one always is. */
export function pageShown(page: FormPage, values: Record<string, unknown>): boolean {
  return page.when === undefined || passesCondition(renderValue(page.when, { parameters: values }));
}

/**
 * Runs a template's steps in order over `workspace`: each step's `if` and `each` are rendered
 * first, its input rendered and checked against its action's schema, and its outputs are read by
 * the steps after it as `steps['id'].output`. The values are checked against every page, and every
 * action looked up, before any step runs. The first step that fails ends the run.
 */
export async function runTemplate(request: TemplateRunRequest, actions: ActionRegistry): Promise<TemplateRunResult> {
  const { template, workspace } = request;
  const steps: StepReport[] = template.steps.map((step) => ({ id: step.id, name: step.name, action: step.action, status: 'open', log: [] }));
  const result: TemplateRunResult = { status: 'completed', steps, output: { links: [], text: [] } };
  const fail = (error: string) => ({ ...result, status: 'failed' as const, error });
  const { values, problems } = checkedValues(template, request.values);
  if (problems.length > 0) return fail(`the values do not fit the template: ${problems.join('; ')}`);
  const unknown = template.steps.filter((step) => !actions.get(step.action));
  if (unknown.length > 0) {
    return fail(`${unknown.map((step) => `step ${step.id} uses the unknown action ${step.action}`).join('; ')}; the actions are ${actions.ids().join(', ')}`);
  }
  const outputs: Record<string, { output: Record<string, unknown> }> = {};
  const scope = (extra: Record<string, unknown> = {}): ExpressionScope => ({
    parameters: values,
    steps: outputs,
    user: request.user ? { ref: request.user.ref, entity: request.user.entity } : {},
    // Backstage reads Secret fields as secrets.<name>.
    secrets: Object.fromEntries([...secretFields(template)].filter((name) => values[name] !== undefined).map((name) => [name, values[name]])),
    ...extra,
  });
  const timeoutMs = request.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const signal = AbortSignal.any([request.signal ?? new AbortController().signal, AbortSignal.timeout(timeoutMs)]);
  const cancelled = () => request.signal?.aborted === true;
  for (const [index, step] of template.steps.entries()) {
    const report = steps[index]!;
    if (cancelled()) return { ...result, status: 'cancelled', error: `the run was cancelled before step ${step.id}` };
    report.status = 'processing';
    await request.onStep?.(steps);
    try {
      const ran = await untilAborted(runStep(step, actions.get(step.action)!, { scope, workspace, request, report, signal, outputs }), signal, timeoutMs, request.stopGraceMs ?? STOP_GRACE_MS);
      report.status = ran ? 'completed' : 'skipped';
    } catch (error) {
      report.log.push(errorMessage(error));
      if (cancelled()) {
        report.status = 'cancelled';
        return { ...result, status: 'cancelled', error: `the run was cancelled during step ${step.id}` };
      }
      report.status = 'failed';
      return fail(`step ${step.id} (${step.action}) failed: ${errorMessage(error)}`);
    }
    await request.onStep?.(steps);
  }
  try {
    result.output = renderOutput(template, scope());
  } catch (error) {
    return fail(`the template's output could not be rendered: ${errorMessage(error)}`);
  }
  return result;
}

/** A run taking longer than this is stopped. */
const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;

const STOP_GRACE_MS = 10_000;

/**
 * The step's outcome, unless the run is stopped first (its time is up, or it was cancelled). The
 * action is then given a moment to stop (it has the signal: its requests abort), so the run ends
 * once nothing of it is still writing, yet an action that ignores the signal cannot hold it up.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, timeoutMs: number, graceMs: number): Promise<T> {
  const stopped = () => new ActionError(signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError' ? `the run took longer than ${timeoutMs % 1_000 === 0 ? `${timeoutMs / 1_000} s` : `${timeoutMs} ms`} and was stopped` : 'the run was cancelled');
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    let stopping = false;
    const abort = () => {
      stopping = true;
      const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      void Promise.race([work.catch(() => undefined), grace]).then(() => reject(stopped()));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => stopping || resolve(value),
      (error: unknown) => stopping || reject(error),
    ).finally(() => signal.removeEventListener('abort', abort));
  });
}

interface StepRun {
  scope: (extra?: Record<string, unknown>) => ExpressionScope;
  workspace: string;
  request: TemplateRunRequest;
  report: StepReport;
  signal: AbortSignal;
  outputs: Record<string, { output: Record<string, unknown> }>;
}

/** Runs one step (once, or once per item of its `each`); false when its `if` skipped it. */
async function runStep(step: TemplateStep, action: ScaffolderAction, run: StepRun): Promise<boolean> {
  const iterations = step.each === undefined ? [undefined] : eachItems(renderValue(step.each, run.scope()));
  const output: Record<string, unknown> = {};
  run.outputs[step.id] = { output };
  let ran = false;
  for (const each of iterations) {
    const scope = run.scope(each ? { each } : {});
    if (step.if !== undefined && !passesCondition(renderValue(step.if, scope))) continue;
    ran = true;
    const input = renderValue(step.input, scope) as Record<string, unknown>;
    const validate = validatorOf(action.inputSchema);
    if (!validate(input)) throw new ActionError(`its input does not fit ${action.id}: ${describeErrors(validate.errors, 'input').join('; ')}`);
    if (run.request.dryRun && !action.supportsDryRun) {
      run.report.log.push(`dry run: would run ${action.id} with ${JSON.stringify(input)}`);
      continue;
    }
    await action.handler({
      input,
      workspace: run.workspace,
      templateBase: run.request.template.base,
      requestedBy: run.request.user?.ref,
      dryRun: run.request.dryRun ?? false,
      notifier: run.request.notifier ?? UNDELIVERED,
      signal: run.signal,
      log: (message) => run.report.log.push(message),
      output: (name, value) => {
        output[name] = value;
      },
    });
  }
  return ran;
}

/** An `each` rendered: an array gives `{ key: index, value }` per item, an object one per entry. */
function eachItems(value: unknown): { key: string | number; value: unknown }[] {
  if (Array.isArray(value)) return value.map((item, index) => ({ key: index, value: item }));
  if (value && typeof value === 'object') return Object.entries(value).map(([key, item]) => ({ key, value: item }));
  throw new ActionError('each must render to a list or an object');
}

function renderOutput(template: TemplateDefinition, scope: ExpressionScope): TemplateRunResult['output'] {
  const shown = <T extends { if?: string | boolean }>(items: T[]) => items.filter((item) => item.if === undefined || passesCondition(renderValue(item.if, scope)));
  const links = shown(template.output.links).map((link) => {
    const rendered = renderValue({ title: link.title, url: link.url, entityRef: link.entityRef }, scope) as { title?: unknown; url?: unknown; entityRef?: unknown };
    return {
      title: typeof rendered.title === 'string' ? rendered.title : String(rendered.url ?? rendered.entityRef ?? ''),
      ...(typeof rendered.url === 'string' && rendered.url ? { url: rendered.url } : {}),
      ...(typeof rendered.entityRef === 'string' && rendered.entityRef ? { entityRef: rendered.entityRef } : {}),
    };
  });
  const text = shown(template.output.text).map((item) => {
    const rendered = renderValue({ title: item.title ?? '', content: item.content ?? '' }, scope) as { title: unknown; content: unknown };
    return { title: String(rendered.title ?? ''), content: String(rendered.content ?? '') };
  });
  return { links, text };
}
