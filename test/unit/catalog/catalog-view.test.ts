import { describe, expect, it } from 'vitest';
import { CatalogView, type PatchedEntity } from '../../../src/catalog/answers/catalog-view.js';
import { LinkOwners } from '../../../src/catalog/answers/link-owners.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { statedRelations } from '../../../src/catalog/model/relations.js';

function component(index: number, owner = 'team-a'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `service-${index}`,
      namespace: 'default',
      title: `Service ${index}`,
      description: index % 2 === 0 ? 'Handles geocoding' : 'Handles billing',
      links: [{ url: `https://runbooks.acme.test/service-${index}`, title: 'Runbook' }],
    },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

function patched(entity: Entity): PatchedEntity {
  return {
    ref: `component:default/${entity.metadata.name}`,
    name: entity.metadata.name,
    title: entity.metadata.title ?? null,
    json: JSON.stringify(entity),
    relations: statedRelations(entity),
  };
}

const many = (count: number, owner?: string) => Array.from({ length: count }, (_, index) => patched(component(index, owner)));

describe('CatalogView.patch in bulk (a first load or a mass change)', () => {
  it('answers names, titles, relations, search and link lookups for every entity it added', async () => {
    const view = new CatalogView();
    const links = new LinkOwners(view, { gitHubHosts: [] });
    // Indexed before the patch: the bulk patch must not leave these indexes without its entities.
    expect(view.index.search('geocoding').total).toBe(0);
    expect(links.lookup(['https://runbooks.acme.test/service-6000'])[0]!.match).toBeNull();

    await view.patch([], many(6_001));

    expect(view.size).toBe(6_001);
    expect(view.refsNamed('SERVICE-6000')).toEqual(['component:default/service-6000']);
    expect(view.refsTitled('service 17')).toEqual(['component:default/service-17']);
    expect(view.related('component:default/service-3', 'ownedBy')).toEqual(['group:default/team-a']);
    expect(view.related('group:default/team-a', 'ownerOf')).toHaveLength(6_001);
    expect(view.get('component:default/service-42')?.metadata.description).toBe('Handles geocoding');
    expect(view.index.search('geocoding').total).toBe(3_001);
    expect(links.lookup(['https://runbooks.acme.test/service-6000'])[0]!.match?.entity.ref).toBe('component:default/service-6000');
  });

  it('replaces entities and their reverse relations when the same refs come again', async () => {
    const view = new CatalogView();
    await view.patch([], many(6_000));
    await view.patch([], many(6_000, 'team-b'));
    expect(view.related('group:default/team-a', 'ownerOf')).toEqual([]);
    expect(view.related('group:default/team-b', 'ownerOf')).toHaveLength(6_000);
    expect(view.related('component:default/service-9', 'ownedBy')).toEqual(['group:default/team-b']);
  });

  it('leaves no stale search index behind when a search runs between two of its slices', async () => {
    const view = new CatalogView();
    const patching = view.patch([], many(8_000));
    // The patch yields between slices; a search meanwhile sees only what was patched so far.
    await new Promise((resolve) => setImmediate(resolve));
    expect(view.index.search('billing').total).toBeLessThan(4_000);
    await patching;
    expect(view.index.search('billing').total).toBe(4_000);
  });

  it('undoes a bulk patch, removing what it added and restoring what it replaced', async () => {
    const view = new CatalogView();
    await view.patch([], many(10));
    const undo = await view.patch([], many(6_000, 'team-b'));
    undo();
    expect(view.size).toBe(10);
    expect(view.related('component:default/service-3', 'ownedBy')).toEqual(['group:default/team-a']);
    expect(view.index.search('billing').total).toBe(5);
  });
});

