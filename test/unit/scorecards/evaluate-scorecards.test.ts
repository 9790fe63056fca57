import { describe, expect, it } from 'vitest';
import { appliesTo, compileScorecards, scoreEntity } from '../../../src/scorecards/evaluate-scorecards.js';
import { parseScorecard, type Scorecard } from '../../../src/scorecards/scorecard-definition.js';

const check = (id: string, fact: string) => ({ id, title: id, fix: `set ${fact}`, rule: { conditions: { all: [{ fact, operator: 'equal', value: true }] } } });
const { scorecard } = parseScorecard(
  {
    id: 'ladder',
    title: 'Ladder',
    filter: { kinds: ['Component'], lifecycles: ['production'] },
    levels: [
      { id: 'bronze', title: 'Bronze', checks: [check('owner', 'hasOwner')] },
      { id: 'silver', title: 'Silver', checks: [check('readme', 'hasReadme'), check('docs', 'hasTechDocs')] },
      { id: 'gold', title: 'Gold', checks: [check('oncall', 'hasOnCall')] },
    ],
  },
  'ladder.yaml',
);
const [compiled] = compileScorecards([scorecard as Scorecard]);
const score = (facts: Record<string, boolean>, exemptions = new Map()) => scoreEntity(compiled!, { facts: new Map(Object.entries(facts)), unknownBecause: new Map([['hasReadme', 'GitHub is not configured']]), exemptions });

describe('an entity scored on a ladder of levels', () => {
  it('reaches the highest level whose checks pass with every level below it', () => {
    expect(score({ hasOwner: true, hasReadme: true, hasTechDocs: true, hasOnCall: true }).level).toBe('gold');
    // Gold passes, silver does not: the ladder stops at bronze.
    expect(score({ hasOwner: true, hasReadme: false, hasTechDocs: true, hasOnCall: true }).level).toBe('bronze');
    expect(score({ hasOwner: false, hasReadme: true, hasTechDocs: true, hasOnCall: true }).level).toBeNull();
  });

  it('says why a check is unknown, never lifts a level with it, and never calls it a failure', () => {
    const result = score({ hasOwner: true, hasTechDocs: true, hasOnCall: true });
    expect(result.level).toBe('bronze');
    expect(result.checks.find((item) => item.id === 'readme')).toMatchObject({ status: 'unknown', message: 'Unknown: GitHub is not configured' });
    expect(result.checks.filter((item) => item.status === 'fail')).toEqual([]);
  });

  it('shows a snoozed or won’t-fix failure as such, and it still does not pass', () => {
    const result = score({ hasOwner: true, hasReadme: true, hasTechDocs: false, hasOnCall: true }, new Map([['ladder/docs', { status: 'wontfix', message: 'Won’t fix: docs live in Confluence' }]]));
    expect(result.checks.find((item) => item.id === 'docs')).toMatchObject({ status: 'wontfix', message: 'Won’t fix: docs live in Confluence', fix: 'set hasTechDocs' });
    expect(result.level).toBe('bronze');
  });

  it('applies to the kinds and lifecycles of its filter only, whatever their case', () => {
    const entity = (kind: string, lifecycle: string) => ({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name: 'x' }, spec: { lifecycle } });
    expect(appliesTo(scorecard!, entity('component', 'Production'))).toBe(true);
    expect(appliesTo(scorecard!, entity('Component', 'experimental'))).toBe(false);
    expect(appliesTo(scorecard!, entity('API', 'production'))).toBe(false);
  });
});
