import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/logger.js';
import type { CheckResult } from '../../../src/scorecards/evaluate-scorecards.js';
import { OctokitGitHubClient } from '../../../src/github/octokit-github-client.js';
import { startFakeGitHub } from '../../support/fake-github-server.js';

const component = (name: string, slug: string, more = '') =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n  description: The ${name} service\n  annotations:\n    github.com/project-slug: ${slug}\n${more}spec: { type: service, lifecycle: production, owner: payments, system: payments }\n`;
const CATALOG = [
  component('ledger', 'acme/ledger', '    backstage.io/techdocs-ref: dir:.\n    pagerduty.com/service-id: PLEDGER\n'),
  component('bare', 'acme/bare'),
  component('vanished', 'acme/vanished'),
  'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: payments }\nspec: { type: team, children: [] }\n',
  'apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: { name: payments }\nspec: { owner: payments }\n',
].join('---\n');

describe('GitHub facts through Octokit, against a loopback GitHub', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let context: AppContext;
  let anonymous: AppContext;

  beforeAll(async () => {
    github = await startFakeGitHub({
      acme: {
        catalog: { files: { 'catalog-info.yaml': CATALOG } },
        ledger: {
          files: { 'README.md': '# Ledger\n', '.github/CODEOWNERS': '* @acme/payments\n', '.github/workflows/ci.yml': 'on: push\n', 'src/main.go': 'package main\n' },
          protection: { main: { required_pull_request_reviews: {} } },
          license: 'MIT',
          lastCommitAt: '2026-11-21T10:00:00Z',
        },
        bare: { files: { 'main.go': 'package main\n', 'docs/guide.md': '# Guide\n' } },
      },
    });
    const catalogUrl = 'https://github.com/acme/catalog/blob/main/catalog-info.yaml';
    const config = loadConfig({ files: [], env: { GITHUB_API_URL: github.baseUrl, GITHUB_TOKEN: 'ghp_test' } });
    config.catalog.locations = [{ type: 'url', target: catalogUrl }];
    context = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true });
    await context.catalog.refresh();
    const noToken = loadConfig({ files: [], env: {} });
    noToken.integrations.github = [{ host: 'github.com', apiBaseUrl: github.baseUrl }];
    noToken.catalog.locations = [{ type: 'url', target: catalogUrl }];
    anonymous = await createAppContext(noToken, createLogger({ level: 'silent' }), { ephemeralDatabase: true });
    await anonymous.catalog.refresh();
  });
  afterAll(async () => {
    await context?.close();
    await anonymous?.close();
    await github?.close();
  });

  const checksOf = async (app: AppContext, name: string) => {
    const answer = await app.scorecards.entity(name);
    return Object.fromEntries(answer.scorecards[0]!.checks.map((check: CheckResult) => [check.id, check]));
  };

  it('passes the GitHub checks of a repository that has what they ask for, and reaches gold', async () => {
    const checks = await checksOf(context, 'ledger');
    for (const id of ['has-readme', 'has-codeowners', 'has-ci', 'branch-protected']) expect(checks[id]).toMatchObject({ status: 'pass' });
    expect((await context.scorecards.entity('ledger')).scorecards[0]!.level).toBe('gold');
  });

  it('fails them, with the fix, for a repository that lacks them', async () => {
    const checks = await checksOf(context, 'bare');
    expect(checks['has-readme']).toMatchObject({ status: 'fail', fix: expect.stringContaining('README.md') });
    expect(checks['has-codeowners']).toMatchObject({ status: 'fail' });
    expect(checks['branch-protected']).toMatchObject({ status: 'fail' });
  });

  it('says unknown, never fail, for a repository that is gone and for a host without a token', async () => {
    const gone = await checksOf(context, 'vanished');
    expect(gone['has-readme']).toMatchObject({ status: 'unknown', message: expect.stringContaining('acme/vanished') });
    const requestsBefore = github.requests.length;
    const untokened = await checksOf(anonymous, 'ledger');
    expect(untokened['has-readme']).toMatchObject({ status: 'unknown', message: expect.stringContaining('GITHUB_TOKEN') });
    expect(github.requests.length).toBe(requestsBefore);
  });

  it('reuses the facts it collected instead of asking GitHub again', async () => {
    await checksOf(context, 'ledger');
    const before = github.requests.length;
    await checksOf(context, 'ledger');
    expect(github.requests.length).toBe(before);
  });

  describe('when GitHub rate limits the evaluation', () => {
    const contexts: AppContext[] = [];
    /** A fresh app each time: what one collected or learnt of a limit must not carry into the next test. */
    const limitedApp = async () => {
      // Octokit waits out no limit itself here, so the limit reaches the evaluation.
      const config = loadConfig({ files: [], env: { GITHUB_API_URL: github.baseUrl, GITHUB_TOKEN: 'ghp_test' } });
      config.catalog.locations = [{ type: 'url', target: 'https://github.com/acme/catalog/blob/main/catalog-info.yaml' }];
      const client = new OctokitGitHubClient({ baseUrl: github.baseUrl, token: 'ghp_test', maxRateLimitWaitSeconds: 0, retries: 0 });
      const app = await createAppContext(config, createLogger({ level: 'silent' }), { ephemeralDatabase: true, github: () => client });
      contexts.push(app);
      await app.catalog.refresh();
      return app;
    };
    afterAll(() => Promise.all(contexts.map((app) => app.close())));
    const resetIn = (seconds: number) => ({ status: 403, message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + seconds) } });

    it('pauses until a near reset and resumes, so the run ends with every fact', async () => {
      const limited = await limitedApp();
      github.fail({ match: /^\/repos\/acme\/ledger$/, times: 1, ...resetIn(2) });
      const started = Date.now();
      const scores = await limited.scorecards.evaluateAll();
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      const ledger = Object.fromEntries(scores.get('component:default/ledger')![0]!.checks.map((check) => [check.id, check.status]));
      expect(ledger).toMatchObject({ 'has-readme': 'pass', 'branch-protected': 'pass' });
      expect(Object.fromEntries(scores.get('component:default/bare')![0]!.checks.map((check) => [check.id, check.status]))).toMatchObject({ 'has-readme': 'fail' });
    });

    it('leaves the facts unknown until a far reset, without calling GitHub again meanwhile, and never fails a check for it', async () => {
      const limited = await limitedApp();
      github.fail({ match: /^\/repos\/acme\/bare$/, times: 1, ...resetIn(3_600) });
      const answer = await limited.scorecards.entity('bare');
      const readme = answer.scorecards[0]!.checks.find((check) => check.id === 'has-readme')!;
      expect(readme).toMatchObject({ status: 'unknown', message: expect.stringMatching(/rate limited: its facts are collected again after \d{4}-/) });
      const before = github.requests.length;
      const next = await limited.scorecards.entity('ledger');
      expect(next.scorecards[0]!.checks.find((check) => check.id === 'has-readme')).toMatchObject({ status: 'unknown' });
      expect(github.requests.length).toBe(before);
    });
  });
});
