import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { FactCollector } from '../../../src/scorecards/fact-collector.js';
import { loadScorecards } from '../../../src/scorecards/scorecard-library.js';
import { createScorecardService } from '../../../src/scorecards/scorecard-service.js';
import type { Scorecard } from '../../../src/scorecards/scorecard-definition.js';
import { catalogInfoYaml, createTestCatalog, type TestCatalog } from '../../support/slack-harness.js';

const services = Array.from({ length: 24 }, (_, index) => ({ kind: 'Component', metadata: { name: `svc-${index}` }, spec: { type: 'service', lifecycle: 'production', owner: 'team' } }));
/** A collector whose service never answers. */
const hanging: FactCollector = { id: 'hanging', cost: 'remote', facts: { answered: { type: 'boolean', description: 'never' } }, collect: () => new Promise(() => {}) };

describe('a fact collector that never answers', () => {
  let catalog: TestCatalog;
  beforeAll(async () => {
    catalog = await createTestCatalog('pglite', catalogInfoYaml(services));
  });
  afterAll(() => catalog?.stop());

  it('leaves its facts unknown, and rests after three timeouts in a row so the evaluation finishes', async () => {
    const library = loadScorecards({ folders: [], collectors: [hanging] });
    const scorecard: Scorecard = { id: 'answers', title: 'Answers', filter: { kinds: ['Component'] }, levels: [{ id: 'one', title: 'One', checks: [{ id: 'answered', title: 'Answered', level: 'one', conditions: { all: [{ fact: 'answered', operator: 'equal', value: true }] } }] }] } as unknown as Scorecard;
    const scorecards = createScorecardService({ db: catalog.database.db, catalog: catalog.catalog, library: { ...library, scorecards: [scorecard] }, collectors: [hanging], nudges: loadConfig({ files: [], env: {} }).callboard.scorecards.nudges, remoteCollectMs: 300 });
    const started = Date.now();
    const scores = await scorecards.evaluateAll();
    // One batch of eight waits out its deadline; the rest find the collector resting.
    expect(Date.now() - started).toBeLessThan(2_000);
    const messages = [...scores.values()].map((entity) => entity[0]!.checks[0]!);
    expect(messages.every((check) => check.status === 'unknown')).toBe(true);
    expect(messages.some((check) => check.message.includes('hanging gave no facts within 300 ms'))).toBe(true);
    expect(messages.some((check) => check.message.includes('hanging kept timing out: its facts are collected again after'))).toBe(true);
  });
});
