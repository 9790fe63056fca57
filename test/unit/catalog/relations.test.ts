import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { emitRelations, RELATION_PAIRS, reverseRelation, type StoredRelation } from '../../../src/catalog/model/relations.js';

function entity(kind: string, spec: Record<string, unknown>, metadata: Partial<Entity['metadata']> = {}): Entity {
  return {
    apiVersion: kind === 'Template' ? 'scaffolder.backstage.io/v1beta3' : 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'subject', ...metadata },
    spec,
  };
}

/** `source type target` lines, sorted, so a whole emission reads as one table. */
function lines(relations: StoredRelation[]): string[] {
  return relations.map((relation) => `${relation.sourceRef} ${relation.type} ${relation.targetRef}`).sort();
}

describe('reverseRelation', () => {
  it.each(Object.entries(RELATION_PAIRS))('pairs %s with %s in both directions', (forward, reverse) => {
    expect(reverseRelation(forward)).toBe(reverse);
    expect(reverseRelation(reverse)).toBe(forward);
  });

  it('throws for an unknown relation type', () => {
    expect(() => reverseRelation('likes')).toThrow(/Unknown relation type likes/);
  });
});

describe('emitRelations', () => {
  const self = (kind: string) => `${kind.toLowerCase()}:default/subject`;

  it.each([
    // [kind, field, value, forward type, target ref, reverse type]
    ['Component', 'owner', 'team-a', 'ownedBy', 'group:default/team-a', 'ownerOf'],
    ['Component', 'owner', 'user:jdoe', 'ownedBy', 'user:default/jdoe', 'ownerOf'],
    ['Component', 'system', 'audio', 'partOf', 'system:default/audio', 'hasPart'],
    ['Component', 'subcomponentOf', 'player', 'partOf', 'component:default/player', 'hasPart'],
    ['Component', 'providesApis', ['playback-api'], 'providesApi', 'api:default/playback-api', 'apiProvidedBy'],
    ['Component', 'consumesApis', ['search-api'], 'consumesApi', 'api:default/search-api', 'apiConsumedBy'],
    ['Component', 'dependsOn', ['resource:artists-db'], 'dependsOn', 'resource:default/artists-db', 'dependencyOf'],
    ['Component', 'dependencyOf', ['component:www'], 'dependencyOf', 'component:default/www', 'dependsOn'],
    ['API', 'owner', 'team-a', 'ownedBy', 'group:default/team-a', 'ownerOf'],
    ['API', 'system', 'audio', 'partOf', 'system:default/audio', 'hasPart'],
    ['Resource', 'owner', 'team-a', 'ownedBy', 'group:default/team-a', 'ownerOf'],
    ['Resource', 'system', 'audio', 'partOf', 'system:default/audio', 'hasPart'],
    ['Resource', 'dependsOn', ['resource:disk'], 'dependsOn', 'resource:default/disk', 'dependencyOf'],
    ['Resource', 'dependencyOf', ['component:player'], 'dependencyOf', 'component:default/player', 'dependsOn'],
    ['System', 'owner', 'team-a', 'ownedBy', 'group:default/team-a', 'ownerOf'],
    ['System', 'domain', 'music', 'partOf', 'domain:default/music', 'hasPart'],
    ['Domain', 'owner', 'team-a', 'ownedBy', 'group:default/team-a', 'ownerOf'],
    ['Domain', 'subdomainOf', 'media', 'partOf', 'domain:default/media', 'hasPart'],
    ['Group', 'parent', 'engineering', 'childOf', 'group:default/engineering', 'parentOf'],
    ['Group', 'children', ['team-b'], 'parentOf', 'group:default/team-b', 'childOf'],
    ['Group', 'members', ['jdoe'], 'hasMember', 'user:default/jdoe', 'memberOf'],
    ['User', 'memberOf', ['team-a'], 'memberOf', 'group:default/team-a', 'hasMember'],
    ['Template', 'owner', 'team-a', 'ownedBy', 'group:default/team-a', 'ownerOf'],
  ] as const)('%s spec.%s %j emits %s to %s and %s back', (kind, field, value, forward, target, reverse) => {
    const { relations, problems } = emitRelations(entity(kind, { [field]: value }));
    expect(problems).toEqual([]);
    expect(relations).toEqual([
      { sourceRef: self(kind), type: forward, targetRef: target },
      { sourceRef: target, type: reverse, targetRef: self(kind) },
    ]);
  });

  it('emits both directions for every ref of a full Component', () => {
    const { relations, problems } = emitRelations(
      entity('Component', {
        type: 'service',
        lifecycle: 'production',
        owner: 'team-a',
        system: 'audio',
        providesApis: ['playback-api', 'admin-api'],
        dependsOn: ['resource:artists-db'],
      }),
    );
    expect(problems).toEqual([]);
    expect(lines(relations)).toEqual(
      [
        'component:default/subject ownedBy group:default/team-a',
        'group:default/team-a ownerOf component:default/subject',
        'component:default/subject partOf system:default/audio',
        'system:default/audio hasPart component:default/subject',
        'component:default/subject providesApi api:default/playback-api',
        'api:default/playback-api apiProvidedBy component:default/subject',
        'component:default/subject providesApi api:default/admin-api',
        'api:default/admin-api apiProvidedBy component:default/subject',
        'component:default/subject dependsOn resource:default/artists-db',
        'resource:default/artists-db dependencyOf component:default/subject',
      ].sort(),
    );
  });

  it('completes short refs with the entity own namespace, not "default"', () => {
    const { relations } = emitRelations(
      entity('Component', { owner: 'team-a', system: 'default/audio', dependsOn: ['resource:artists-db'] }, { namespace: 'music' }),
    );
    expect(lines(relations)).toEqual(
      [
        'component:music/subject ownedBy group:music/team-a',
        'group:music/team-a ownerOf component:music/subject',
        'component:music/subject partOf system:default/audio',
        'system:default/audio hasPart component:music/subject',
        'component:music/subject dependsOn resource:music/artists-db',
        'resource:music/artists-db dependencyOf component:music/subject',
      ].sort(),
    );
  });

  it('lower-cases source and target refs', () => {
    const { relations } = emitRelations(entity('API', { owner: 'Group:Ops/Team-A' }, { name: 'Search-API' }));
    expect(relations[0]).toEqual({ sourceRef: 'api:default/search-api', type: 'ownedBy', targetRef: 'group:ops/team-a' });
  });

  it('reports a dependsOn ref without a kind as a problem naming spec.dependsOn[0]', () => {
    const { relations, problems } = emitRelations(entity('Component', { dependsOn: ['artists-db'] }));
    expect(relations).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('spec.dependsOn[0]');
    expect(problems[0]).toContain('artists-db');
    expect(problems[0]).toContain('kind');
  });

  it('keeps the good refs of a list when one of them is bad, naming the bad index', () => {
    const { relations, problems } = emitRelations(entity('Resource', { dependencyOf: ['component:ok', 'no-kind'] }));
    expect(lines(relations)).toEqual(['component:default/ok dependsOn resource:default/subject', 'resource:default/subject dependencyOf component:default/ok']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('spec.dependencyOf[1]');
  });

  it('names a single-ref field without an index', () => {
    const { problems } = emitRelations(entity('Component', { owner: 'group:' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^spec\.owner: /);
  });

  it('reports a non-string ref', () => {
    const { problems } = emitRelations(entity('User', { memberOf: [42] }));
    expect(problems).toEqual(['spec.memberOf[0]: expected an entity reference string']);
  });

  it.each([
    ['Location', { type: 'url', target: 'https://github.com/o/r/blob/main/catalog-info.yaml', owner: 'team-a' }],
    ['Component', {}],
    ['Component', { owner: null }],
    ['AiResource', { owner: 'team-a' }],
  ] as const)('emits nothing for %s with spec %j', (kind, spec) => {
    expect(emitRelations(entity(kind, { ...spec }))).toEqual({ relations: [], problems: [] });
  });

  it('reads only own spec fields, never the prototype chain', () => {
    const spec = Object.create({ owner: 'inherited-team' }) as Record<string, unknown>;
    expect(emitRelations(entity('Component', spec)).relations).toEqual([]);
  });
});
