import { JSONPath } from 'jsonpath-plus';
import type { Condition, FactCondition, Operator } from './scorecard-definition.js';

/** A check's outcome: `unknown` when a fact it needs could not be collected. */
export type RuleOutcome = 'pass' | 'fail' | 'unknown';

/** An entity's facts by name; a name that is absent is a fact that could not be collected. */
export type Facts = ReadonlyMap<string, unknown>;

const isNumeric = (value: unknown) => Number.parseFloat(value as string).toString() !== 'NaN';

/**
 * json-rules-engine's operators with its exact semantics (strict equality; `contains` on arrays
 * only; numeric comparisons only of values that parse as numbers), so Tech Insights checks
 * answer here as they do in Backstage.
 */
const OPERATIONS: Record<Operator, (fact: unknown, value: unknown) => boolean> = {
  equal: (fact, value) => fact === value,
  notEqual: (fact, value) => fact !== value,
  in: (fact, value) => Array.isArray(value) && value.includes(fact),
  notIn: (fact, value) => Array.isArray(value) && !value.includes(fact),
  contains: (fact, value) => Array.isArray(fact) && fact.includes(value),
  doesNotContain: (fact, value) => Array.isArray(fact) && !fact.includes(value),
  lessThan: (fact, value) => isNumeric(fact) && (fact as number) < (value as number),
  lessThanInclusive: (fact, value) => isNumeric(fact) && (fact as number) <= (value as number),
  greaterThan: (fact, value) => isNumeric(fact) && (fact as number) > (value as number),
  greaterThanInclusive: (fact, value) => isNumeric(fact) && (fact as number) >= (value as number),
};

type Compiled = (facts: Facts) => RuleOutcome;

function compileFact(condition: FactCondition): Compiled {
  const operation = OPERATIONS[condition.operator];
  const { fact, path, value } = condition;
  // As json-rules-engine: a path is applied to objects only, with JSONPath unwrapped.
  const read = path ? (factValue: unknown) => (factValue !== null && typeof factValue === 'object' ? JSONPath({ path, json: factValue, wrap: false }) : factValue) : (factValue: unknown) => factValue;
  return (facts) => {
    if (!facts.has(fact)) return 'unknown';
    return operation(read(facts.get(fact)), value) ? 'pass' : 'fail';
  };
}

/** `all` (one failure decides) or `any` (one pass decides); else unknown if a part is, else `otherwise`. */
function group(parts: Compiled[], decisive: RuleOutcome, otherwise: RuleOutcome): Compiled {
  return (facts) => {
    let outcome = otherwise;
    for (const part of parts) {
      const result = part(facts);
      if (result === decisive) return decisive;
      if (result === 'unknown') outcome = 'unknown';
    }
    return outcome;
  };
}

/**
 * A condition tree as a function of an entity's facts, in three values: `all` fails when one
 * part fails, `any` passes when one part passes, and what the known facts cannot decide is
 * unknown. Compiled once per check, then run for every entity.
 */
export function compileConditions(condition: Condition): Compiled {
  if ('all' in condition) return group(condition.all.map(compileConditions), 'fail', 'pass');
  if ('any' in condition) return group(condition.any.map(compileConditions), 'pass', 'fail');
  if ('not' in condition) {
    const inner = compileConditions(condition.not);
    return (facts) => {
      const result = inner(facts);
      return result === 'unknown' ? 'unknown' : result === 'pass' ? 'fail' : 'pass';
    };
  }
  return compileFact(condition);
}
