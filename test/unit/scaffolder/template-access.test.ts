import { describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { allowedGroups, approversOf, assertMayRun, mayRun, RunRefusedError } from '../../../src/scaffolder/template-access.js';
import { declaredMembersOf } from '../../../src/catalog/answers/declared-members.js';
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

describe("a template's approvers", () => {
  it("come from the platform team's config before the template's own annotation, a rule's group in the default namespace", () => {
    const annotated = templateDefinition(
      { apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'service', namespace: 'payments', annotations: { 'callboard.dev/approvers': 'my-team' } }, spec: { type: 'service', steps: [] } },
      'catalog:template:payments/service',
    );
    expect(approversOf(annotated, [])).toBe('group:payments/my-team');
    expect(approversOf(annotated, [{ templates: ['*'], approvers: 'platform' }])).toBe('group:default/platform');
    expect(approversOf(annotated, [{ templates: ['other'], approvers: 'platform' }])).toBe('group:payments/my-team');
    expect(approversOf(template(), [{ templates: ['template:default/service'], approvers: 'group:default/platform' }])).toBe('group:default/platform');
    expect(approversOf(template(), [])).toBeUndefined();
  });

  it("are the users a group's own entity lists, and those of the groups it lists as children", () => {
    const view = catalog();
    view.upsert('group:default/platform', { ...group('platform'), spec: { type: 'team', members: ['linus'], children: ['payments'] } });
    view.upsert('group:default/payments', { ...group('payments', 'platform'), spec: { type: 'team', members: ['user:default/ada'], children: [] } });
    // Grace says she is in the platform team; the team does not.
    view.upsert('user:default/grace', user('grace', ['platform']));
    expect([...declaredMembersOf(view, 'group:default/platform')].sort()).toEqual(['user:default/ada', 'user:default/linus']);
    expect(declaredMembersOf(view, 'group:default/nobody').size).toBe(0);
  });
});
