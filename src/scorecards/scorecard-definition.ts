import { Ajv } from 'ajv';
import { ajvMessage, fieldPath } from '../config/field-path.js';

/** json-rules-engine's built-in operators, the ones Tech Insights checks use. */
export const OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain'] as const;
export type Operator = (typeof OPERATORS)[number];

/** One comparison of a fact (or a part of it, by JSONPath) with a value. */
export interface FactCondition {
  fact: string;
  path?: string;
  operator: Operator;
  value: unknown;
}

/** json-rules-engine's condition tree: `all`, `any` and `not` of fact conditions. */
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | FactCondition;

export interface ScorecardCheck {
  id: string;
  title: string;
  /** Why the check matters, told to the owners it nudges. */
  why?: string;
  /** How to make it pass. */
  fix?: string;
  /** The id of the level the check belongs to. */
  level: string;
  conditions: Condition;
}

export interface ScorecardLevel {
  id: string;
  title: string;
  checks: ScorecardCheck[];
}

/** Which entities a scorecard applies to; an absent key matches every entity. */
export interface ScorecardFilter {
  kinds?: string[];
  types?: string[];
  lifecycles?: string[];
}

export interface Scorecard {
  id: string;
  title: string;
  description?: string;
  filter: ScorecardFilter;
  /** Ordered, lowest first: a ladder. */
  levels: ScorecardLevel[];
  /** The file (or configuration key) it was read from. */
  source: string;
}

/** Something wrong in a scorecard file, at a field as it is written in YAML (`levels[0].checks[1].rule`). */
export interface ScorecardProblem {
  file: string;
  field: string;
  message: string;
}

const ID = { type: 'string', pattern: '^[a-z0-9][a-z0-9-_.]*$', maxLength: 100 };
const TEXT = { type: 'string', minLength: 1, maxLength: 2000 };
const NAMES = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };

const SCORECARD_SCHEMA = {
  type: 'object',
  required: ['id', 'title', 'levels'],
  additionalProperties: false,
  properties: {
    id: ID,
    title: TEXT,
    description: TEXT,
    filter: { type: 'object', additionalProperties: false, properties: { kinds: NAMES, types: NAMES, lifecycles: NAMES } },
    levels: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'title', 'checks'],
        additionalProperties: false,
        properties: {
          id: ID,
          title: TEXT,
          checks: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['id', 'title', 'rule'],
              additionalProperties: false,
              properties: { id: ID, title: TEXT, why: TEXT, fix: TEXT, rule: { type: 'object', required: ['conditions'], properties: { conditions: { type: 'object' } } } },
            },
          },
        },
      },
    },
  },
} as const;

const validateScorecard = new Ajv({ allErrors: true, strict: false }).compile(SCORECARD_SCHEMA);

/** Deeper than this, a condition tree is a mistake (or an attack on the evaluator), not a rule. */
const MAX_CONDITION_DEPTH = 20;

/**
 * A condition tree as json-rules-engine reads it, checked field by field so each problem names
 * where it is. `name` and `priority`, which json-rules-engine allows on any condition, are ignored.
 */
export function parseConditions(value: unknown, field: string, problems: { field: string; message: string }[], depth = 0): Condition | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field, message: 'must be an object with all, any, not, or fact and operator' });
    return undefined;
  }
  if (depth > MAX_CONDITION_DEPTH) {
    problems.push({ field, message: `nests deeper than ${MAX_CONDITION_DEPTH} levels` });
    return undefined;
  }
  const condition = value as Record<string, unknown>;
  for (const group of ['all', 'any'] as const) {
    if (!(group in condition)) continue;
    const items = condition[group];
    if (!Array.isArray(items)) {
      problems.push({ field: `${field}.${group}`, message: 'must be a list of conditions' });
      return undefined;
    }
    const parsed = items.map((item, position) => parseConditions(item, `${field}.${group}[${position}]`, problems, depth + 1));
    return parsed.every((item): item is Condition => item !== undefined) ? ({ [group]: parsed } as Condition) : undefined;
  }
  if ('not' in condition) {
    const inner = parseConditions(condition.not, `${field}.not`, problems, depth + 1);
    return inner && { not: inner };
  }
  if ('condition' in condition) {
    problems.push({ field: `${field}.condition`, message: 'shared conditions (condition: NAME) are not supported; write the condition out' });
    return undefined;
  }
  const before = problems.length;
  if (typeof condition.fact !== 'string' || condition.fact.length === 0) problems.push({ field: `${field}.fact`, message: 'must name a fact' });
  if (!OPERATORS.includes(condition.operator as Operator)) problems.push({ field: `${field}.operator`, message: `must be one of: ${OPERATORS.join(', ')}` });
  if (!('value' in condition)) problems.push({ field: `${field}.value`, message: 'is required' });
  if (condition.path !== undefined && (typeof condition.path !== 'string' || !condition.path.startsWith('$'))) problems.push({ field: `${field}.path`, message: 'must be a JSONPath starting with $' });
  if (problems.length > before) return undefined;
  return { fact: condition.fact as string, operator: condition.operator as Operator, value: condition.value, ...(typeof condition.path === 'string' ? { path: condition.path } : {}) };
}

interface ScorecardDocument {
  id: string;
  title: string;
  description?: string;
  filter?: ScorecardFilter;
  levels: { id: string; title: string; checks: { id: string; title: string; why?: string; fix?: string; rule: { conditions: unknown } }[] }[];
}

/** One scorecard document, or every problem with it (then nothing of it is used). */
export function parseScorecard(document: unknown, file: string): { scorecard?: Scorecard; problems: ScorecardProblem[] } {
  if (!validateScorecard(document)) {
    return { problems: (validateScorecard.errors ?? []).map((error) => ({ file, field: error.instancePath ? fieldPath(error.instancePath) : '(top level)', message: ajvMessage(error) })) };
  }
  const written = document as unknown as ScorecardDocument;
  const found: { field: string; message: string }[] = [];
  const seen = new Map<string, string>();
  const levels = written.levels.map((level, levelAt): ScorecardLevel => {
    if (seen.has(`level:${level.id}`)) found.push({ field: `levels[${levelAt}].id`, message: `${level.id} is already the id of ${seen.get(`level:${level.id}`)}` });
    seen.set(`level:${level.id}`, `levels[${levelAt}]`);
    const checks = level.checks.flatMap((check, checkAt): ScorecardCheck[] => {
      const field = `levels[${levelAt}].checks[${checkAt}]`;
      if (seen.has(`check:${check.id}`)) found.push({ field: `${field}.id`, message: `${check.id} is already the id of ${seen.get(`check:${check.id}`)}` });
      seen.set(`check:${check.id}`, field);
      const conditions = parseConditions(check.rule.conditions, `${field}.rule.conditions`, found);
      return conditions ? [{ id: check.id, title: check.title, level: level.id, conditions, ...(check.why ? { why: check.why } : {}), ...(check.fix ? { fix: check.fix } : {}) }] : [];
    });
    return { id: level.id, title: level.title, checks };
  });
  if (found.length > 0) return { problems: found.map((problem) => ({ file, ...problem })) };
  return { scorecard: { id: written.id, title: written.title, ...(written.description ? { description: written.description } : {}), filter: written.filter ?? {}, levels, source: file }, problems: [] };
}

/** Every fact a condition tree reads. */
export function factsOf(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(factsOf);
  if ('any' in condition) return condition.any.flatMap(factsOf);
  if ('not' in condition) return factsOf(condition.not);
  return [condition.fact];
}
