import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCatalogService } from '../../../src/catalog/catalog-service.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/client.js';
import { createLogger } from '../../../src/logger.js';
import type { ScaffolderAction } from '../../../src/scaffolder/actions/action.js';
import { createScaffolderService, type ScaffolderService } from '../../../src/scaffolder/scaffolder-service.js';
import { templateFolder, templateHead } from '../../support/template-folder.js';
import { catalogInfoYaml, createTestCatalog } from '../../support/slack-harness.js';
import { scaffolderRuns } from '../../../src/db/schema.js';
import { eq } from 'drizzle-orm';
import { createTestDatabase, ENGINES } from '../../support/test-database.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'callboard-service-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function template() {
  return (await templateFolder(scratch, `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: { name: with-secret }
spec:
  type: service
  parameters:
    - title: About it
      required: [name, token]
      properties:
        name: { type: string }
        token: { type: string, ui:widget: password }
        tier: { type: string, default: gold }
  steps:
    - { id: fetch, action: 'fetch:template', input: { url: ./skeleton, values: { name: '\${{ parameters.name }}' } } }
    - { id: log, action: 'debug:log', input: { message: 'token is \${{ parameters.token }}' } }
    - { id: publish, action: 'publish:local', input: { repoUrl: 'github.com?owner=acme&repo=\${{ parameters.name }}' } }
  output:
    text: [{ title: Token, content: 'secrets.token was \${{ secrets.token }}' }]
`, { 'skeleton/README.md': '# ${{ values.name }}\n' })).template;
}

describe.each(ENGINES)('template runs on %s', (engine) => {
  async function withService(use: (service: ScaffolderService, repositories: string, database: Database) => Promise<void>): Promise<void> {
    const database = await createTestDatabase(engine);
    const repositories = mkdtempSync(path.join(scratch, 'repositories-'));
    try {
      const catalog = createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'silent' }) });
      await use(createScaffolderService({ db: database.db, catalog, localRepositories: repositories }), repositories, database);
    } finally {
      await database.close();
    }
  }

  it('records the run with its steps, its secrets masked in the values and redacted from the logs', async () => {
    await withService(async (service) => {
      const { run, existing, files } = await service.run({ template: await template(), values: { name: 'ledger', token: 's3cr3t-token' }, user: { ref: 'user:default/ada' } });
      expect(existing).toBe(false);
      expect(files).toEqual(['README.md']);
      expect(run).toMatchObject({ templateRef: 'template:default/with-secret', requestedBy: 'user:default/ada', status: 'completed', values: { name: 'ledger', token: '***', tier: 'gold' }, error: null });
      expect(run.steps.map((step) => [step.id, step.status])).toEqual([['fetch', 'completed'], ['log', 'completed'], ['publish', 'completed']]);
      expect(run.steps[1]!.log).toEqual(['token is ***']);
      // Read as secrets.token, as in Backstage, and redacted from the recorded output too.
      expect(run.output?.text).toEqual([{ title: 'Token', content: 'secrets.token was ***' }]);
      const stored = await service.findRun(run.id);
      expect(JSON.stringify(stored)).not.toContain('s3cr3t-token');
      expect((await service.runsOf('user:default/ada')).map((recorded) => recorded.id)).toEqual([run.id]);
      expect(await service.runsOf('user:default/someone-else')).toEqual([]);
    });
  });

  it('makes one run and one repository of a request sent twice at once (a retried or double-clicked submission)', async () => {
    await withService(async (service, repositories) => {
      const definition = await template();
      const request = { template: definition, values: { name: 'twice', token: 'abcd1234' }, requestKey: 'view:V123' };
      const [first, second] = await Promise.all([service.run(request), service.run(request)]);
      expect([first.existing, second.existing].sort()).toEqual([false, true]);
      expect(first.run.id).toBe(second.run.id);
      expect(readdirSync(path.join(repositories, 'acme'))).toEqual(['twice']);
      const third = await service.run(request);
      expect(third).toMatchObject({ existing: true, run: { id: first.run.id, status: 'completed' } });
    });
  });

  it('cancels a run of its requester: at once here, and at the next step when another replica asks', async () => {
    const database = await createTestDatabase(engine);
    try {
      let release: () => void = () => undefined;
      let started: () => void = () => undefined;
      const wait: ScaffolderAction = {
        id: 'test:wait',
        description: 'waits until the test releases it',
        supportsDryRun: true,
        inputSchema: { type: 'object' },
        handler: () => {
          started();
          return new Promise<void>((resolve) => (release = resolve));
        },
      };
      const service = (extraActions: ScaffolderAction[]) =>
        createScaffolderService({
          db: database.db,
          catalog: createCatalogService({ database, config: loadConfig({ files: [], env: {} }), github: () => undefined, logger: createLogger({ level: 'silent' }) }),
          localRepositories: mkdtempSync(path.join(scratch, 'repositories-')),
          extraActions,
        });
      const [here, other] = [service([wait]), service([])];
      const { template: waiting } = await templateFolder(scratch, `${templateHead('waiting')}  steps:\n    - { id: wait, action: 'test:wait', input: {} }\n    - { id: after, action: 'debug:log', input: { message: done } }\n`);
      const ada = { ref: 'user:default/ada' };
      const runUntilStarted = async () => {
        const whenStarted = new Promise<void>((resolve) => (started = resolve));
        const finished = here.run({ template: waiting, values: {}, user: ada });
        await whenStarted;
        const [current] = await here.runsOf(ada.ref, 1);
        return { id: current!.id, finished };
      };

      const first = await runUntilStarted();
      expect(await here.cancel(first.id, 'user:default/grace')).toBe(false);
      expect(await here.cancel(first.id, ada.ref)).toBe(true);
      const cancelledHere = (await first.finished).run;
      expect(cancelledHere).toMatchObject({ status: 'cancelled', error: 'the run was cancelled during step wait' });
      expect(cancelledHere.steps.map((step) => step.status)).toEqual(['cancelled', 'open']);

      const second = await runUntilStarted();
      expect(await other.cancel(second.id, ada.ref)).toBe(true);
      release();
      const cancelledThere = (await second.finished).run;
      expect(cancelledThere).toMatchObject({ status: 'cancelled', error: 'the run was cancelled before step after' });
      expect(cancelledThere.steps.map((step) => step.status)).toEqual(['completed', 'open']);
      expect(await here.cancel(second.id, ada.ref)).toBe(false);
    } finally {
      await database.close();
    }
  });

  it('records a failed run with the step that failed', async () => {
    await withService(async (service, repositories) => {
      mkdirSync(path.join(repositories, 'acme', 'taken'), { recursive: true });
      const { run } = await service.run({ template: await template(), values: { name: 'taken', token: 'abcd1234' } });
      expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/^step publish \(publish:local\) failed: the repository acme\/taken exists already/) });
      expect(run.steps.map((step) => step.status)).toEqual(['completed', 'completed', 'failed']);
      expect(existsSync(path.join(repositories, 'acme', 'taken', 'README.md'))).toBe(false);
    });
  });
});

