import { describe, expect, it } from 'vitest';
import { SUPPORTED_KINDS, validateEntity, type EntityValidation } from '../../../src/catalog/validation/validate-entity.js';

type Doc = Record<string, unknown>;
interface Changes {
  /** Root keys to set (undefined removes one). */
  root?: Doc;
  metadata?: Doc;
  spec?: Doc;
}

const SPECS: Record<string, Doc> = {
  Component: { type: 'service', lifecycle: 'production', owner: 'team-a', system: 'audio', providesApis: ['playback-api'] },
  API: { type: 'openapi', lifecycle: 'production', owner: 'team-a', definition: 'openapi: 3.0.0' },
  Resource: { type: 'database', owner: 'team-a', dependencyOf: ['component:player'] },
  System: { owner: 'team-a', domain: 'music' },
  Domain: { owner: 'team-a' },
  Group: { type: 'team', profile: { displayName: 'Team A', email: 'team-a@example.com' }, parent: 'eng', children: [], members: ['jdoe'] },
  User: { profile: { displayName: 'Jane Doe' }, memberOf: ['team-a'] },
  Location: { type: 'file', targets: ['./a.yaml', './b.yaml'] },
  Template: { type: 'service', owner: 'team-a', parameters: [], steps: [{ id: 'fetch', name: 'Fetch', action: 'fetch:template', input: { url: './skeleton' } }] },
};

/**
 * A valid entity of the kind, with `changes` merged one level into root, metadata and spec.
 * A change to undefined removes the key (the JSON round trip drops it).
 */
function build(kind: string, changes: Changes = {}): Doc {
  const base: Doc = {
    apiVersion: kind === 'Template' ? 'scaffolder.backstage.io/v1beta3' : 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name: 'subject',
      namespace: 'default',
      title: 'The subject',
      description: 'A valid entity',
      labels: { 'example.com/tier': 'gold', env: '' },
      annotations: { 'backstage.io/view-url': 'https://github.com/o/r', 'github.com/project-slug': 'o/r' },
      tags: ['java', 'c++', 'lang:go'],
      links: [{ url: 'https://example.com/dashboard', title: 'Dashboard' }],
      ...changes.metadata,
    },
    spec: { ...SPECS[kind], ...changes.spec },
    ...changes.root,
  };
  return JSON.parse(JSON.stringify(base)) as Doc;
}
const component = (changes: Changes = {}) => build('Component', changes);

