import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';
import { catalogInfoYaml } from '../../support/slack-harness.js';
import { templateFolder, templateHead } from '../../support/template-folder.js';

const kitchenSink = path.join(import.meta.dirname, '../../fixtures/plugins/kitchen-sink.ts');

describe("a plugin's action and fact, through a template run and a scorecard evaluation", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-plugin-extensions-'));
  let context: AppContext;

  beforeAll(async () => {
    writeFileSync(
      path.join(scratch, 'catalog-info.yaml'),
      catalogInfoYaml([
        { kind: 'Group', metadata: { name: 'payments' }, spec: { type: 'team', children: [] } },
        { kind: 'Component', metadata: { name: 'greeted-api', tags: ['greeted'] }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
        { kind: 'Component', metadata: { name: 'plain-api' }, spec: { type: 'service', lifecycle: 'production', owner: 'payments' } },
      ]),
    );
    mkdirSync(path.join(scratch, 'scorecards'));
    writeFileSync(
      path.join(scratch, 'scorecards', 'greetings.yaml'),
      'id: greetings\ntitle: Greetings\nfilter: { kinds: [Component] }\nlevels:\n  - id: warm\n    title: Warm\n    checks:\n      - { id: is-greeted, title: Is greeted, rule: { conditions: { all: [{ fact: greeted, operator: equal, value: true }] } } }\n',
    );
    const config = loadConfig({ files: [], env: {} });
    config.callboard.plugins = [{ path: kitchenSink, with: { greeting: 'Howdy' } }];
    config.callboard.scorecards.paths = [path.join(scratch, 'scorecards')];
    context = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true, localRepositories: path.join(scratch, 'repositories') });
    await context.catalog.refresh([{ key: `file:${scratch}`, type: 'file', target: path.join(scratch, 'catalog-info.yaml') }]);
  });
  afterAll(async () => {
    await context?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("runs a template step with the plugin's action, its input checked against the action's schema", async () => {
    const { template } = await templateFolder(
      scratch,
      `${templateHead('greeter')}  parameters: [{ properties: { name: { type: string } } }]\n  steps:\n    - id: greet\n      name: Greet\n      action: greet:log\n      input:\n        name: \${{ parameters.name }}\n  output:\n    text:\n      - title: Greeting\n        content: \${{ steps.greet.output.greeting }}\n`,
    );
    const { run } = await context.scaffolder.run({ template, values: { name: 'Ada' } });
    expect(run.status).toBe('completed');
    expect(JSON.stringify(run)).toContain('Howdy, Ada');
    const { template: missing } = await templateFolder(scratch, `${templateHead('greeter-without-name')}  steps:\n    - { id: greet, name: Greet, action: greet:log, input: {} }\n`);
    const failed = await context.scaffolder.run({ template: missing, values: {} });
    expect(failed.run.status).toBe('failed');
    expect(JSON.stringify(failed.run)).toContain('name');
  });

  it("scores entities on a scorecard whose check reads the plugin's fact", async () => {
    const statusOf = async (name: string) => (await context.scorecards.entity(name)).scorecards.find((scorecard) => scorecard.id === 'greetings')!.checks[0]!.status;
    expect(await statusOf('greeted-api')).toBe('pass');
    expect(await statusOf('plain-api')).toBe('fail');
    expect(context.scorecards.library.problems).toEqual([]);
    // A collector that answers nothing leaves its facts unknown; every entity is still scored.
    const scores = await context.scorecards.evaluateAll();
    expect([...scores.keys()].sort()).toEqual(['component:default/greeted-api', 'component:default/plain-api']);
  });
});
