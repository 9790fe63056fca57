import { describe, expect, it } from 'vitest';
import { mergePage, nextPage, pageErrors, previousPage, shownPages } from '../../../src/scaffolder/form-session.js';
import { formFields } from '../../../src/scaffolder/form-fields.js';
import { checkedValues } from '../../../src/scaffolder/run-template.js';
import { templateDefinition } from '../../../src/scaffolder/template-definition.js';

const template = templateDefinition(
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'service', namespace: 'default' },
    spec: {
      type: 'service',
      steps: [],
      parameters: [
        {
          title: 'About it',
          required: ['name'],
          properties: {
            name: { type: 'string', 'ui:field': 'EntityNamePicker' },
            advanced: { type: 'boolean', default: false },
            size: { type: 'object', properties: { cpu: { type: 'integer', minimum: 1 } } },
          },
          dependencies: { advanced: { oneOf: [{ properties: { advanced: { const: false } } }, { properties: { advanced: { const: true }, reason: { title: 'Reason', type: 'string' } }, required: ['reason'] }] } },
        },
        { title: 'Advanced', when: '${{ parameters.advanced }}', properties: { replicas: { type: 'integer', default: 2 } } },
        { title: 'Where it lives', required: ['repoUrl'], properties: { repoUrl: { type: 'string' }, token: { type: 'string', 'ui:widget': 'password' } } },
      ],
    },
  },
  'file:/templates/service/template.yaml',
);

describe('walking a form a page at a time', () => {
  it("shows a page only when its `when` passes over the answers and the earlier pages' defaults", () => {
    expect(shownPages(template, {})).toEqual([0, 2]);
    expect(shownPages(template, { advanced: true })).toEqual([0, 1, 2]);
    expect(nextPage(template, -1, {})).toBe(0);
    expect(nextPage(template, 0, { name: 'a' })).toBe(2);
    expect(nextPage(template, 0, { name: 'a', advanced: true })).toBe(1);
    expect(nextPage(template, 2, {})).toBeUndefined();
    expect(previousPage(template, 2, { advanced: false })).toBe(0);
    expect(previousPage(template, 0, {})).toBeUndefined();
  });

  it("puts each problem on its field: nested paths under their field, the page's own rules on its first field", () => {
    expect(pageErrors(template, 0, { name: 'Not a name!', size: { cpu: 0 } })).toEqual({
      name: 'must be 1 to 63 letters, digits, -, _ or ., starting and ending with a letter or digit',
      size: 'cpu must be >= 1',
    });
    expect(pageErrors(template, 0, {})).toEqual({ name: 'is required' });
    // Of a dependency's branches, the one that came closest says what to fix.
    expect(pageErrors(template, 0, { name: 'ok', advanced: true })).toEqual({ reason: 'is required' });
    expect(pageErrors(template, 0, { name: 'ok' })).toEqual({});
  });

  it('asks for the fields a dependency adds, saying when they are needed', () => {
    expect(formFields(template.pages[0]!).map((field) => field.name)).toEqual(['name', 'advanced', 'size', 'reason']);
    expect(formFields(template.pages[0]!)[3]).toMatchObject({ required: false, help: 'Needed when advanced is true.' });
  });

  it("replaces a page's answers, dropping a field left empty this time, but not a secret, which is never shown again", () => {
    expect(mergePage(template, 0, { name: 'a', advanced: true, repoUrl: 'r' }, { name: 'b' })).toEqual({ name: 'b', repoUrl: 'r' });
    expect(mergePage(template, 2, { name: 'a', token: 'hunter22', repoUrl: 'r' }, { repoUrl: 's' })).toEqual({ name: 'a', token: 'hunter22', repoUrl: 's' });
    expect(mergePage(template, 2, { token: 'hunter22' }, { token: 'swordfish' })).toEqual({ token: 'swordfish' });
  });

  it('holds the whole run to the same name rule as the form', () => {
    expect(checkedValues(template, { name: '-bad-', repoUrl: 'r' }).problems).toEqual(['name: must be 1 to 63 letters, digits, -, _ or ., starting and ending with a letter or digit']);
  });
});
