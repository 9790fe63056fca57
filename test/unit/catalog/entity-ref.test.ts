import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/catalog/model/entity.js';
import {
  entityRefOf,
  normalizeEntityRef,
  parseEntityRef,
  specRef,
  stringifyEntityRef,
} from '../../../src/catalog/model/entity-ref.js';

describe('parseEntityRef', () => {
  it('reads a full kind:namespace/name ref', () => {
    expect(parseEntityRef('group:default/team-a')).toEqual({ kind: 'group', namespace: 'default', name: 'team-a' });
  });

  it('keeps the case it was given (only stringify lower-cases)', () => {
    expect(parseEntityRef('Group:Ops/Team-A')).toEqual({ kind: 'Group', namespace: 'Ops', name: 'Team-A' });
  });

  it.each([
    { ref: 'team-a', expected: { kind: 'Group', namespace: 'ops', name: 'team-a' } },
    { ref: 'default/team-a', expected: { kind: 'Group', namespace: 'default', name: 'team-a' } },
    { ref: 'user:jdoe', expected: { kind: 'user', namespace: 'ops', name: 'jdoe' } },
    { ref: 'user:infra/jdoe', expected: { kind: 'user', namespace: 'infra', name: 'jdoe' } },
  ])('completes the short ref $ref from the field defaults', ({ ref, expected }) => {
    expect(parseEntityRef(ref, { defaultKind: 'Group', defaultNamespace: 'ops' })).toEqual(expected);
  });

  it('defaults the namespace to the referring entity namespace, not to "default"', () => {
    expect(parseEntityRef('team-a', { defaultKind: 'Group', defaultNamespace: 'payments' }).namespace).toBe('payments');
  });

  it('falls back to the "default" namespace when the referrer has none', () => {
    expect(parseEntityRef('team-a', { defaultKind: 'Group' }).namespace).toBe('default');
  });

  it('treats a colon after the first slash as part of the name', () => {
    expect(parseEntityRef('ns/name:with-colon', { defaultKind: 'Component' })).toEqual({
      kind: 'Component',
      namespace: 'ns',
      name: 'name:with-colon',
    });
  });

  it('still reads the kind when the colon comes before the slash', () => {
    expect(parseEntityRef('component:ns/name:with-colon')).toEqual({
      kind: 'component',
      namespace: 'ns',
      name: 'name:with-colon',
    });
  });

  it('keeps everything after the first slash as the name', () => {
    expect(parseEntityRef('component:ns/a/b')).toEqual({ kind: 'component', namespace: 'ns', name: 'a/b' });
  });

  it.each([
    { ref: '', part: 'non-empty' },
    { ref: ':team-a', part: 'empty kind' },
    { ref: 'group:/team-a', part: 'empty namespace' },
    { ref: '/team-a', part: 'empty namespace' },
    { ref: 'group:default/', part: 'empty name' },
    { ref: 'group:', part: 'empty name' },
  ])('throws a TypeError naming the $part part of "$ref"', ({ ref, part }) => {
    expect(() => parseEntityRef(ref, { defaultKind: 'Group' })).toThrow(TypeError);
    expect(() => parseEntityRef(ref, { defaultKind: 'Group' })).toThrow(part);
  });

  it('refuses a ref without a kind when the field has no default kind', () => {
    expect(() => parseEntityRef('artists-db')).toThrow(TypeError);
    expect(() => parseEntityRef('artists-db')).toThrow(/kind/);
    expect(() => parseEntityRef('default/artists-db', { defaultNamespace: 'ops' })).toThrow(/no kind/);
  });
});

describe('stringifyEntityRef', () => {
  it('writes the canonical kind:namespace/name form', () => {
    expect(stringifyEntityRef({ kind: 'group', namespace: 'default', name: 'team-a' })).toBe('group:default/team-a');
  });

  it('lower-cases every part', () => {
    expect(stringifyEntityRef({ kind: 'Component', namespace: 'Ops', name: 'Payments-API' })).toBe('component:ops/payments-api');
  });
});

describe('normalizeEntityRef', () => {
  it.each([
    { ref: 'Team-A', defaults: { defaultKind: 'Group', defaultNamespace: 'ops' }, expected: 'group:ops/team-a' },
    { ref: 'Group:Default/Team-A', defaults: {}, expected: 'group:default/team-a' },
    { ref: 'user:jdoe', defaults: { defaultKind: 'Group' }, expected: 'user:default/jdoe' },
    { ref: 'resource:artists-db', defaults: { defaultNamespace: 'music' }, expected: 'resource:music/artists-db' },
    { ref: 'ns/x:y', defaults: { defaultKind: 'API' }, expected: 'api:ns/x:y' },
  ])('normalizes $ref to $expected', ({ ref, defaults, expected }) => {
    expect(normalizeEntityRef(ref, defaults)).toBe(expected);
  });

  it('propagates the TypeError of a malformed ref', () => {
    expect(() => normalizeEntityRef('artists-db')).toThrow(TypeError);
  });
});

describe('entityRefOf and specRef', () => {
  const entity = (spec: Record<string, unknown>, namespace?: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'Payments-API', ...(namespace ? { namespace } : {}) },
    spec,
  });

  it('gives an entity without a namespace the default namespace', () => {
    expect(entityRefOf(entity({}))).toBe('component:default/payments-api');
    expect(entityRefOf(entity({}, 'ops'))).toBe('component:ops/payments-api');
  });

  it('completes a spec field with its default kind and the entity namespace', () => {
    expect(specRef(entity({ owner: 'Team-A' }, 'ops'), 'owner', 'Group')).toBe('group:ops/team-a');
  });

  it.each([
    { spec: {}, why: 'absent' },
    { spec: { owner: '' }, why: 'empty' },
    { spec: { owner: 42 }, why: 'not a string' },
    { spec: { owner: ':bad' }, why: 'malformed' },
  ])('is undefined when the field is $why', ({ spec }) => {
    expect(specRef(entity(spec), 'owner', 'Group')).toBeUndefined();
  });
});
