import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_COLLECTORS } from '../../../src/scorecards/collectors/built-in.js';
import { loadScorecards } from '../../../src/scorecards/scorecard-library.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-scorecards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const folderWith = (name: string, files: Record<string, string>) => {
  const folder = path.join(scratch, name);
  mkdirSync(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(folder, file), text);
  return folder;
};

const RUNBOOK_SCORECARD = `id: production-ready
title: Production ready
description: What a service needs before it takes customer traffic.
filter: { kinds: [Component], types: [service], lifecycles: [production] }
levels:
  - id: bronze
    title: Bronze
    checks:
      - id: has-runbook
        title: Has a runbook link
        why: On-call engineers need it at 3 a.m.
        fix: "Add a link titled Runbook under metadata.links."
        rule:
          conditions:
            all:
              - { fact: links, path: "$[*].title", operator: contains, value: Runbook }
`;

describe('scorecards loaded from files and from Tech Insights configuration', () => {
  it('loads the format the README pins, after the shipped scorecards', () => {
    const library = loadScorecards({ folders: [folderWith('valid', { 'production-ready.yaml': RUNBOOK_SCORECARD })], collectors: BUILT_IN_COLLECTORS });
    expect(library.problems).toEqual([]);
    expect(library.scorecards.map((scorecard) => scorecard.id)).toEqual(['default', 'production-ready']);
    const ready = library.scorecards[1]!;
    expect(ready).toMatchObject({ title: 'Production ready', filter: { kinds: ['Component'], types: ['service'], lifecycles: ['production'] } });
    expect(ready.levels[0]!.checks[0]).toMatchObject({ id: 'has-runbook', level: 'bronze', why: 'On-call engineers need it at 3 a.m.', conditions: { all: [{ fact: 'links', path: '$[*].title', operator: 'contains', value: 'Runbook' }] } });
  });

  it('names the file and the field of every problem, and still loads every valid scorecard', () => {
    const folder = folderWith('broken', {
      'a-good.yaml': RUNBOOK_SCORECARD,
      'b-bad-operator.yaml': RUNBOOK_SCORECARD.replace('id: production-ready', 'id: bad-operator').replace('operator: contains', 'operator: has'),
      'c-missing.yaml': 'id: missing-title\nlevels: []\n',
      'd-duplicate.yaml': RUNBOOK_SCORECARD,
      'e-not-yaml.yaml': 'id: [unclosed\n',
      'f-two.yaml': `${RUNBOOK_SCORECARD}---\n${RUNBOOK_SCORECARD}`,
      'g-unknown-fact.yaml': RUNBOOK_SCORECARD.replace('id: production-ready', 'id: typo').replace('fact: links', 'fact: linkz'),
      'notes.txt': 'not a scorecard',
    });
    const library = loadScorecards({ folders: [folder, path.join(scratch, 'nowhere')], collectors: BUILT_IN_COLLECTORS });
    expect(library.scorecards.map((scorecard) => scorecard.id)).toEqual(['default', 'production-ready', 'typo']);
    const at = (file: string) => path.join(folder, file);
    expect(library.problems).toEqual([
      { file: at('b-bad-operator.yaml'), field: 'levels[0].checks[0].rule.conditions.all[0].operator', message: expect.stringMatching(/^must be one of: equal, notEqual, .*doesNotContain$/) },
      { file: at('c-missing.yaml'), field: '(top level)', message: "must have required property 'title'" },
      { file: at('c-missing.yaml'), field: 'levels', message: 'must NOT have fewer than 1 items' },
      { file: at('d-duplicate.yaml'), field: 'id', message: `production-ready is already the id of the scorecard in ${at('a-good.yaml')}` },
      { file: at('e-not-yaml.yaml'), field: '(file)', message: expect.stringMatching(/^not valid YAML: .*\(line \d+\)$/) },
      { file: at('f-two.yaml'), field: '(file)', message: 'holds 2 YAML documents; a scorecard file holds exactly one scorecard' },
      { file: path.join(scratch, 'nowhere'), field: '(folder)', message: expect.stringContaining('no such folder') },
      { file: at('g-unknown-fact.yaml'), field: 'levels[0].checks[0].rule', message: 'no fact collector gives the fact linkz, so this check is always unknown' },
    ]);
  });

  it("loads a Backstage app-config's Tech Insights checks unchanged, as the tech-insights scorecard", () => {
    const appConfig = yaml.load(`
app: { title: Backstage, baseUrl: http://localhost:3000 }
backend: { baseUrl: http://localhost:7007, database: { client: better-sqlite3, connection: ':memory:' } }
techInsights:
  factRetrievers:
    entityOwnershipFactRetriever: { cadence: '*/15 * * * *', lifecycle: { timeToLive: { weeks: 2 } } }
    entityMetadataFactRetriever: { cadence: '*/15 * * * *', lifecycle: { maxItems: 1 } }
  factChecker:
    checks:
      groupOwnerCheck:
        type: json-rules-engine
        name: Group Owner Check
        description: Verifies that a Group has been set as the owner for this entity
        factIds: [entityOwnershipFactRetriever]
        rule:
          conditions:
            all:
              - { fact: hasGroupOwner, operator: equal, value: true }
      titleAndDocsCheck:
        type: json-rules-engine
        name: Title and docs
        description: Has a title, and a TechDocs reference
        factIds: [entityMetadataFactRetriever, techdocsFactRetriever]
        rule:
          conditions:
            any:
              - { fact: hasTitle, operator: equal, value: true }
              - { fact: hasAnnotationBackstageIoTechdocsRef, operator: equal, value: true }
      sonarCheck:
        type: sonarqube
        name: Sonar
`) as { techInsights: unknown };
    const library = loadScorecards({ folders: [], techInsights: { value: appConfig.techInsights, source: 'app-config.yaml' }, collectors: BUILT_IN_COLLECTORS });
    const insights = library.scorecards.find((scorecard) => scorecard.id === 'tech-insights')!;
    expect(insights.levels).toHaveLength(1);
    expect(insights.levels[0]!.checks.map((check) => [check.id, check.title, check.why])).toEqual([
      ['groupOwnerCheck', 'Group Owner Check', 'Verifies that a Group has been set as the owner for this entity'],
      ['titleAndDocsCheck', 'Title and docs', 'Has a title, and a TechDocs reference'],
    ]);
    expect(library.problems).toEqual([{ file: 'app-config.yaml', field: 'techInsights.factChecker.checks.sonarCheck.type', message: 'sonarqube checks are not supported; json-rules-engine ones are' }]);
  });
});