function errorsOf(result: EntityValidation): string[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

function accepted(result: EntityValidation): Extract<EntityValidation, { ok: true }> {
  if (!result.ok) throw new Error(`expected the entity to be valid, got: ${result.errors.join('; ')}`);
  return result;
}

describe('validateEntity: valid entities', () => {
  it('knows exactly the nine built-in kinds', () => {
    expect([...SUPPORTED_KINDS].sort()).toEqual(['API', 'Component', 'Domain', 'Group', 'Location', 'Resource', 'System', 'Template', 'User']);
  });

  it.each(Object.keys(SPECS))('accepts a valid %s', (kind) => {
    const result = accepted(validateEntity(build(kind)));
    expect(result.refusals).toEqual([]);
    expect(result.entity.kind).toBe(kind);
  });

  it.each([
    ['backstage.io/v1beta1 for a Component', component({ root: { apiVersion: 'backstage.io/v1beta1' } })],
    ['a Location without spec', build('Location', { root: { spec: undefined } })],
    ['unknown spec keys', component({ spec: { apiConsumedBy: ['x'] } })],
    ['an mcp-server API with remotes and no definition', build('API', { spec: { type: 'mcp-server', definition: undefined, remotes: [{ type: 'streamable-http', url: 'https://mcp.example.com' }] } })],
    ['a name with dots and underscores', component({ metadata: { name: 'a.b_c-d' } })],
    ['a 63-character name', component({ metadata: { name: 'a'.repeat(63) } })],
    ['no namespace', component({ metadata: { namespace: undefined } })],
    ['Group with empty children', build('Group', { spec: { children: [] } })],
    ['User with empty memberOf', build('User', { spec: { memberOf: [] } })],
    ['Template with object parameters', build('Template', { spec: { parameters: { properties: {} } } })],
  ])('accepts %s', (_label, value) => {
    expect(accepted(validateEntity(value)).refusals).toEqual([]);
  });
});

describe('validateEntity: failures', () => {
  it.each([
    ['a non-object document', 'just a string', 'mapping'],
    ['an array document', [component()], 'mapping'],
    ['an unknown root key', component({ root: { colour: 'blue' } }), 'colour is not an allowed field'],
    ['a missing apiVersion', component({ root: { apiVersion: undefined } }), 'apiVersion is required'],
    ['a missing metadata', component({ root: { metadata: undefined } }), 'metadata is required'],
    ['a missing metadata.name', component({ metadata: { name: undefined } }), 'metadata.name is required'],
    ['a numeric metadata.name', component({ metadata: { name: 42 } }), 'metadata.name must be string'],
    ['name ../x', component({ metadata: { name: '../x' } }), 'metadata.name "../x" is invalid'],
    ['a name ending in a dash', component({ metadata: { name: 'abc-' } }), 'metadata.name "abc-" is invalid'],
    ['a 64-character name', component({ metadata: { name: 'a'.repeat(64) } }), 'metadata.name'],
    ['an empty name', component({ metadata: { name: '' } }), 'metadata.name'],
    ['namespace Prod', component({ metadata: { namespace: 'Prod' } }), 'metadata.namespace "Prod" is invalid'],
    ['namespace with underscore', component({ metadata: { namespace: 'my_ns' } }), 'metadata.namespace'],
    ['tag "Go Lang"', component({ metadata: { tags: ['java', 'Go Lang'] } }), 'metadata.tags[1] "Go Lang" is invalid'],
    ['an upper-case tag', component({ metadata: { tags: ['Java'] } }), 'metadata.tags[0]'],
    ['label key with a space', component({ metadata: { labels: { 'bad key': 'x' } } }), 'metadata.labels key "bad key" is invalid'],
    ['label key with an upper-case prefix', component({ metadata: { labels: { 'Example.com/tier': 'x' } } }), 'metadata.labels key "Example.com/tier"'],
    ['label key with an empty name', component({ metadata: { labels: { 'example.com/': 'x' } } }), 'metadata.labels key'],
    ['label value with a slash', component({ metadata: { labels: { tier: 'a/b' } } }), 'metadata.labels.tier value "a/b" is invalid'],
    ['annotation key with a space', component({ metadata: { annotations: { 'my note': 'x' } } }), 'metadata.annotations key "my note"'],
    ['a numeric annotation value', component({ metadata: { annotations: { note: 1 } } }), 'metadata.annotations.note must be string'],
    ['an empty title', component({ metadata: { title: '' } }), 'metadata.title'],
    ['a link without url', component({ metadata: { links: [{ title: 'x' }] } }), 'metadata.links.0.url is required'],
    ['Component without spec.owner', component({ spec: { owner: undefined } }), 'spec.owner is required'],
    ['Component without spec', component({ root: { spec: undefined } }), 'spec is required'],
    ['Component with a string providesApis', component({ spec: { providesApis: 'playback-api' } }), 'spec.providesApis must be array'],
    ['API without definition', build('API', { spec: { definition: undefined } }), 'spec.definition is required'],
    ['mcp-server API without remotes', build('API', { spec: { type: 'mcp-server', definition: undefined } }), 'spec.remotes is required'],
    ['mcp-server API with no remotes', build('API', { spec: { type: 'mcp-server', remotes: [] } }), 'spec.remotes must NOT have fewer than 1 items'],
    ['Resource without type', build('Resource', { spec: { type: undefined } }), 'spec.type is required'],
    ['Group without children', build('Group', { spec: { children: undefined } }), 'spec.children is required'],
    ['User without memberOf', build('User', { spec: { memberOf: undefined } }), 'spec.memberOf is required'],
    ['Location with presence sometimes', build('Location', { spec: { presence: 'sometimes' } }), 'spec.presence must be one of required, optional'],
    ['Template without steps', build('Template', { spec: { steps: undefined } }), 'spec.steps is required'],
    ['Template step without action', build('Template', { spec: { steps: [{ id: 'x' }] } }), 'spec.steps.0.action is required'],
    ['kind component (lower case)', component({ root: { kind: 'component' } }), 'did you mean Component?'],
    ['kind AiResource', build('Component', { root: { kind: 'AiResource' } }), 'unsupported kind "AiResource"'],
    ['a kind with a dash', component({ root: { kind: 'My-Kind' } }), 'kind must match pattern'],
    ['Template with backstage.io/v1alpha1', build('Template', { root: { apiVersion: 'backstage.io/v1alpha1' } }), 'apiVersion "backstage.io/v1alpha1" is not supported for kind Template; use scaffolder.backstage.io/v1beta3'],
    ['Component with scaffolder.backstage.io/v1beta3', component({ root: { apiVersion: 'scaffolder.backstage.io/v1beta3' } }), 'is not supported for kind Component'],
    ['a malformed apiVersion', component({ root: { apiVersion: 'Backstage.io/v1alpha1' } }), 'apiVersion must match pattern'],
  ])('rejects %s', (_label, value, message) => {
    const errors = errorsOf(validateEntity(value));
    expect(errors.join('\n')).toContain(message);
  });

  it.each(['relations', 'status'])('rejects the output-only root key %s in an input document', (key) => {
    const errors = errorsOf(validateEntity(component({ root: { [key]: key === 'status' ? { items: [] } : [] } })));
    expect(errors.join('\n')).toContain(key);
  });

  it('reports every problem of a document at once', () => {
    const errors = errorsOf(validateEntity(component({ spec: { owner: undefined, lifecycle: undefined, type: undefined } })));
    expect(errors).toEqual(expect.arrayContaining(['spec.owner is required', 'spec.lifecycle is required', 'spec.type is required']));
  });

  it('reports every field-format problem at once', () => {
    const errors = errorsOf(validateEntity(component({ metadata: { name: '../x', namespace: 'Prod', tags: ['Go Lang'] } })));
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain('metadata.name');
    expect(errors[1]).toContain('metadata.namespace');
    expect(errors[2]).toContain('metadata.tags[0]');
  });

  it('lists the supported kinds when the kind is unknown, without a case hint', () => {
    const [message] = errorsOf(validateEntity(build('Component', { root: { kind: 'AiResource' } })));
    expect(message).toContain('Callboard reads Component, API');
    expect(message).not.toContain('did you mean');
  });

  it('truncates a long invalid value in its message', () => {
    const [message] = errorsOf(validateEntity(component({ metadata: { name: `${'a'.repeat(200)}!` } })));
    expect(message).toContain('...');
    expect(message!.length).toBeLessThan(250);
  });
});

describe('validateEntity: refused links stay out, the entity stays in', () => {
  it.each([
    ['javascript:alert(document.cookie)', 'javascript:'],
    ['JavaScript:alert(1)', 'javascript:'],
    ['data:text/html,<script>alert(1)</script>', 'data:'],
    ['file:///etc/passwd', 'file:'],
    ['vbscript:msgbox("x")', 'vbscript:'],
  ])('removes the link %s with a refusal', (url, scheme) => {
    const value = component({
      metadata: { links: [{ url: 'https://example.com/ok', title: 'Good' }, { url, title: 'Bad' }] },
    });
    const result = accepted(validateEntity(value));
    expect(result.entity.metadata.links).toEqual([{ url: 'https://example.com/ok', title: 'Good' }]);
    expect(result.refusals).toHaveLength(1);
    expect(result.refusals[0]).toContain('metadata.links[1].url refused');
    expect(result.refusals[0]).toContain(`the ${scheme} scheme is refused`);
  });

  it('refuses a link that is not an absolute URL', () => {
    const result = accepted(validateEntity(component({ metadata: { links: [{ url: '/relative/path' }] } })));
    expect(result.entity.metadata.links).toEqual([]);
    expect(result.refusals[0]).toContain('is not an absolute URL');
  });

  it.each(['backstage.io/view-url', 'backstage.io/edit-url'])('removes a javascript: %s annotation with a refusal', (key) => {
    const result = accepted(
      validateEntity(component({ metadata: { annotations: { [key]: 'javascript:alert(1)', 'github.com/project-slug': 'o/r' } } })),
    );
    expect(result.entity.metadata.annotations).toEqual({ 'github.com/project-slug': 'o/r' });
    expect(result.refusals).toEqual([expect.stringContaining(`metadata.annotations.${key} refused`)]);
    expect(result.refusals[0]).toContain('javascript:');
  });

  it('reads backstage.io/source-location through its url: prefix', () => {
    const good = accepted(validateEntity(component({ metadata: { annotations: { 'backstage.io/source-location': 'url:https://github.com/o/r/tree/main/' } } })));
    expect(good.refusals).toEqual([]);
    const bad = accepted(validateEntity(component({ metadata: { annotations: { 'backstage.io/source-location': 'url:javascript:alert(1)' } } })));
    expect(bad.refusals[0]).toContain('metadata.annotations.backstage.io/source-location refused');
    expect(bad.entity.metadata.annotations).not.toHaveProperty(['backstage.io/source-location']);
  });
});

describe('validateEntity: adversarial input stays fast', () => {
  const long = `${'a'.repeat(10_000)}!`;
  const longDashes = `${'a-'.repeat(5_000)}!`;

  it.each([
    ['name', (value: string) => component({ metadata: { name: value } }), 'metadata.name'],
    ['tag', (value: string) => component({ metadata: { tags: [value] } }), 'metadata.tags[0]'],
    ['namespace', (value: string) => component({ metadata: { namespace: value } }), 'metadata.namespace'],
    ['label key', (value: string) => component({ metadata: { labels: { [value]: 'x' } } }), 'metadata.labels key'],
    ['prefixed label key', (value: string) => component({ metadata: { labels: { [`${value}/x`]: 'x' } } }), 'metadata.labels key'],
    ['label value', (value: string) => component({ metadata: { labels: { tier: value } } }), 'metadata.labels.tier value'],
  ])('rejects a 10 kB %s in well under 50 ms', (_label, make, field) => {
    for (const value of [long, longDashes]) {
      const document = make(value);
      const started = performance.now();
      const result = validateEntity(document);
      const elapsed = performance.now() - started;
      expect(errorsOf(result).join('\n')).toContain(field);
      expect(elapsed).toBeLessThan(50);
    }
  });
});
