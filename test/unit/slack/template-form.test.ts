import { describe, expect, it } from 'vitest';
import type { InputBlock } from '@slack/types';
import { formFields } from '../../../src/scaffolder/form-fields.js';
import { templateDefinition } from '../../../src/scaffolder/template-definition.js';
import { fieldBlock, pageValues, templatePageModal } from '../../../src/slack/blocks/template-form.js';

const template = templateDefinition(
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'service', namespace: 'default', title: 'A TypeScript HTTP service with a long title' },
    spec: {
      type: 'service',
      steps: [],
      parameters: [
        {
          title: 'About it',
          description: 'What it is & who runs it',
          required: ['name', 'owner'],
          'ui:order': ['owner', '*'],
          properties: {
            name: { title: 'Name', type: 'string', 'ui:field': 'EntityNamePicker', 'ui:autofocus': true, 'ui:help': 'Lower case, with dashes' },
            notes: { title: 'Notes', type: 'string', 'ui:widget': 'textarea' },
            token: { title: 'Token', type: 'string', 'ui:widget': 'password' },
            lifecycle: { title: 'Lifecycle', type: 'string', enum: ['experimental', 'production'], enumNames: ['Experimental', 'Production'], default: 'experimental' },
            languages: { title: 'Languages', type: 'array', items: { type: 'string', enum: ['go', 'ts'] }, uniqueItems: true },
            public: { title: 'Public', type: 'boolean' },
            replicas: { title: 'Replicas', type: 'integer', minimum: 1, maximum: 9 },
            size: { title: 'Size', type: 'integer', enum: [1, 2, 4] },
            reviewers: { title: 'Reviewers', type: 'array', items: { type: 'string' }, 'ui:field': 'MultiEntityPicker' },
            owner: { title: 'Owner', type: 'string', 'ui:field': 'OwnerPicker', 'ui:options': { catalogFilter: { kind: ['Group'] } } },
            internal: { type: 'string', 'ui:widget': 'hidden' },
            many: { title: 'Many', type: 'string', enum: Array.from({ length: 150 }, (_, index) => `v${index}`) },
          },
        },
        { title: 'Where it lives', properties: { repoUrl: { title: 'Repository', type: 'string', 'ui:field': 'RepoUrlPicker', 'ui:options': { allowedHosts: ['ghe.acme.test'], allowedOwners: ['acme', 'acme-labs'] } } } },
      ],
    },
  },
  'file:/templates/service/template.yaml',
);

describe("a template page's fields", () => {
  it("maps each property by Backstage's keywords, in ui:order, leaving hidden ones out", () => {
    const fields = formFields(template.pages[0]!);
    expect(fields.map((field) => [field.name, field.kind])).toEqual([
      ['owner', 'entity'],
      ['name', 'text'],
      ['notes', 'textarea'],
      ['token', 'password'],
      ['lifecycle', 'select'],
      ['languages', 'multiselect'],
      ['public', 'checkbox'],
      ['replicas', 'number'],
      ['size', 'select'],
      ['reviewers', 'entity'],
      ['many', 'select'],
    ]);
    expect(fields[0]).toMatchObject({ required: true, kinds: ['Group'], catalogFilter: [{ kind: ['Group'] }] });
    expect(fields[1]).toMatchObject({ required: true, help: 'Lower case, with dashes', autofocus: true });
    expect(fields[4]).toMatchObject({ options: [{ value: 'experimental', label: 'Experimental' }, { value: 'production', label: 'Production' }], default: 'experimental' });
    expect(formFields(template.pages[1]!)[0]).toMatchObject({ kind: 'repository', allowedHosts: ['ghe.acme.test'], allowedOwners: ['acme', 'acme-labs'] });
  });
});

