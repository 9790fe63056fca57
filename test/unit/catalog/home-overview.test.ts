import { describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import { homeOverview, PeopleIndex } from '../../../src/catalog/answers/home-overview.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { entityRefOf } from '../../../src/catalog/model/entity-ref.js';
import type { CatalogProblem } from '../../../src/catalog/processing/catalog-problem.js';
import { appHomeView } from '../../../src/slack/blocks/app-home.js';

function entity(kind: string, name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default', annotations }, spec };
}

function view(entities: Entity[]): CatalogView {
  const catalog = new CatalogView();
  for (const item of entities) catalog.upsert(entityRefOf(item), item);
  return catalog;
}

const problem = (file: string, ref?: string): CatalogProblem => ({ severity: 'error', file, line: 3, document: 1, ref, message: 'bad' });

describe('homeOverview', () => {
  const catalog = view([
    entity('Group', 'team-a', { type: 'team', children: [], members: ['ann'] }),
    entity('User', 'ann', { memberOf: [], profile: { email: 'Ann@Acme.test', displayName: 'Ann' } }),
    entity('Component', 'svc', { type: 'service', lifecycle: 'production', owner: 'team-a' }, { 'backstage.io/managed-by-location': 'file:/repo/svc/catalog-info.yaml' }),
    entity('Component', 'other', { type: 'service', lifecycle: 'production', owner: 'team-b' }, { 'backstage.io/managed-by-location': 'file:/repo/other/catalog-info.yaml' }),
  ]);
  const people = new PeopleIndex(catalog);

  it("finds the person by email whatever its case, and keeps only the problems in their entities or their entities' files", () => {
    const overview = homeOverview(catalog, people, { email: 'ann@acme.TEST' }, [
      problem('/repo/svc/catalog-info.yaml'),
      problem('/elsewhere.yaml', 'component:default/svc'),
      problem('/repo/other/catalog-info.yaml', 'component:default/other'),
    ]);
    expect(overview.user).toEqual({ ref: 'user:default/ann', displayName: 'Ann' });
    expect(overview.teams).toEqual([{ ref: 'group:default/team-a', displayName: 'team-a', owns: ['component:default/svc'] }]);
    expect(overview.problems.map((found) => found.file)).toEqual(['/repo/svc/catalog-info.yaml', '/elsewhere.yaml']);
    expect(overview.problemCount).toBe(2);
  });

  it('follows the view as users are added, changed and removed', () => {
    expect(people.find({ slackUserId: 'U0NEW' })).toBeUndefined();
    catalog.upsert('user:default/new', entity('User', 'new', { memberOf: [] }, { 'slack.com/user-id': 'U0NEW' }));
    expect(people.find({ slackUserId: 'U0NEW' })).toBe('user:default/new');
    catalog.remove('user:default/new');
    expect(people.find({ slackUserId: 'U0NEW' })).toBeUndefined();
  });

  it('renders a page with no problems, and one for someone unknown', () => {
    const home = appHomeView(homeOverview(catalog, people, { email: 'ann@acme.test' }, []));
    expect(JSON.stringify(home.blocks)).toContain('*Catalog problems:* none');
    expect(JSON.stringify(appHomeView(homeOverview(catalog, people, { email: 'who@acme.test' }, [])).blocks)).toContain('no User entity for you');
  });
});
