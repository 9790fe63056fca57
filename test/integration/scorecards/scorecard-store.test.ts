import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import type { CheckStatus, EntityScore } from '../../../src/scorecards/evaluate-scorecards.js';
import { recordEvaluation, storedResults, transitionsOf } from '../../../src/scorecards/scorecard-store.js';
import { createTestDatabase, ENGINES } from '../../support/test-database.js';

const score = (level: string | null, statuses: Record<string, CheckStatus>): EntityScore[] => [
  { id: 'default', title: 'Default', levels: ['bronze'], level, checks: Object.entries(statuses).map(([id, status]) => ({ id, title: id, level: 'bronze', status, message: '', fix: '' })) },
];
const at = (day: number) => new Date(Date.UTC(2026, 10, day, 9));

describe.each(ENGINES)('scorecard results and their history on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  it('records each change of a check with its time, and knows a regression through an unknown spell', async () => {
    const db = database.db;
    const first = await recordEvaluation(db, new Map([['component:default/a', score('bronze', { readme: 'pass', owner: 'pass' })], ['component:default/b', score(null, { readme: 'fail', owner: 'pass' })]]), at(1));
    expect(first).toEqual({ changed: 2, removed: 0, transitions: 0, regressions: 0 });
    // Nothing changed: nothing is written.
    expect(await recordEvaluation(db, new Map([['component:default/a', score('bronze', { readme: 'pass', owner: 'pass' })], ['component:default/b', score(null, { readme: 'fail', owner: 'pass' })]]), at(2))).toEqual({ changed: 0, removed: 0, transitions: 0, regressions: 0 });
    // GitHub is down for a day: a's readme is unknown; then it fails. b recovers.
    await recordEvaluation(db, new Map([['component:default/a', score(null, { readme: 'unknown', owner: 'pass' })], ['component:default/b', score('bronze', { readme: 'pass', owner: 'pass' })]]), at(3));
    const fourth = await recordEvaluation(db, new Map([['component:default/a', score(null, { readme: 'fail', owner: 'pass' })]]), at(4));
    expect(fourth).toEqual({ changed: 1, removed: 1, transitions: 1, regressions: 1 });
    const history = await transitionsOf(db, 'component:default/a');
    expect(history.map(({ checkId, fromStatus, toStatus, regression, at: when }) => [checkId, fromStatus, toStatus, regression, when.toISOString()])).toEqual([
      ['readme', 'unknown', 'fail', true, at(4).toISOString()],
      ['readme', 'pass', 'unknown', false, at(3).toISOString()],
    ]);
    const recovered = await transitionsOf(db, 'component:default/b');
    expect(recovered).toMatchObject([{ checkId: 'readme', fromStatus: 'fail', toStatus: 'pass', regression: false }]);
    const [stored] = await storedResults(db, ['component:default/a']);
    expect(stored).toMatchObject({ level: null, checks: { readme: { status: 'fail', since: at(4).toISOString(), known: 'fail', regressed: true }, owner: { status: 'pass', since: at(1).toISOString() } } });
    // b is no longer scored (removed from the catalog): its standing goes, its history stays.
    expect(await storedResults(db, ['component:default/b'])).toEqual([]);
    expect(await transitionsOf(db, 'component:default/b')).toHaveLength(1);
  });
});