describe('a template page as a modal', () => {
  it('keeps within the modal limits and shows defaults, never a password', () => {
    const modal = templatePageModal(template, 0, { token: 'hunter22', name: 'ledger' }, '{"run":"x"}', { last: false, back: false });
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.submit?.text).toBe('Next');
    expect(modal.private_metadata).toBe('{"run":"x"}');
    const inputs = modal.blocks.filter((block): block is InputBlock => block.type === 'input');
    const byBlock = Object.fromEntries(inputs.map((block) => [block.block_id, block]));
    expect(byBlock[fieldBlock('name')]).toMatchObject({ optional: false, element: { type: 'plain_text_input', initial_value: 'ledger', focus_on_load: true } });
    expect(byBlock[fieldBlock('token')]!.element).not.toHaveProperty('initial_value');
    expect(JSON.stringify(modal)).not.toContain('hunter22');
    expect(byBlock[fieldBlock('lifecycle')]!.element).toMatchObject({ type: 'static_select', initial_option: { value: 'experimental' } });
    expect(byBlock[fieldBlock('many')]!.element).toMatchObject({ type: 'static_select' });
    expect((byBlock[fieldBlock('many')]!.element as { options: unknown[] }).options).toHaveLength(100);
    expect(byBlock[fieldBlock('owner')]!.element).toMatchObject({ type: 'external_select', min_query_length: 0 });
    expect(byBlock[fieldBlock('replicas')]!.element).toMatchObject({ type: 'number_input', is_decimal_allowed: false, min_value: '1', max_value: '9' });
    expect(byBlock[fieldBlock('internal')]).toBeUndefined();
    expect(byBlock[fieldBlock('reviewers')]!.element).toMatchObject({ type: 'multi_external_select' });
    // A secret entered before is not shown; the hint says leaving it empty keeps it.
    expect(byBlock[fieldBlock('token')]!.hint?.text).toContain('leave it empty to keep it');
    expect(templatePageModal(template, 1, {}, '', { last: true, back: true }).submit?.text).toBe('Create');
  });

  it("reads a submitted page's values back, as the template's steps expect them", () => {
    const state = {
      [fieldBlock('owner')]: { value: { type: 'external_select', selected_option: { value: 'group:default/payments' } } },
      [fieldBlock('name')]: { value: { type: 'plain_text_input', value: 'ledger' } },
      [fieldBlock('notes')]: { value: { type: 'plain_text_input', value: null } },
      [fieldBlock('lifecycle')]: { value: { type: 'static_select', selected_option: { value: 'production' } } },
      [fieldBlock('languages')]: { value: { type: 'multi_static_select', selected_options: [{ value: 'go' }] } },
      [fieldBlock('public')]: { value: { type: 'checkboxes', selected_options: [] } },
      [fieldBlock('replicas')]: { value: { type: 'number_input', value: '3' } },
      [fieldBlock('size')]: { value: { type: 'static_select', selected_option: { value: '2' } } },
      [fieldBlock('reviewers')]: { value: { type: 'multi_external_select', selected_options: [{ value: 'user:default/ann' }, { value: 'user:default/bo' }] } },
    };
    // An enum of numbers gives back a number, as the schema checks it.
    expect(pageValues(template, 0, state)).toEqual({ owner: 'group:default/payments', name: 'ledger', lifecycle: 'production', languages: ['go'], public: false, replicas: 3, size: 2, reviewers: ['user:default/ann', 'user:default/bo'] });
    const repository = { [fieldBlock('repoUrl', 'owner')]: { value: { type: 'static_select', selected_option: { value: 'acme-labs' } } }, [fieldBlock('repoUrl', 'repo')]: { value: { type: 'plain_text_input', value: ' ledger ' } } };
    expect(pageValues(template, 1, repository)).toEqual({ repoUrl: 'ghe.acme.test?owner=acme-labs&repo=ledger' });
    // Back to the page: what was entered shows again.
    const again = templatePageModal(template, 1, { repoUrl: 'ghe.acme.test?owner=acme-labs&repo=ledger' }, '', { last: true, back: true });
    const inputs = again.blocks.filter((block): block is InputBlock => block.type === 'input');
    expect(inputs.map((block) => block.element)).toMatchObject([{ initial_option: { value: 'acme-labs' } }, { initial_value: 'ledger' }]);
  });
});