describe.each(ENGINES)('runs that need approval on %s', (engine) => {
  const CATALOG = catalogInfoYaml([
    { kind: 'Group', metadata: { name: 'platform-team' }, spec: { type: 'team', children: ['release-managers'], members: ['grace'] } },
    { kind: 'Group', metadata: { name: 'release-managers' }, spec: { type: 'team', parent: 'platform-team', children: [], members: ['linus'] } },
    { kind: 'User', metadata: { name: 'ada' }, spec: { memberOf: [] } },
    { kind: 'User', metadata: { name: 'grace' }, spec: { memberOf: [] } },
    { kind: 'User', metadata: { name: 'linus' }, spec: { memberOf: [] } },
  ]);

  it('waits, takes one decision from a member of the group (never the requester), and runs once on one replica', async () => {
    const testCatalog = await createTestCatalog(engine, CATALOG);
    try {
      const { catalog, database } = testCatalog;
      // Where the service finds its templates: the approved run is looked up again there when it starts.
      const library = mkdtempSync(path.join(scratch, 'library-'));
      const service = () =>
        createScaffolderService({ db: database.db, catalog, localRepositories: mkdtempSync(path.join(scratch, 'repositories-')), templatesFolder: library, approvalRules: [{ templates: ['gated'], approvers: 'platform-team' }] });
      const [here, there] = [service(), service()];
      const { template: gated } = await templateFolder(library, `${templateHead('gated')}  parameters:\n    - { properties: { token: { type: string, ui:widget: password } } }\n  steps:\n    - { id: log, action: 'debug:log', input: { message: 'by \${{ user.ref }}' } }\n`);
      const waiting = await here.run({ template: gated, values: { token: 'hunter22' }, user: { ref: 'user:default/grace' } });
      expect(waiting.run).toMatchObject({ status: 'open', values: { token: '***' }, approval: { approvers: 'group:default/platform-team', state: 'pending' } });
      expect(waiting.run.steps.map((step) => step.status)).toEqual(['open']);

      expect((await here.decide(waiting.run.id, { approved: true, by: 'user:default/ada' })).outcome).toBe('not-an-approver');
      expect((await here.decide(waiting.run.id, { approved: true, by: 'user:default/grace' })).outcome).toBe('own-run');
      // A member of a group under the approving one decides too; pressed on two replicas at once, one decision counts.
      const decisions = await Promise.all([here.decide(waiting.run.id, { approved: true, by: 'user:default/linus', reason: 'fine' }), there.decide(waiting.run.id, { approved: true, by: 'user:default/linus', reason: 'fine' })]);
      // The one that comes second sees it approved and not started: 'approved' again (so it can start it) or, when it
      // raced the first to the record, 'not-awaiting'. Either way it runs once, below.
      const outcomes = decisions.map((decision) => decision.outcome);
      expect(outcomes).toContain('approved');
      expect(outcomes.every((outcome) => outcome === 'approved' || outcome === 'not-awaiting')).toBe(true);
      const [one, two] = await Promise.all([here.resume(waiting.run.id), there.resume(waiting.run.id)]);
      const finished = one ?? two;
      expect([one, two].filter(Boolean)).toHaveLength(1);
      expect(finished!.run).toMatchObject({ status: 'completed', approval: { state: 'approved', decidedBy: 'user:default/linus', reason: 'fine' } });
      expect(finished!.run.steps[0]!.log).toEqual(['by user:default/grace']);
      expect(await here.resume(waiting.run.id)).toBeUndefined();
      // The values it waited with are gone from the record once it started.
      const [row] = await database.db.select({ pending: scaffolderRuns.pendingValues }).from(scaffolderRuns).where(eq(scaffolderRuns.id, waiting.run.id));
      expect(row!.pending).toBeNull();
    } finally {
      await testCatalog.stop();
    }
  });

  it('does not run a template changed after its approval was asked for', async () => {
    const testCatalog = await createTestCatalog(engine, CATALOG);
    try {
      const { catalog, database } = testCatalog;
      const library = mkdtempSync(path.join(scratch, 'library-'));
      const service = createScaffolderService({ db: database.db, catalog, localRepositories: mkdtempSync(path.join(scratch, 'repositories-')), templatesFolder: library, approvalRules: [{ templates: ['*'], approvers: 'platform-team' }] });
      const { folder, template } = await templateFolder(library, `${templateHead('changing')}  steps:\n    - { id: log, action: 'debug:log', input: { message: harmless } }\n`);
      const { run } = await service.run({ template, values: {}, user: { ref: 'user:default/ada' } });
      writeFileSync(path.join(folder, 'template.yaml'), `${templateHead('changing')}  steps:\n    - { id: log, action: 'debug:log', input: { message: something else } }\n`);
      expect((await service.decide(run.id, { approved: true, by: 'user:default/grace' })).outcome).toBe('approved');
      const resumed = await service.resume(run.id);
      expect(resumed!.run).toMatchObject({ status: 'failed', error: 'changing changed after it was asked about, so this approval does not cover it; run it again' });
    } finally {
      await testCatalog.stop();
    }
  });

  it('is cancelled by its requester while it waits, and then cannot be approved', async () => {
    const testCatalog = await createTestCatalog(engine, CATALOG);
    try {
      const { catalog, database } = testCatalog;
      const library = mkdtempSync(path.join(scratch, 'library-'));
      const service = createScaffolderService({ db: database.db, catalog, localRepositories: mkdtempSync(path.join(scratch, 'repositories-')), templatesFolder: library });
      const { template: annotated } = await templateFolder(
        library,
        `apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: { name: annotated, annotations: { callboard.dev/approvers: platform-team } }\nspec:\n  type: service\n  steps:\n    - { id: log, action: 'debug:log', input: { message: hi } }\n`,
      );
      const { run } = await service.run({ template: annotated, values: {}, user: { ref: 'user:default/ada' } });
      expect(run.approval?.state).toBe('pending');
      expect(await service.cancel(run.id, 'user:default/ada')).toBe(true);
      expect((await service.decide(run.id, { approved: true, by: 'user:default/grace' })).outcome).toBe('not-awaiting');
      expect(await service.resume(run.id)).toBeUndefined();
      expect(await service.findRun(run.id)).toMatchObject({ status: 'cancelled' });
      // A template on offer nowhere could not be found again once approved: refused at once.
      const { template: elsewhere } = await templateFolder(scratch, `apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: { name: elsewhere, annotations: { callboard.dev/approvers: platform-team } }\nspec:\n  type: service\n  steps: []\n`);
      await expect(service.run({ template: elsewhere, values: {}, user: { ref: 'user:default/ada' } })).rejects.toThrow('must be on offer');
    } finally {
      await testCatalog.stop();
    }
  });
});
