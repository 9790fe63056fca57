import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { docsPlaceOf, pageUrl, type DocsPlace } from '../../../src/docs/entity-docs.js';

const component = (name: string, annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'backstage.io/managed-by-location': `file:/repos/${name}/catalog-info.yaml`, ...annotations } },
  spec: { type: 'service', lifecycle: 'production', owner: 'team' },
});

describe("an entity's docs, as TechDocs finds them", () => {
  const lender = component('handbook', { 'backstage.io/techdocs-ref': 'dir:./site', 'backstage.io/source-location': 'url:https://github.com/acme/handbook/tree/main/' });
  const entityOf = (ref: string) => (ref === 'component:default/handbook' ? lender : undefined);

  it("reads dir: next to the catalog file and links the pages in the source location's repository", () => {
    const place = docsPlaceOf('component:default/handbook', lender, { entityOf }) as DocsPlace;
    expect(place).toEqual({ ref: 'component:default/handbook', folder: '/repos/handbook/site', boundary: '/repos/handbook', links: { type: 'repository', base: 'https://github.com/acme/handbook/blob/main/site/' } });
    expect(pageUrl(place, 'docs', 'guides/keys.md', 'rotate')).toBe('https://github.com/acme/handbook/blob/main/site/docs/guides/keys.md#rotate');
  });

  it("links Backstage's TechDocs reader when app.baseUrl is set: index.md at the root, other pages as folders", () => {
    const place = docsPlaceOf('component:default/handbook', lender, { entityOf, backstageUrl: 'https://backstage.acme.test/' }) as DocsPlace;
    expect(pageUrl(place, 'docs', 'index.md')).toBe('https://backstage.acme.test/docs/default/component/handbook/');
    // As MkDocs serves a README.md where its folder has no index.md.
    expect(pageUrl(place, 'docs', 'README.md')).toBe('https://backstage.acme.test/docs/default/component/handbook/');
    expect(pageUrl(place, 'docs', 'guides/README.md', 'setup')).toBe('https://backstage.acme.test/docs/default/component/handbook/guides/#setup');
    expect(pageUrl(place, 'docs', 'guides/keys.md', 'rotate')).toBe('https://backstage.acme.test/docs/default/component/handbook/guides/keys/#rotate');
  });

  it('borrows another entity\'s docs with techdocs-entity, once, and says why an annotation cannot be used', () => {
    const borrower = component('api', { 'backstage.io/techdocs-entity': 'component:handbook', 'backstage.io/techdocs-entity-path': '/apis/' });
    expect(docsPlaceOf('component:default/api', borrower, { entityOf })).toMatchObject({ ref: 'component:default/handbook', subPath: 'apis' });
    expect(docsPlaceOf('component:default/x', component('x', { 'backstage.io/techdocs-entity': 'component:missing' }), { entityOf })).toBe('backstage.io/techdocs-entity names component:default/missing, which is not in the catalog');
    expect(docsPlaceOf('component:default/x', component('x', { 'backstage.io/techdocs-ref': 'dir:../../etc' }), { entityOf })).toContain("leaves the folder of the entity's catalog file");
    expect(docsPlaceOf('component:default/x', component('x', { 'backstage.io/techdocs-ref': 'ftp:x' }), { entityOf })).toContain('starts with neither dir: nor url:');
    expect(docsPlaceOf('component:default/x', component('x', {}), { entityOf })).toBeUndefined();
  });

  it('reads dir: of a catalog on GitHub only inside the entity\'s own repository, and says when it cannot be read at all', () => {
    const onGitHub = (annotations: Record<string, string>) => ({ ...component('ledger', {}), metadata: { name: 'ledger', namespace: 'default', annotations: { 'backstage.io/managed-by-location': 'url:https://github.com/acme/ledger/blob/main/catalog-info.yaml', ...annotations } } });
    expect(docsPlaceOf('component:default/ledger', onGitHub({ 'backstage.io/techdocs-ref': 'dir:.' }), { entityOf })).toMatchObject({ remote: { owner: 'acme', repo: 'ledger', ref: 'main' } });
    expect(docsPlaceOf('component:default/ledger', onGitHub({ 'backstage.io/techdocs-ref': 'dir:../../../../evil/private/tree/main' }), { entityOf })).toBe("backstage.io/techdocs-ref: dir:../../../../evil/private/tree/main leaves the entity's repository");
    const noBranch = onGitHub({ 'backstage.io/techdocs-ref': 'dir:./site', 'backstage.io/source-location': 'url:https://github.com/acme/ledger' });
    expect(docsPlaceOf('component:default/ledger', noBranch, { entityOf })).toContain('is not a GitHub folder with a branch');
  });
});
