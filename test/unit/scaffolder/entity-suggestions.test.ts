import { describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { entitySuggestions } from '../../../src/scaffolder/entity-suggestions.js';
import type { FormField } from '../../../src/scaffolder/form-fields.js';

const entity = (kind: string, name: string, spec: Record<string, unknown> = {}, title?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default', ...(title ? { title } : {}) },
  spec,
});

function catalog(): CatalogView {
  const view = new CatalogView({});
  view.upsert('group:default/payments-team', entity('Group', 'payments-team', { type: 'team', children: [] }, 'Payments'));
  view.upsert('group:default/payments-guild', entity('Group', 'payments-guild', { type: 'guild', children: [] }));
  view.upsert('user:default/ada', entity('User', 'ada', { memberOf: ['payments-team'] }, 'Ada Lovelace'));
  view.upsert('component:default/payments-api', entity('Component', 'payments-api', { type: 'service', lifecycle: 'production', owner: 'payments-team' }));
  view.upsert('system:default/payments', entity('System', 'payments', { owner: 'payments-team' }));
  return view;
}

const picker = (extra: Partial<FormField>): FormField => ({ name: 'owner', title: 'Owner', required: true, kind: 'entity', ...extra });

describe('catalog picker suggestions', () => {
  it("offers only the picker's kinds, matching what was typed, labelled with titles", () => {
    const suggestions = entitySuggestions(catalog(), picker({ kinds: ['Group', 'User'] }), 'payments');
    expect(suggestions.map((suggestion) => suggestion.ref).sort()).toEqual(['group:default/payments-guild', 'group:default/payments-team']);
    expect(suggestions.find((suggestion) => suggestion.ref === 'group:default/payments-team')?.label).toBe('Payments (group:default/payments-team)');
    expect(entitySuggestions(catalog(), picker({ kinds: ['Group', 'User'] }), 'ada').map((suggestion) => suggestion.ref)).toEqual(['user:default/ada']);
  });

  it('applies each catalogFilter object (any of them), and lists the first entities when nothing is typed', () => {
    const teamsOnly = picker({ catalogFilter: [{ kind: 'Group', 'spec.type': 'team' }] });
    expect(entitySuggestions(catalog(), teamsOnly, '').map((suggestion) => suggestion.ref)).toEqual(['group:default/payments-team']);
    const either = picker({ catalogFilter: [{ kind: ['System'] }, { kind: 'Component', 'spec.lifecycle': 'production' }] });
    expect(entitySuggestions(catalog(), either, 'payments').map((suggestion) => suggestion.ref).sort()).toEqual(['component:default/payments-api', 'system:default/payments']);
    expect(entitySuggestions(catalog(), picker({}), '', 2)).toHaveLength(2);
  });
});
