import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCatalogService, configuredRoots, type CatalogService } from '../../../src/catalog/catalog-service.js';
import { githubClientsFromConfig } from '../../../src/app-context.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/client.js';
import { captureLogger } from '../../support/capture-logger.js';
import { startFakeGitHub } from '../../support/fake-github-server.js';
import { createTestDatabase } from '../../support/test-database.js';

const component = (name: string, owner = 'team-a') =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

describe('GitHub locations through Octokit against a loopback GitHub API', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let database: Database;
  let catalog: CatalogService;

  beforeAll(async () => {
    github = await startFakeGitHub({
      acme: {
        payments: { files: { 'catalog-info.yaml': component('payments-api'), 'api/openapi.yaml': 'openapi: 3.0.0' } },
        maps: {
          files: {
            'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: maps
spec:
  type: url
  targets: [./services/geocoder.yaml, ./apis/*.yaml]
`,
            'services/geocoder.yaml': component('geocoder', 'maps-team'),
            'apis/geocoding.yaml': `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: geocoding-api
spec:
  type: openapi
  lifecycle: production
  owner: maps-team
  definition:
    $text: https://github.com/acme/payments/blob/main/api/openapi.yaml
`,
          },
        },
        'no-catalog': { files: { 'README.md': '# nothing' } },
        archived: { archived: true, files: { 'catalog-info.yaml': component('old-thing') } },
      },
    });
    database = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await database.close();
    await github.close();
  });
  beforeEach(() => github.clearFailures());

  const configFor = () =>
    loadConfig({
      files: [],
      env: { GITHUB_API_URL: github.baseUrl, GITHUB_TOKEN: 'ghp_test' },
    });

  it('discovers every repository descriptor in an organisation and follows url Locations', async () => {
    const config = { ...configFor(), catalog: { locations: [], providers: { github: { acme: { organization: 'acme' } } } } };
    catalog = createCatalogService({ database, config, github: githubClientsFromConfig(config, { retryBaseMs: 5 }), logger: captureLogger().logger });
    const report = await catalog.refresh(configuredRoots(config));
    expect(catalog.whoOwns('payments-api').owner?.ref).toBe('group:default/team-a');
    expect(catalog.whoOwns('geocoder').owner?.ref).toBe('group:default/maps-team');
    expect(catalog.view.get('component:default/old-thing')).toBeUndefined();
    // A $text URL on the configured host is read through the same API.
    expect(catalog.view.get('api:default/geocoding-api')?.spec?.definition).toBe('openapi: 3.0.0');
    expect(report.problems).toEqual([]);
    expect(github.requests.some((request) => request.startsWith('GET /repos/acme/no-catalog/contents/catalog-info.yaml'))).toBe(true);
  });

  it('keeps the last good entities when GitHub fails transiently, and removes them when a file is really gone', async () => {
    const config = { ...configFor(), catalog: { locations: [], providers: { github: { acme: { organization: 'acme' } } } } };
    catalog = createCatalogService({ database, config, github: githubClientsFromConfig(config, { retryBaseMs: 5 }), logger: captureLogger().logger });
    await catalog.refresh(configuredRoots(config));

    github.fail({ match: /^\/repos\/acme\/maps\//, status: 502 });
    // The primary limit resets in an hour: far beyond what a refresh waits for.
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    github.fail({ match: /^\/repos\/acme\/payments\//, status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } });
    const degraded = await catalog.refresh(configuredRoots(config));
    expect(degraded.kept).toBeGreaterThanOrEqual(3);
    expect(degraded.removed).toBe(0);
    expect(catalog.view.get('component:default/geocoder')).toBeDefined();
    expect(catalog.view.get('component:default/payments-api')).toBeDefined();
    expect(degraded.problems.map((problem) => problem.message).join('\n')).toMatch(/rate limited[\s\S]*kept the entities|kept the entities[\s\S]*rate limited/);

    github.clearFailures();
    delete github.orgs.acme!.payments!.files['catalog-info.yaml'];
    const healed = await catalog.refresh(configuredRoots(config));
    expect(healed.removed).toBe(1);
    expect(catalog.view.get('component:default/payments-api')).toBeUndefined();
    expect(catalog.view.get('component:default/geocoder')).toBeDefined();
  });

  it('retries server errors and waits out a short secondary rate limit within the refresh', async () => {
    const config = { ...configFor(), catalog: { locations: [], providers: { github: { acme: { organization: 'acme' } } } } };
    catalog = createCatalogService({ database, config, github: githubClientsFromConfig(config, { retryBaseMs: 5 }), logger: captureLogger().logger });
    github.orgs.acme!.payments!.files['catalog-info.yaml'] = component('payments-api');
    github.fail({ match: /^\/repos\/acme\/maps\/contents\/catalog-info.yaml/, status: 502, times: 1 });
    github.fail({
      match: /^\/repos\/acme\/payments\/contents/,
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '1' },
      times: 1,
    });
    const started = Date.now();
    const report = await catalog.refresh(configuredRoots(config));
    expect(report.problems).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(catalog.view.get('component:default/payments-api')).toBeDefined();
    expect(catalog.view.get('component:default/geocoder')).toBeDefined();
    const attempts = github.requests.filter((request) => request.startsWith('GET /repos/acme/payments/contents/catalog-info.yaml'));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses URL targets on hosts without a GitHub integration, never calling them', async () => {
    const config = configFor();
    catalog = createCatalogService({ database, config, github: githubClientsFromConfig(config, { retryBaseMs: 5 }), logger: captureLogger().logger });
    const report = await catalog.refresh([{ key: 'url:evil', type: 'url', target: 'https://169.254.169.254/latest/meta-data/blob/main/x.yaml' }]);
    expect(report.problems[0]?.message).toContain('no GitHub integration is configured for 169.254.169.254');
  });
});
