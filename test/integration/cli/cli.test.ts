import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../support/fake-slack.js';
import { FakeSocketMode } from '../../support/fake-socket-mode.js';
import { startFakeKubernetes } from '../../support/fake-kubernetes.js';
import { makeTestCertificates } from '../../support/test-certificates.js';
import { callboard, REPO_ROOT } from '../../support/run-cli.js';

const repoRoot = REPO_ROOT;

describe('callboard CLI on the bundled example catalog', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-cli-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('answers docs --json in the documented shape: an entity, or a question', async () => {
    const entity = await callboard(['docs', 'payments-api', '--catalog', 'examples', '--json']);
    expect(entity.code).toBe(0);
    const forEntity = JSON.parse(entity.stdout);
    expect(forEntity).toMatchObject({ entity: 'component:default/payments-api', sections: [] });
    expect(forEntity.links[0]).toEqual({ title: 'Payments API', url: 'https://github.com/northwind/payments-api/blob/main/docs/index.md' });
    expect(forEntity.toc).toContainEqual({ title: 'How to rotate the API keys', url: 'https://github.com/northwind/payments-api/blob/main/docs/api-keys.md#how-to-rotate-the-api-keys', level: 2 });
    const question = await callboard(['docs', 'how', 'do', 'I', 'rotate', 'the', 'API', 'keys?', '--catalog', 'examples', '--json']);
    const answer = JSON.parse(question.stdout);
    expect(answer).toMatchObject({ query: 'how do I rotate the API keys?', entity: null, links: [], toc: [] });
    expect(answer.sections[0]).toMatchObject({ entity: 'component:default/payments-api', page: 'API keys', heading: 'How to rotate the API keys', url: expect.stringContaining('#how-to-rotate-the-api-keys'), snippet: expect.stringContaining('90 days'), score: expect.any(Number) });
  });

  it('answers whoowns --json in the documented shape', async () => {
    const { code, stdout } = await callboard(['whoowns', 'payments-api', '--catalog', 'examples', '--json']);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({
      query: 'payments-api',
      match: { ref: 'component:default/payments-api', kind: 'Component', lifecycle: 'production' },
      owner: { ref: 'group:default/payments-team', kind: 'Group', individual: false, exists: true },
      system: 'system:default/payments',
      suggestions: [],
    });
    expect(answer.owner.members.length).toBeGreaterThan(0);
  });

  it('answers find --json with ranked results and facets', async () => {
    const { code, stdout } = await callboard(['find', 'kind:api', 'geocoding', '--catalog', 'examples', '--json']);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer.results[0]).toMatchObject({ ref: 'api:default/geocoding-api', owner: 'group:default/maps-team' });
    expect(answer.facets.kind).toEqual({ api: answer.total });
  });

  it('validates files, printing file:line: ref: message and exiting 1', async () => {
    const file = path.join(scratch, 'catalog-info.yaml');
    writeFileSync(file, 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ok\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: no-owner\nspec:\n  type: service\n  lifecycle: production\n');
    const text = await callboard(['catalog', 'validate', file]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${file}:10: component:default/no-owner: spec.owner is required`);
    const json = await callboard(['catalog', 'validate', file, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      entities: 1,
      problems: [{ file, line: 10, document: 2, ref: 'component:default/no-owner', severity: 'error', message: 'spec.owner is required' }],
    });
  });

  it('lists docs problems as warnings beside the catalog problems', async () => {
    const folder = path.join(scratch, 'docs-problems');
    mkdirSync(path.join(folder, 'docs'), { recursive: true });
    writeFileSync(path.join(folder, 'catalog-info.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\n  annotations: { backstage.io/techdocs-ref: dir:. }\nspec: { type: service, lifecycle: production, owner: team }\n');
    writeFileSync(path.join(folder, 'mkdocs.yml'), 'site_name: Ledger\nnav:\n  - Home: index.md\n  - Gone: gone.md\n');
    writeFileSync(path.join(folder, 'docs', 'index.md'), '# Ledger\n');
    const { code, stdout } = await callboard(['catalog', 'problems', '--catalog', folder, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).problems).toEqual([{ severity: 'warning', file: folder, ref: 'component:default/ledger', message: 'docs: docs/gone.md: the nav names this page, and it is not there' }]);
  });

  it('scores an entity on the shipped scorecard, configured folders and Tech Insights checks, naming the problems of a bad file', async () => {
    const folder = path.join(scratch, 'scorecards');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'runbook.yaml'), 'id: runbook\ntitle: Runbook\nlevels:\n  - id: ready\n    title: Ready\n    checks:\n      - id: has-runbook\n        title: Has a runbook\n        fix: Add a link titled Runbook.\n        rule: { conditions: { all: [{ fact: links, path: "$[*].title", operator: contains, value: Runbook }] } }\n');
    writeFileSync(path.join(folder, 'broken.yaml'), 'id: broken\ntitle: Broken\nlevels: [{ id: one, title: One, checks: [{ id: c, title: C, rule: { conditions: { all: [{ fact: hasOwner, operator: sameAs, value: true }] } } }] }]\n');
    const appConfig = path.join(scratch, 'backstage-app-config.yaml');
    writeFileSync(appConfig, 'backend: { baseUrl: http://localhost:7007 }\ntechInsights:\n  factChecker:\n    checks:\n      groupOwnerCheck: { type: json-rules-engine, name: Group Owner Check, factIds: [entityOwnershipFactRetriever], rule: { conditions: { all: [{ fact: hasGroupOwner, operator: equal, value: true }] } } }\n');
    const { code, stdout } = await callboard(['scorecard', 'legacy-billing', '--catalog', 'examples', '--scorecards', folder, '--config', appConfig, '--json']);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ entity: 'component:default/legacy-billing', owner: 'group:default/payments-team' });
    expect(answer.scorecards.map((scorecard: { id: string; level: string | null }) => [scorecard.id, scorecard.level])).toEqual([['default', 'bronze'], ['runbook', 'ready'], ['tech-insights', 'checks']]);
    expect(answer.scorecards[0].levels).toEqual(['bronze', 'silver', 'gold']);
    expect(answer.scorecards[0].checks.find((check: { id: string }) => check.id === 'has-techdocs')).toEqual({ id: 'has-techdocs', title: 'Has TechDocs', level: 'silver', status: 'fail', message: 'Fails', fix: expect.stringContaining('backstage.io/techdocs-ref'), why: expect.any(String) });
    expect(answer.problems).toEqual([{ file: path.join(folder, 'broken.yaml'), field: 'levels[0].checks[0].rule.conditions.all[0].operator', message: expect.stringContaining('must be one of') }]);
    const team = await callboard(['scorecard', '--team', 'payments-team', '--catalog', 'examples', '--json']);
    expect(JSON.parse(team.stdout).entities).toContainEqual({ ref: 'component:default/legacy-billing', level: 'bronze', levels: { default: 'bronze' }, failing: ['has-techdocs'] });
  }, 60_000);

  it('plans the nudges of a run at a given time on the example catalog, sending nothing', async () => {
    const { code, stdout } = await callboard(['nudge', '--dry-run', '--now', '2026-12-01T10:00:00Z', '--catalog', 'examples', '--json']);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.at).toBe('2026-12-01T10:00:00.000Z');
    const payments = plan.messages.find((message: { team: string }) => message.team === 'group:default/payments-team');
    expect(payments).toMatchObject({ channel: '#team-payments', users: [] });
    expect(payments.entities).toContainEqual({ ref: 'component:default/legacy-billing', failing: [expect.objectContaining({ check: 'has-techdocs', since: '2026-12-01T10:00:00.000Z', regression: false })] });
    const saturday = JSON.parse((await callboard(['nudge', '--dry-run', '--now', '2026-12-05T10:00:00Z', '--catalog', 'examples', '--json'])).stdout);
    expect(saturday.messages).toEqual([]);
    expect(saturday.skipped).toContainEqual({ team: 'group:default/payments-team', reason: expect.stringContaining('outside working hours') });
  }, 60_000);

  it('answers health --json in the documented shape, from a cluster in the config read through the real client', async () => {
    const certs = makeTestCertificates();
    const labels = { 'backstage.io/kubernetes-id': 'payments-api' };
    const cluster = await startFakeKubernetes({ key: certs.key, cert: certs.cert }, 'answer', {
      deployments: [{ metadata: { name: 'payments-api', namespace: 'payments', labels }, spec: { replicas: 2, selector: {}, template: {} }, status: { readyReplicas: 1 } }],
      pods: [{ metadata: { name: 'payments-api-a', namespace: 'payments', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments-api', uid: 'd', controller: true }] }, spec: { containers: [{ name: 'api', image: 'api:7' }] }, status: { phase: 'Pending', containerStatuses: [{ name: 'api', image: 'api:7', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "api:7"' } } }] } }],
    });
    try {
      const config = path.join(scratch, 'clusters.yaml');
      writeFileSync(config, `kubernetes:\n  clusterLocatorMethods:\n    - type: config\n      clusters:\n        - { name: prod, url: '${cluster.url}', authProvider: serviceAccount, serviceAccountToken: t, caData: '${Buffer.from(certs.ca).toString('base64')}' }\n`);
      const { code, stdout } = await callboard(['health', 'payments-api', '--catalog', 'examples', '--config', config, '--json']);
      expect(code).toBe(0);
      const answer = JSON.parse(stdout);
      expect(answer).toMatchObject({ entity: 'component:default/payments-api', status: 'degraded', reasons: expect.arrayContaining([expect.stringContaining('ImagePullBackOff')]) });
      expect(answer.clusters[0]).toMatchObject({ name: 'prod', status: 'ok', workloads: [{ kind: 'Deployment', namespace: 'payments', name: 'payments-api', ready: 1, desired: 2, images: ['api:7'], problems: [{ type: 'ImagePullBackOff', pod: 'payments-api-a', container: 'api', message: 'Back-off pulling image "api:7"' }] }] });
    } finally {
      await cluster.close();
    }
  }, 60_000);

  it('lists the templates of a catalog in the documented shape', async () => {
    const folder = path.join(scratch, 'templates-catalog');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, 'template.yaml'),
      [
        'apiVersion: scaffolder.backstage.io/v1beta3',
        'kind: Template',
        'metadata: { name: go-service, title: Go service, description: A Go HTTP service }',
        'spec:',
        '  type: service',
        '  parameters: [{ title: About it, properties: { name: { type: string } } }, { title: Where it lives, properties: {} }]',
        '  steps: [{ id: log, action: debug:log, input: { message: hi } }]',
      ].join('\n'),
    );
    const { code, stdout } = await callboard(['template', 'list', '--catalog', folder, '--json']);
    expect(code).toBe(0);
    const { templates } = JSON.parse(stdout) as { templates: { name: string }[] };
    expect(templates.find((template) => template.name === 'go-service')).toEqual({
      name: 'go-service',
      ref: 'template:default/go-service',
      title: 'Go service',
      description: 'A Go HTTP service',
      source: path.join(folder, 'template.yaml'),
      pages: ['About it', 'Where it lives'],
    });
  });

  it('runs a template by its path or its name, printing the run, its output and the files, and exits 1 when it fails', async () => {
    const folder = path.join(scratch, 'run-template');
    mkdirSync(path.join(folder, 'skeleton', 'src'), { recursive: true });
    writeFileSync(path.join(folder, 'skeleton', 'catalog-info.yaml'), 'metadata:\n  name: ${{ values.name | dump }}\n');
    writeFileSync(path.join(folder, 'skeleton', 'src', '${{ values.name }}.ts'), 'export const name = ${{ values.name | dump }};\n');
    writeFileSync(
      path.join(folder, 'template.yaml'),
      [
        'apiVersion: scaffolder.backstage.io/v1beta3',
        'kind: Template',
        'metadata: { name: ts-lib, title: TypeScript library }',
        'spec:',
        '  type: library',
        '  parameters: [{ title: About it, required: [name], properties: { name: { type: string, pattern: "^[a-z-]+$" } } }]',
        '  steps:',
        "    - { id: fetch, action: 'fetch:template', input: { url: ./skeleton, values: { name: '${{ parameters.name }}' } } }",
        "    - { id: log, action: 'debug:log', input: { message: 'made ${{ parameters.name }}' } }",
        "  output: { text: [{ title: Next, content: 'Push ${{ parameters.name }}' }] }",
      ].join('\n'),
    );
    const good = path.join(scratch, 'good-values.yaml');
    writeFileSync(good, 'name: billing-utils\n');
    const byPath = await callboard(['template', 'run', path.join(folder, 'template.yaml'), '--values', good, '--json']);
    expect(byPath.code).toBe(0);
    const answer = JSON.parse(byPath.stdout);
    expect(answer).toMatchObject({
      run: { template: 'template:default/ts-lib', status: 'completed', steps: [{ id: 'fetch', action: 'fetch:template', status: 'completed' }, { id: 'log', action: 'debug:log', status: 'completed', log: ['made billing-utils'] }] },
      output: { links: [], text: [{ title: 'Next', content: 'Push billing-utils' }] },
      files: ['catalog-info.yaml', path.join('src', 'billing-utils.ts')],
    });
    expect(answer.run.id).toMatch(/^[0-9a-f-]{36}$/);

    const bad = path.join(scratch, 'bad-values.json');
    writeFileSync(bad, JSON.stringify({ name: 'Not Valid' }));
    const byName = await callboard(['template', 'run', 'ts-lib', '--catalog', folder, '--values', bad, '--json']);
    expect(byName.code).toBe(1);
    expect(JSON.parse(byName.stdout).run).toMatchObject({ status: 'failed', error: 'the values do not fit the template: name: must match pattern "^[a-z-]+$"' });
    expect(JSON.parse(byName.stdout).files).toEqual([]);

    const unknown = await callboard(['template', 'run', 'nothing-like-it', '--catalog', folder, '--values', good]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no template named nothing-like-it; "callboard template list" shows those on offer');
  });

  it('runs a shipped template end to end: without a GitHub token, publish:github publishes locally and the entity is registered', async () => {
    const values = path.join(scratch, 'service-values.json');
    writeFileSync(values, JSON.stringify({ name: 'refund-api', description: 'Refunds "returned" orders', owner: 'group:default/payments-team', repoUrl: 'github.com?owner=northwind&repo=refund-api' }));
    const out = path.join(scratch, 'repositories');
    const { code, stdout } = await callboard(['template', 'run', 'typescript-service', '--values', values, '--out', out, '--catalog', 'examples', '--json']);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer.run).toMatchObject({ template: 'template:default/typescript-service', status: 'completed' });
    expect(answer.run.steps[1].log[0]).toMatch(/^publishing locally rather than to github.com/);
    expect(answer.output.links).toEqual([
      { title: 'Repository', url: `file://${path.join(out, 'northwind', 'refund-api')}` },
      { title: 'Open in catalog', entityRef: 'component:default/refund-api' },
    ]);
    expect(answer.files).toEqual(expect.arrayContaining(['catalog-info.yaml', 'Dockerfile', 'mkdocs.yml', path.join('src', 'server.ts')]));
  });

  it("lists and runs a template only for members of its allowed groups (--as), with the reason when refused", async () => {
    const folder = path.join(scratch, 'restricted-template');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, 'template.yaml'),
      [
        'apiVersion: scaffolder.backstage.io/v1beta3',
        'kind: Template',
        'metadata: { name: platform-only, title: Platform only, annotations: { callboard.dev/allowed-groups: platform-team } }',
        'spec:',
        '  type: service',
        "  steps: [{ id: log, action: 'debug:log', input: { message: 'run by ${{ user.ref }}' } }]",
      ].join('\n'),
    );
    const values = path.join(scratch, 'empty-values.json');
    writeFileSync(values, '{}');
    const catalogArgs = ['--catalog', 'examples', '--catalog', folder];
    const listed = async (as: string) => (JSON.parse((await callboard(['template', 'list', ...catalogArgs, '--as', as, '--json'])).stdout) as { templates: { name: string }[] }).templates.map((template) => template.name);
    expect(await listed('marta.kowalski')).toContain('platform-only');
    expect(await listed('sofia.lindqvist')).not.toContain('platform-only');
    const allowed = await callboard(['template', 'run', 'platform-only', ...catalogArgs, '--values', values, '--as', 'marta.kowalski', '--json']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).run.steps[0].log).toEqual(['run by user:default/marta.kowalski']);
    const refused = await callboard(['template', 'run', 'platform-only', ...catalogArgs, '--values', values, '--as', 'sofia.lindqvist', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).run).toMatchObject({ status: 'failed', error: 'Platform only may be run only by members of group:default/platform-team; user:default/sofia.lindqvist is not one' });
    const anonymous = await callboard(['template', 'run', 'platform-only', ...catalogArgs, '--values', values, '--json']);
    expect(anonymous.code).toBe(1);
    expect(JSON.parse(anonymous.stdout).run.error).toBe('Platform only may be run only by members of group:default/platform-team: run it as one of them');
  }, 90_000);

  it("lists a person's template runs, and cancels only one still under way", async () => {
    const env = { CALLBOARD_DATA_DIR: path.join(scratch, 'runs-data') };
    const folder = path.join(scratch, 'runs-template');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'template.yaml'), "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: { name: logged }\nspec:\n  type: service\n  steps: [{ id: log, action: 'debug:log', input: { message: hi } }]\n");
    const values = path.join(scratch, 'no-values.json');
    writeFileSync(values, '{}');
    const ran = await callboard(['template', 'run', path.join(folder, 'template.yaml'), '--values', values, '--as', 'ada', '--json'], env);
    expect(ran.code).toBe(0);
    const { id } = JSON.parse(ran.stdout).run as { id: string };
    const listed = await callboard(['template', 'runs', '--as', 'ada', '--json'], env);
    expect(JSON.parse(listed.stdout).runs).toEqual([{ id, template: 'template:default/logged', status: 'completed', error: null, createdAt: expect.any(String) }]);
    expect(JSON.parse((await callboard(['template', 'runs', '--as', 'grace', '--json'], env)).stdout).runs).toEqual([]);
    const cancel = await callboard(['template', 'cancel', id, '--as', 'ada', '--json'], env);
    expect(cancel.code).toBe(1);
    expect(JSON.parse(cancel.stdout)).toEqual({ id, cancelled: false });
  }, 90_000);

  it('runs a template that needs approval once a member of the approving group approves it, never on their own run', async () => {
    const env = { CALLBOARD_DATA_DIR: path.join(scratch, 'approvals-data') };
    const folder = path.join(scratch, 'approvals-catalog');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, 'catalog-info.yaml'),
      [
        'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: platform-team }\nspec: { type: team, children: [], members: [grace] }',
        'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: { name: grace }\nspec: { memberOf: [] }',
        'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: { name: ada }\nspec: { memberOf: [] }',
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: { name: gated }\nspec:\n  type: service\n  steps: [{ id: log, action: 'debug:log', input: { message: 'for ${{ user.ref }}' } }]",
      ].join('\n---\n'),
    );
    const config = path.join(scratch, 'approvals-config.yaml');
    writeFileSync(config, `catalog:\n  locations: [{ type: file, target: ${path.join(folder, 'catalog-info.yaml')} }]\ncallboard:\n  scaffolder:\n    approvals: [{ templates: [gated], approvers: platform-team }]\n`);
    const values = path.join(scratch, 'approval-values.json');
    writeFileSync(values, '{}');
    expect((await callboard(['catalog', 'ingest', '--config', config], env)).code).toBe(0);
    const ran = await callboard(['template', 'run', 'gated', '--values', values, '--as', 'ada', '--config', config, '--json'], env);
    expect(ran.code).toBe(0);
    const waiting = JSON.parse(ran.stdout).run as { id: string; status: string; approval: unknown };
    expect(waiting).toMatchObject({ status: 'open', approval: { approvers: 'group:default/platform-team', state: 'pending' } });
    const byAda = await callboard(['template', 'approve', waiting.id, '--as', 'ada', '--config', config, '--json'], env);
    expect(byAda.code).toBe(1);
    expect(JSON.parse(byAda.stdout)).toMatchObject({ outcome: 'not-an-approver' });
    const byGrace = await callboard(['template', 'approve', waiting.id, '--as', 'grace', '--reason', 'fine', '--config', config, '--json'], env);
    expect(byGrace.code).toBe(0);
    expect(JSON.parse(byGrace.stdout).run).toMatchObject({ status: 'completed', approval: { state: 'approved', decidedBy: 'user:default/grace' }, steps: [{ log: ['for user:default/ada'] }] });
  }, 90_000);

  it('refuses bad paging options and an ingest with nothing configured, changing nothing', async () => {
    const paging = await callboard(['find', 'x', '--catalog', 'examples', '--limit', 'abc']);
    expect(paging.code).toBe(2);
    expect(paging.stderr).toContain('--limit takes a whole number');
    const ingest = await callboard(['catalog', 'ingest'], { CALLBOARD_DATA_DIR: path.join(scratch, 'data') });
    expect(ingest.code).toBe(1);
    expect(ingest.stderr).toContain('nothing to ingest');
  });

  it('reports every configuration problem at once, with what to set, and no stack trace', async () => {
    const config = path.join(scratch, 'app-config.yaml');
    writeFileSync(config, 'catalog:\n  locations:\n    - type: ftp\n      target: ${CATALOG_ROOT}\ncallboard:\n  database:\n    poolSize: 0\n');
    const { code, stderr } = await callboard(['find', 'x', '--config', config]);
    expect(code).toBe(2);
    expect(stderr).toContain('environment variable CATALOG_ROOT is not set');
    expect(stderr).toContain('catalog.locations[0].type: must be one of: file, url');
    expect(stderr).toContain('callboard.database.poolSize');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to run an incomplete Slack app, naming every missing setting and where to set it', async () => {
    const env = { CALLBOARD_DATA_DIR: path.join(scratch, 'slack-data') };
    const botToken = 'SLACK_BOT_TOKEN (callboard.slack.botToken)';
    const transport = 'SLACK_SIGNING_SECRET (callboard.slack.signingSecret) for HTTP mode, or SLACK_APP_TOKEN (callboard.slack.appToken) for Socket Mode';

    const serve = await callboard(['serve', '--catalog', 'examples'], env);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain(botToken);
    expect(serve.stderr).toContain(transport);

    const botOnly = await callboard(['start', '--no-console'], { ...env, SLACK_BOT_TOKEN: 'xoxb-1-only-the-bot-token' });
    expect(botOnly.code).toBe(2);
    expect(botOnly.stderr).toContain(transport);
    expect(botOnly.stderr).not.toContain(botToken);

    const appOnly = await callboard(['start', '--no-console'], { ...env, SLACK_APP_TOKEN: 'xapp-1-only-the-app-token' });
    expect(appOnly.code).toBe(2);
    expect(appOnly.stderr).toContain(botToken);
    expect(appOnly.stderr).not.toContain(transport);

    // A bad setting elsewhere is reported in the same run as the missing Slack ones.
    const badPort = await callboard(['serve', '--catalog', 'examples'], { ...env, PORT: 'abc', SLACK_BOT_TOKEN: 'xoxb-1-only-the-bot-token' });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('PORT: "abc" is not a port number');
    expect(badPort.stderr).toContain(transport);

    for (const { stdout, stderr } of [serve, botOnly, appOnly, badPort]) {
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stderr).not.toContain('only-the');
      expect(stdout).toBe('');
    }
  });

  it('serves the Slack app in Socket Mode from the environment alone, and exits 0 on SIGTERM', async () => {
    const socket = new FakeSocketMode();
    const slack = new FakeSlack();
    slack.socketModeUrl = await socket.start();
    const apiUrl = `${await slack.start()}/api/`;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--catalog', 'examples'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SLACK_BOT_TOKEN: 'xoxb-cli-test', SLACK_APP_TOKEN: 'xapp-cli-test', SLACK_API_URL: apiUrl, PORT: '0' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await socket.until(() => socket.open === 1, 'connection from callboard serve', 45_000);
      const envelopeId = socket.send({
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: { team_id: 'T0001', channel_id: 'C0001', user_id: 'U0001', command: '/whoowns', text: 'payments-api', response_url: `${apiUrl}response`, trigger_id: 'cli-trigger' },
      });
      const [ack] = await socket.acksFor(envelopeId);
      expect(ack!.payload).toMatchObject({ response_type: 'ephemeral' });
      expect(JSON.stringify(ack!.payload!.blocks)).toContain('Payments API');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('Slack app connected in Socket Mode');
      expect(socket.open).toBe(0);
    } finally {
      await slack.stop();
      await socket.stop();
    }
  }, 60_000);
});