describe('CatalogView.load from the store', () => {
  const stored = (entity: Entity) => ({ ref: patched(entity).ref, name: entity.metadata.name, title: entity.metadata.title ?? null, json: JSON.stringify(entity) });
  const team = (name: string): Entity => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name, namespace: 'default' }, spec: { type: 'team', children: [] } });

  function loaded(): CatalogView {
    const view = new CatalogView();
    view.load([stored(component(1)), stored(component(2)), { ...stored(team('team-a')), ref: 'group:default/team-a' }], {
      outgoing: [
        { ref: 'component:default/service-1', pairs: 'ownedBy\tgroup:default/team-a\tdependsOn\tcomponent:default/service-2' },
        { ref: 'component:default/service-2', pairs: 'ownedBy\tgroup:default/team-a' },
      ],
      incoming: [
        { ref: 'group:default/team-a', pairs: 'ownedBy\tcomponent:default/service-1\townedBy\tcomponent:default/service-2' },
        { ref: 'component:default/service-2', pairs: 'dependsOn\tcomponent:default/service-1' },
      ],
    });
    return view;
  }

  it('reads each direction of the grouped relation text, reversing what others state', () => {
    const view = loaded();
    expect(view.related('group:default/team-a', 'ownerOf')).toEqual(['component:default/service-1', 'component:default/service-2']);
    expect(view.relations('component:default/service-2')).toEqual([
      { type: 'dependencyOf', targetRef: 'component:default/service-1' },
      { type: 'ownedBy', targetRef: 'group:default/team-a' },
    ]);
  });

  it('keeps loaded relations current when an entity is removed or changes owner', () => {
    const view = loaded();
    view.remove('component:default/service-1');
    expect(view.related('group:default/team-a', 'ownerOf')).toEqual(['component:default/service-2']);
    expect(view.related('component:default/service-2', 'dependencyOf')).toEqual([]);
    view.upsert('component:default/service-2', component(2, 'team-b'));
    expect(view.related('group:default/team-a', 'ownerOf')).toEqual([]);
    expect(view.related('group:default/team-b', 'ownerOf')).toEqual(['component:default/service-2']);
  });

  it('answers the same once compacted, and goes on taking changes', () => {
    const view = new CatalogView({});
    view.load(
      [...Array.from({ length: 40 }, (_, index) => stored(component(index))), { ...stored(team('team-a')), ref: 'group:default/team-a' }],
      { outgoing: [{ ref: 'component:default/service-1', pairs: 'ownedBy\tgroup:default/team-a' }], incoming: [{ ref: 'group:default/team-a', pairs: 'ownedBy\tcomponent:default/service-1' }] },
    );
    const before = { entity: view.get('component:default/service-7'), relations: view.relations('group:default/team-a'), found: view.index.search('geocoding').total };
    expect(view.compact()).toBe(false);
    expect(view.compact()).toBe(false);
    expect(view.get('component:default/service-7')).toEqual(before.entity);
    expect(view.relations('group:default/team-a')).toEqual(before.relations);
    expect(view.index.search('geocoding').total).toBe(before.found);

    view.upsert('component:default/service-7', component(7, 'team-b'));
    view.remove('component:default/service-8');
    expect(view.compact(1)).toBe(false);
    expect(view.get('component:default/service-7')?.spec?.owner).toBe('team-b');
    expect(view.has('component:default/service-8')).toBe(false);
    expect(view.get('component:default/service-9')).toEqual(component(9));
    expect(view.size).toBe(40);
  });

  it('compacts itself once changes have stopped for a moment', async () => {
    const view = new CatalogView({ compactAfterMs: 20 });
    view.load([stored(component(1))], { outgoing: [], incoming: [] });
    expect(view.compact(0)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Nothing was left to compact: the timer did it.
    expect(view.compact(0)).toBe(false);
    expect(view.get('component:default/service-1')).toEqual(component(1));
  });

  it('names an unknown relation type in the stored text rather than answering with it', () => {
    const view = new CatalogView();
    view.load([stored(component(1))], { outgoing: [{ ref: 'component:default/service-1', pairs: 'ownedBy\tgroup:default/team-a\tlikes\tgroup:default/x' }], incoming: [] });
    expect(() => view.relations('component:default/service-1')).toThrow('Unknown relation type likes');
  });
});
