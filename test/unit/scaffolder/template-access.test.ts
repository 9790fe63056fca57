import { describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { allowedGroups, assertMayRun, mayRun, RunRefusedError } from '../../../src/scaffolder/template-access.js';
import { templateDefinition } from '../../../src/scaffolder/template-definition.js';

const group = (name: string, parent?: string): Entity => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name, namespace: 'default' }, spec: { type: 'team', children: [], ...(parent ? { parent } : {}) } });
const user = (name: string, memberOf: string[]): Entity => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name, namespace: 'default' }, spec: { memberOf } });
const template = (annotations: Record<string, string> = {}) =>
  templateDefinition(
    { apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'service', namespace: 'default', title: 'Service', annotations }, spec: { type: 'service', steps: [] } },
    'catalog:template:default/service',
  );

function catalog(): CatalogView {
  const view = new CatalogView({});
  view.upsert('group:default/platform', group('platform'));
  view.upsert('group:default/payments', group('payments', 'platform'));
  view.upsert('group:default/marketing', group('marketing'));
  view.upsert('user:default/ada', user('ada', ['payments']));
  view.upsert('user:default/grace', user('grace', ['marketing']));
  return view;
}

describe("a template's allowed groups", () => {
  it('lets everyone run a template that names none', () => {
    expect(allowedGroups(template())).toBeUndefined();
    expect(mayRun(template(), 'user:default/grace', catalog())).toBe(true);
  });

  it('lets members of an allowed group, or of a group under it, run it, and refuses the others naming the groups', () => {
    const restricted = template({ 'callboard.dev/allowed-groups': 'platform, group:default/security' });
    expect(allowedGroups(restricted)).toEqual(['group:default/platform', 'group:default/security']);
    const view = catalog();
    expect(mayRun(restricted, 'user:default/ada', view)).toBe(true);
    expect(mayRun(restricted, 'user:default/grace', view)).toBe(false);
    expect(mayRun(restricted, 'user:default/unknown', view)).toBe(false);
    expect(() => assertMayRun(restricted, 'user:default/grace', view)).toThrow(RunRefusedError);
    expect(() => assertMayRun(restricted, 'user:default/grace', view)).toThrow('Service may be run only by members of group:default/platform, group:default/security; user:default/grace is not one');
  });
});
