import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { compileConditions } from '../../../src/scorecards/rule-evaluator.js';
import { OPERATORS, type Condition } from '../../../src/scorecards/scorecard-definition.js';

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const SAMPLE_VALUES = [true, false, 0, 1, 3, 7.5, '3', 'Runbook', 'go', '', null, ['go', 'java'], ['Runbook'], [], { title: 'Runbook' }];
const FACTS = ['flag', 'count', 'name', 'tags', 'links'];

function randomCondition(next: () => number, depth: number): Condition {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const roll = next();
  if (depth < 3 && roll < 0.2) return { all: Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomCondition(next, depth + 1)) };
  if (depth < 3 && roll < 0.4) return { any: Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomCondition(next, depth + 1)) };
  if (depth < 3 && roll < 0.45) return { not: randomCondition(next, depth + 1) };
  const fact = pick(FACTS);
  const operator = pick(OPERATORS);
  const value = operator === 'in' || operator === 'notIn' ? pick([['go', 'java'], [1, 3], ['Runbook', true]]) : pick(SAMPLE_VALUES);
  return fact === 'links' && next() < 0.7 ? { fact, path: pick(['$[*].title', '$[0].url', '$.length']), operator, value } : { fact, operator, value };
}

function randomFacts(next: () => number): Record<string, unknown> {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return {
    flag: pick([true, false]),
    count: pick([0, 1, 3, 7.5, '3', 'x']),
    name: pick(['go', 'Runbook', '', 'java']),
    tags: pick([['go', 'java'], [], ['Runbook'], 'go']),
    links: pick([[{ title: 'Runbook', url: 'https://r' }], [{ title: 'Runbook' }, { title: 'Docs' }], [], [{ url: 'https://x' }]]),
  };
}

describe('rules as json-rules-engine evaluates them', () => {
  it('agrees with json-rules-engine on 2,000 random rules over random facts', async () => {
    const next = random(20261201);
    for (let round = 0; round < 2_000; round++) {
      const conditions = randomCondition(next, 0);
      const facts = randomFacts(next);
      // json-rules-engine needs a group at the top.
      const top = 'all' in conditions || 'any' in conditions ? conditions : { all: [conditions] };
      const engine = new Engine([{ conditions: top as never, event: { type: 'pass' } }], { allowUndefinedFacts: true });
      const { events } = await engine.run(structuredClone(facts));
      const ours = compileConditions(top)(new Map(Object.entries(facts)));
      expect({ conditions: top, facts, outcome: ours }).toEqual({ conditions: top, facts, outcome: events.length > 0 ? 'pass' : 'fail' });
    }
  });

  it('reads a path into a fact, as the Runbook example does', () => {
    const runbook = compileConditions({ all: [{ fact: 'links', path: '$[*].title', operator: 'contains', value: 'Runbook' }] });
    expect(runbook(new Map([['links', [{ title: 'Runbook', url: 'https://r' }]]]))).toBe('pass');
    expect(runbook(new Map([['links', [{ title: 'Docs', url: 'https://d' }]]]))).toBe('fail');
  });

  it('is unknown where an unknown fact could decide, and decided where the known facts decide', () => {
    const needsBoth = compileConditions({ all: [{ fact: 'hasReadme', operator: 'equal', value: true }, { fact: 'hasOwner', operator: 'equal', value: true }] });
    expect(needsBoth(new Map([['hasOwner', true]]))).toBe('unknown');
    expect(needsBoth(new Map([['hasOwner', false]]))).toBe('fail');
    const either = compileConditions({ any: [{ fact: 'hasReadme', operator: 'equal', value: true }, { fact: 'hasOwner', operator: 'equal', value: true }] });
    expect(either(new Map([['hasOwner', true]]))).toBe('pass');
    expect(either(new Map([['hasOwner', false]]))).toBe('unknown');
    expect(compileConditions({ not: { fact: 'hasReadme', operator: 'equal', value: true } })(new Map())).toBe('unknown');
  });
});
