import type { Entity } from '../catalog/model/entity.js';
import { compileConditions, type Facts, type RuleOutcome } from './rule-evaluator.js';
import { factsOf, type Scorecard, type ScorecardCheck } from './scorecard-definition.js';

/** A check's status for one entity; `snoozed` and `wontfix` are failures its owners set aside. */
export type CheckStatus = RuleOutcome | 'snoozed' | 'wontfix';

export interface CheckResult {
  id: string;
  title: string;
  level: string;
  status: CheckStatus;
  message: string;
  fix: string;
  why?: string;
}

/** One scorecard as it stands for one entity: the ladder's levels and the highest one reached. */
export interface EntityScore {
  id: string;
  title: string;
  levels: string[];
  level: string | null;
  checks: CheckResult[];
}

interface CompiledCheck {
  check: ScorecardCheck;
  facts: string[];
  outcome: (facts: Facts) => RuleOutcome;
}

export interface CompiledScorecard {
  scorecard: Scorecard;
  checks: CompiledCheck[];
}

/** Each check's rule compiled once, to be run for every entity. */
export function compileScorecards(scorecards: Scorecard[]): CompiledScorecard[] {
  return scorecards.map((scorecard) => ({
    scorecard,
    checks: scorecard.levels.flatMap((level) => level.checks.map((check) => ({ check, facts: [...new Set(factsOf(check.conditions))], outcome: compileConditions(check.conditions) }))),
  }));
}

const lower = (values: string[] | undefined) => values?.map((value) => value.toLowerCase());

/** Whether a scorecard's filter takes the entity in (kinds, spec.type and spec.lifecycle, case-blind). */
export function appliesTo(scorecard: Scorecard, entity: Entity): boolean {
  const { kinds, types, lifecycles } = scorecard.filter;
  const field = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : undefined);
  if (kinds && !lower(kinds)!.includes(entity.kind.toLowerCase())) return false;
  if (types && !lower(types)!.includes(field(entity.spec?.type) ?? '')) return false;
  if (lifecycles && !lower(lifecycles)!.includes(field(entity.spec?.lifecycle) ?? '')) return false;
  return true;
}

/** What the owners asked for about a failing check: set aside until a time, or for good with a reason. */
export interface Exemption {
  status: 'snoozed' | 'wontfix';
  message: string;
}

export interface ScoringInput {
  facts: Facts;
  /** Why a fact is unknown, by fact name (GitHub not configured, the repository is gone...). */
  unknownBecause: ReadonlyMap<string, string>;
  /** Exemptions by `scorecardId/checkId`: they apply to failing checks only. */
  exemptions?: ReadonlyMap<string, Exemption>;
}

/**
 * The entity's score on a scorecard. Levels are a ladder: the level reached is the highest one
 * whose checks all pass together with every level below it; null when the first does not. A
 * check set aside (snoozed, won't fix) does not pass, so it never lifts a level.
 */
export function scoreEntity({ scorecard, checks }: CompiledScorecard, { facts, unknownBecause, exemptions }: ScoringInput): EntityScore {
  const results = checks.map(({ check, facts: needed, outcome }): CheckResult => {
    const status = outcome(facts);
    const result: CheckResult = { id: check.id, title: check.title, level: check.level, status, message: 'Passes', fix: check.fix ?? '' };
    if (check.why) result.why = check.why;
    if (status === 'unknown') {
      const reasons = [...new Set(needed.filter((fact) => !facts.has(fact)).map((fact) => unknownBecause.get(fact) ?? `no fact collector gives ${fact}`))];
      result.message = `Unknown: ${reasons.join('; ')}`;
    } else if (status === 'fail') {
      const exemption = exemptions?.get(`${scorecard.id}/${check.id}`);
      result.status = exemption?.status ?? 'fail';
      result.message = exemption?.message ?? 'Fails';
    }
    return result;
  });
  let level: string | null = null;
  for (const { id } of scorecard.levels) {
    if (!results.every((result) => result.level !== id || result.status === 'pass')) break;
    level = id;
  }
  return { id: scorecard.id, title: scorecard.title, levels: scorecard.levels.map((item) => item.id), level, checks: results };
}
