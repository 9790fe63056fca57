import { beforeEach, describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import { find, parseFindQuery } from '../../../src/catalog/answers/find.js';
import { editDistance, whoOwns } from '../../../src/catalog/answers/who-owns.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { entityRefOf } from '../../../src/catalog/model/entity-ref.js';
import { emitRelations } from '../../../src/catalog/model/relations.js';
import { EntityIndex, toSearchDocument } from '../../../src/catalog/search/entity-index.js';
import { topK } from '../../../src/catalog/search/top-k.js';

type Meta = Partial<Entity['metadata']>;

function entity(kind: string, name: string, spec: Record<string, unknown>, metadata: Meta = {}): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default', ...metadata }, spec };
}

const component = (name: string, spec: Record<string, unknown>, metadata: Meta = {}) =>
  entity('Component', name, { type: 'service', lifecycle: 'production', ...spec }, metadata);

function fixture(): Entity[] {
  return [
    entity('Group', 'engineering', { type: 'department', children: ['team-payments'] }, { title: 'Engineering' }),
    entity(
      'Group',
      'team-payments',
      { type: 'team', parent: 'engineering', children: [], members: ['alice', 'carol'], profile: { displayName: 'Payments Team', email: 'payments@example.com' } },
      { annotations: { 'slack.com/channel': '#payments', 'pagerduty.com/service-id': 'P123' } },
    ),
    entity('User', 'alice', { memberOf: ['team-payments'], profile: { displayName: 'Alice Doe', email: 'alice@example.com' } }),
    entity('User', 'carol', { memberOf: [] }),
    entity('User', 'bob', { memberOf: [], profile: { displayName: 'Bob Smith' } }),
    entity('Domain', 'commerce', { owner: 'engineering' }),
    entity('System', 'payments', { owner: 'team-payments', domain: 'commerce' }, { description: 'Everything that moves money' }),
    component(
      'payments-api',
      { owner: 'team-payments', system: 'payments', providesApis: ['checkout-api'] },
      {
        title: 'Payments API',
        description: 'Charges cards and records payments',
        tags: ['java', 'payments'],
        links: [{ url: 'https://grafana.example.com/payments', title: 'Dashboard' }],
        annotations: { 'backstage.io/source-location': 'url:https://github.com/acme/payments-api/tree/main/' },
      },
    ),
    component('payments-worker', { owner: 'team-payments', system: 'payments', type: 'worker' }, { tags: ['java'] }),
    component('ledger', { owner: 'team-payments', lifecycle: 'experimental' }, { description: 'Keeps the books for payments', tags: ['go'] }),
    component('invoices', { owner: 'team-payments', type: 'website' }, { description: 'Invoice portal' }),
    component('mailer', { owner: 'engineering', type: 'library' }, { description: 'Sends invoices and receipts by email', tags: ['go'] }),
    component('legacy-cron', { owner: 'user:bob', lifecycle: 'deprecated' }),
    component('orphan-job', { owner: 'ghost-team' }),
    entity('API', 'checkout-api', { type: 'openapi', lifecycle: 'production', owner: 'team-payments', system: 'payments', definition: 'openapi: 3.0.0' }, { title: 'Checkout' }),
  ];
}

/**
 * A view holding the entities with both directions of their relations attached, grouped on sourceRef
 * and de-duplicated as the store's `select distinct` does (alice is a member twice: once from her own
 * memberOf, once from the group's members).
 */
function buildView(entities: Entity[]): CatalogView {
  const bySource = new Map<string, { type: string; targetRef: string }[]>();
  const seen = new Set<string>();
  for (const item of entities) {
    const { relations, problems } = emitRelations(item);
    expect(problems).toEqual([]);
    for (const relation of relations) {
      const key = `${relation.sourceRef} ${relation.type} ${relation.targetRef}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = bySource.get(relation.sourceRef) ?? [];
      list.push({ type: relation.type, targetRef: relation.targetRef });
      bySource.set(relation.sourceRef, list);
    }
  }
  const view = new CatalogView();
  for (const item of entities) {
    const ref = entityRefOf(item);
    view.upsert(ref, { ...item, relations: bySource.get(ref) ?? [] });
  }
  return view;
}

describe('CatalogView', () => {
  it('holds every entity by ref and by name', () => {
    const view = buildView(fixture());
    expect(view.size).toBe(15);
    expect(view.get('Component:Default/Payments-API')?.metadata.name).toBe('payments-api');
    expect(view.refsNamed('PAYMENTS')).toEqual(['system:default/payments']);
  });

  it('forgets the name of a removed entity', () => {
    const view = buildView(fixture());
    view.remove('component:default/ledger');
    expect(view.get('component:default/ledger')).toBeUndefined();
    expect(view.refsNamed('ledger')).toEqual([]);
    expect(view.index.document('component:default/ledger')).toBeUndefined();
  });
});

describe('whoOwns', () => {
  let view: CatalogView;
  beforeEach(() => {
    view = buildView(fixture());
  });

  it('answers an exact ref with the owning group in full', () => {
    const answer = whoOwns(view, 'component:default/payments-api');
    expect(answer.match).toEqual({
      ref: 'component:default/payments-api',
      kind: 'Component',
      name: 'payments-api',
      title: 'Payments API',
      description: 'Charges cards and records payments',
      lifecycle: 'production',
      type: 'service',
    });
    expect(answer.owner).toEqual({
      ref: 'group:default/team-payments',
      kind: 'Group',
      displayName: 'Payments Team',
      email: 'payments@example.com',
      members: ['user:default/alice', 'user:default/carol'],
      people: [
        { ref: 'user:default/alice', displayName: 'Alice Doe', email: 'alice@example.com', slackUserId: null },
        { ref: 'user:default/carol', displayName: 'carol', email: null, slackUserId: null },
      ],
      individual: false,
      exists: true,
      parent: 'group:default/engineering',
      contacts: { 'slack.com/channel': '#payments', 'pagerduty.com/service-id': 'P123' },
    });
    expect(answer.system).toBe('system:default/payments');
    expect(answer.domain).toBe('domain:default/commerce');
    expect(answer.links).toEqual([{ url: 'https://grafana.example.com/payments', title: 'Dashboard' }]);
    expect(answer.source).toBe('https://github.com/acme/payments-api/tree/main/');
    expect(answer.onCall).toEqual([{ provider: 'PagerDuty', label: 'P123', url: 'https://app.pagerduty.com/service-directory/P123', from: 'group:default/team-payments' }]);
    expect(answer.warnings).toEqual([]);
    expect(answer.suggestions).toEqual([]);
  });

  it("lists the entity's own on-call first, then its owner's, linked to the account or domain configured", () => {
    view.upsert(
      'component:default/pager',
      entity('Component', 'pager', { type: 'service', lifecycle: 'production', owner: 'team-payments' }, { annotations: { 'pagerduty.com/service-id': 'PSVC9', 'pagerduty.com/account': 'Acme', 'opsgenie.com/team': 'pager-team' } }),
    );
    expect(whoOwns(view, 'pager', { opsgenieDomain: 'https://acme.app.opsgenie.com' }).onCall).toEqual([
      { provider: 'PagerDuty', label: 'PSVC9', url: 'https://acme.pagerduty.com/service-directory/PSVC9', from: 'component:default/pager' },
      { provider: 'Opsgenie', label: 'pager-team', url: 'https://acme.app.opsgenie.com/teams/list', from: 'component:default/pager' },
      { provider: 'PagerDuty', label: 'P123', url: 'https://app.pagerduty.com/service-directory/P123', from: 'group:default/team-payments' },
    ]);
    expect(whoOwns(view, 'pager').onCall[1]).toMatchObject({ provider: 'Opsgenie', url: null });
  });

  it.each([
    ['a short ref', 'component:payments-api'],
    ['an upper-case ref', 'Component:Default/Payments-API'],
    ['the bare name', 'payments-api'],
    ['the bare name with spaces around it', '  payments-api  '],
    ['namespace/name', 'default/payments-api'],
    ['the title', 'payments api'],
    ['a search that names every word', 'payments-worker'],
  ])('resolves %s', (_label, query) => {
    const answer = whoOwns(view, query);
    expect(answer.match?.ref).toBe(query.includes('worker') ? 'component:default/payments-worker' : 'component:default/payments-api');
    expect(answer.owner?.ref).toBe('group:default/team-payments');
  });

  it('resolves through search when the words are in the name but the name is not exact', () => {
    expect(whoOwns(view, 'worker').match?.ref).toBe('component:default/payments-worker');
  });

  it('resolves a title of another kind', () => {
    const answer = whoOwns(view, 'Checkout');
    expect(answer.match?.ref).toBe('api:default/checkout-api');
    expect(answer.system).toBe('system:default/payments');
  });

  it('prefers the System when a bare name matches it (nothing else is named that)', () => {
    const answer = whoOwns(view, 'payments');
    expect(answer.match?.ref).toBe('system:default/payments');
    expect(answer.system).toBeNull();
    expect(answer.domain).toBe('domain:default/commerce');
  });

  it('flags an owner that is a single user', () => {
    const answer = whoOwns(view, 'legacy-cron');
    expect(answer.owner).toMatchObject({ ref: 'user:default/bob', kind: 'User', displayName: 'Bob Smith', individual: true, exists: true, members: [] });
    expect(answer.warnings).toEqual(['Owned by an individual (Bob Smith), not a team.']);
  });

  it('flags an owner missing from the catalog', () => {
    const answer = whoOwns(view, 'orphan-job');
    expect(answer.owner).toMatchObject({ ref: 'group:default/ghost-team', kind: 'Group', displayName: 'ghost-team', exists: false, individual: false });
    expect(answer.warnings).toHaveLength(1);
    expect(answer.warnings[0]).toContain('group:default/ghost-team is not in the catalog');
  });

  it('warns when no owner is declared', () => {
    view.upsert('component:default/loose', component('loose', {}));
    const answer = whoOwns(view, 'loose');
    expect(answer.owner).toBeNull();
    expect(answer.warnings).toEqual(['No owner is declared (spec.owner).']);
  });

  it('lists what a Group owns', () => {
    const answer = whoOwns(view, 'team-payments');
    expect(answer.match?.kind).toBe('Group');
    expect(answer.owner).toBeNull();
    expect([...(answer.owns ?? [])].sort()).toEqual([
      'api:default/checkout-api',
      'component:default/invoices',
      'component:default/ledger',
      'component:default/payments-api',
      'component:default/payments-worker',
      'system:default/payments',
    ]);
    expect(answer.memberOf).toBeUndefined();
  });

  it('lists what a User owns and the groups it belongs to', () => {
    expect(whoOwns(view, 'bob')).toMatchObject({ owns: ['component:default/legacy-cron'], memberOf: [] });
    expect(whoOwns(view, 'alice')).toMatchObject({ owns: [], memberOf: ['group:default/team-payments'] });
  });

  it('suggests the near name for a typo instead of guessing', () => {
    const answer = whoOwns(view, 'ledgr');
    expect(answer.match).toBeNull();
    expect(answer.owner).toBeNull();
    expect(answer.suggestions).toContain('component:default/ledger');
  });

  it('suggests by edit distance beyond the search fuzziness', () => {
    const answer = whoOwns(view, 'mlr');
    expect(answer.match).toBeNull();
    expect(answer.suggestions).toContain('component:default/mailer');
  });

  it.each([['nothing-like-this-exists'], ['']])('answers %j with no match and no suggestion', (query) => {
    const answer = whoOwns(view, query);
    expect(answer.match).toBeNull();
    expect(answer.suggestions).toEqual([]);
  });

  it('does not treat free text with a colon as a ref', () => {
    expect(whoOwns(view, 'owner:payments-api').match).toBeNull();
  });

  it('answers namespace/name for the entity in that namespace', () => {
    const sandboxed = component('payments-api', { owner: 'sandbox-team' }, { namespace: 'sandbox' });
    view.upsert(entityRefOf(sandboxed), sandboxed);
    const answer = whoOwns(view, 'sandbox/payments-api');
    expect(answer.match?.ref).toBe('component:sandbox/payments-api');
  });

  it('answers kind:namespace/name for the entity in that namespace', () => {
    const sandboxed = component('payments-api', { owner: 'sandbox-team' }, { namespace: 'sandbox' });
    view.upsert(entityRefOf(sandboxed), sandboxed);
    const answer = whoOwns(view, 'component:sandbox/payments-api');
    expect(answer.match?.ref).toBe('component:sandbox/payments-api');
    expect(answer.owner?.ref).toBe('group:sandbox/sandbox-team');
    expect(whoOwns(view, 'payments-api').match?.ref).toBe('component:default/payments-api');
  });
});

describe('editDistance', () => {
  it.each([
    ['ledger', 'ledger', 0],
    ['ledgr', 'ledger', 1],
    ['paymnets', 'payments', 2],
    ['abc', 'abcdefgh', 4],
    ['xxxxxx', 'yyyyyy', 4],
  ])('%s -> %s is %i (capped at limit + 1 = 4)', (a, b, expected) => {
    expect(editDistance(a, b, 3)).toBe(expected);
  });
});

describe('parseFindQuery', () => {
  it.each([
    ['kind:API geocoding', { text: 'geocoding', filters: { kind: ['api'] } }],
    ['owner:team-payments', { text: '', filters: { owner: ['team-payments'] } }],
    ['tag:Java tags:go lang:rust', { text: '', filters: { tag: ['java', 'go', 'rust'] } }],
    ['type:service lifecycle:production', { text: '', filters: { type: ['service'], lifecycle: ['production'] } }],
    ['system:payments ns:default', { text: '', filters: { system: ['payments'], namespace: ['default'] } }],
    ['  kind:component   kind:api   cards  ', { text: 'cards', filters: { kind: ['component', 'api'] } }],
    ['colour:blue http://x', { text: 'colour:blue http://x', filters: {} }],
    ['owner:group:default/team-payments', { text: '', filters: { owner: ['group:default/team-payments'] } }],
  ])('splits %j', (query, expected) => {
    expect(parseFindQuery(query)).toEqual(expected);
  });
});

describe('find', () => {
  let view: CatalogView;
  beforeEach(() => {
    view = buildView(fixture());
  });
  const refs = (query: string, options?: { limit?: number; offset?: number }) => find(view, query, { limit: 50, ...options }).results.map((result) => result.ref);

  it('ranks a name match above a description match', () => {
    const answer = find(view, 'invoices');
    expect(answer.results.map((result) => result.ref)).toEqual(['component:default/invoices', 'component:default/mailer']);
    expect(answer.results[0]!.score).toBeGreaterThan(answer.results[1]!.score);
    expect(answer.results[0]).toMatchObject({ kind: 'Component', title: 'invoices', description: 'Invoice portal', owner: 'group:default/team-payments' });
  });

  it('ranks the entities named payments above the one that only mentions it', () => {
    const found = refs('payments');
    expect(found).toContain('component:default/ledger');
    expect(found.indexOf('component:default/payments-api')).toBeLessThan(found.indexOf('component:default/ledger'));
    expect(found.indexOf('system:default/payments')).toBeLessThan(found.indexOf('component:default/ledger'));
  });

  it('matches a prefix', () => {
    expect(refs('paym')).toEqual(expect.arrayContaining(['component:default/payments-api', 'component:default/payments-worker', 'system:default/payments']));
    expect(refs('paym')).not.toContain('component:default/mailer');
  });

  it('matches a typo', () => {
    expect(refs('paymnets')).toEqual(expect.arrayContaining(['component:default/payments-api', 'component:default/payments-worker', 'system:default/payments']));
  });

  it('requires every word', () => {
    expect(refs('payments worker')).toEqual(['component:default/payments-worker']);
  });

  it.each([
    ['kind:api', ['api:default/checkout-api']],
    ['kind:domain', ['domain:default/commerce']],
    ['owner:user:default/bob', ['component:default/legacy-cron']],
    ['owner:bob', ['component:default/legacy-cron']],
    ['tag:go', ['component:default/ledger', 'component:default/mailer']],
    ['type:worker', ['component:default/payments-worker']],
    ['lifecycle:deprecated', ['component:default/legacy-cron']],
    ['lifecycle:experimental', ['component:default/ledger']],
    ['system:payments kind:component', ['component:default/payments-api', 'component:default/payments-worker']],
    ['kind:component tag:java', ['component:default/payments-api', 'component:default/payments-worker']],
  ])('filters %s', (query, expected) => {
    expect(refs(query)).toEqual(expected);
  });

  it('combines text with filters', () => {
    // The owner's name is a search field too, so every component of team-payments matches "payments".
    const found = refs('payments kind:component owner:team-payments');
    expect([...found].sort()).toEqual([
      'component:default/invoices',
      'component:default/ledger',
      'component:default/payments-api',
      'component:default/payments-worker',
    ]);
    expect(found.indexOf('component:default/payments-api')).toBeLessThan(found.indexOf('component:default/invoices'));
    expect(refs('payments kind:component owner:engineering')).toEqual([]);
    expect(refs('cards kind:api')).toEqual([]);
    expect(refs('cards kind:component')).toEqual(['component:default/payments-api']);
  });

  it('counts facets over every match, not just the page', () => {
    const answer = find(view, 'owner:team-payments', { limit: 1 });
    expect(answer.total).toBe(6);
    expect(answer.results).toHaveLength(1);
    expect({ ...answer.facets.kind }).toEqual({ api: 1, component: 4, system: 1 });
    expect({ ...answer.facets.type }).toEqual({ openapi: 1, service: 2, worker: 1, website: 1 });
    expect({ ...answer.facets.lifecycle }).toEqual({ production: 4, experimental: 1 });
    expect({ ...answer.facets.tag }).toEqual({ java: 2, payments: 1, go: 1 });
  });

  it('pages with offset and limit while total stays the count of all matches', () => {
    const all = find(view, 'kind:component', { limit: 50 });
    expect(all.total).toBe(7);
    const first = find(view, 'kind:component', { limit: 3 });
    const second = find(view, 'kind:component', { limit: 3, offset: 3 });
    const last = find(view, 'kind:component', { limit: 3, offset: 6 });
    expect(first.results.map((r) => r.ref)).toEqual(all.results.slice(0, 3).map((r) => r.ref));
    expect(second.results.map((r) => r.ref)).toEqual(all.results.slice(3, 6).map((r) => r.ref));
    expect(last.results).toHaveLength(1);
    expect(second).toMatchObject({ total: 7, offset: 3 });
    expect(find(view, 'kind:component', { offset: 100 }).results).toEqual([]);
  });

  it('defaults to ten results and clamps nonsense paging', () => {
    expect(find(view, '').results).toHaveLength(10);
    expect(find(view, '').total).toBe(15);
    const clamped = find(view, 'kind:component', { limit: 0, offset: -5 });
    expect(clamped.offset).toBe(0);
    expect(clamped.results).toHaveLength(1);
  });

  it('lists every entity sorted by ref for an empty query', () => {
    const listed = refs('');
    expect(listed).toHaveLength(15);
    expect(listed).toEqual([...listed].sort((a, b) => a.localeCompare(b)));
  });
});

describe('EntityIndex', () => {
  const refsOf = (index: EntityIndex, text: string) => index.search(text, {}, { limit: 100 }).hits.map((hit) => hit.ref);
  const doc = (name: string, description: string, spec: Record<string, unknown> = { type: 'service', lifecycle: 'production', owner: 'team-a' }) => {
    const item = entity('Component', name, spec, { description });
    return toSearchDocument(entityRefOf(item), item);
  };

  it('derives a search document from an entity', () => {
    const item = component('Payments-API', { owner: 'Team-A', system: 'pay', type: 'Service' }, { title: 'Pay', tags: ['Java'], namespace: 'ops', links: [{ url: 'https://x.example', title: 'X' }] });
    expect(toSearchDocument('component:ops/payments-api', item)).toEqual({
      id: 'component:ops/payments-api',
      name: 'Payments-API',
      title: 'Pay',
      description: '',
      tags: ['java'],
      kind: 'component',
      type: 'service',
      lifecycle: 'production',
      owner: 'group:ops/team-a',
      system: 'system:ops/pay',
      namespace: 'ops',
      links: 'X https://x.example',
    });
  });

  it('splits camelCase names into words', () => {
    const index = new EntityIndex();
    index.upsert(doc('PaymentsGateway', ''));
    expect(refsOf(index, 'gateway')).toEqual(['component:default/paymentsgateway']);
  });

  it('replaces a document on upsert', () => {
    const index = new EntityIndex();
    index.upsert(doc('svc', 'talks to kafka'));
    expect(refsOf(index, 'kafka')).toEqual(['component:default/svc']);
    index.upsert(doc('svc', 'talks to rabbitmq', { type: 'worker', lifecycle: 'production', owner: 'team-a' }));
    expect(index.size).toBe(1);
    expect(refsOf(index, 'kafka')).toEqual([]);
    expect(refsOf(index, 'rabbitmq')).toEqual(['component:default/svc']);
    expect(index.document('component:default/svc')?.type).toBe('worker');
    expect({ ...index.search('').facets.type }).toEqual({ worker: 1 });
  });

  it('drops a document on remove, and can take it back', () => {
    const index = new EntityIndex();
    index.upsertAll([doc('svc', 'talks to kafka'), doc('other', 'also kafka')]);
    index.remove('component:default/svc');
    index.remove('component:default/never-there');
    expect(index.size).toBe(1);
    expect(index.document('component:default/svc')).toBeUndefined();
    expect(refsOf(index, 'kafka')).toEqual(['component:default/other']);
    expect(refsOf(index, '')).toEqual(['component:default/other']);
    expect({ ...index.search('kafka').facets.kind }).toEqual({ component: 1 });
    index.upsert(doc('svc', 'talks to kafka'));
    expect(refsOf(index, 'kafka')).toHaveLength(2);
  });

  it('keeps a facet value named __proto__ as a plain key', () => {
    const index = new EntityIndex();
    index.upsert(doc('odd', '', { type: '__proto__', lifecycle: 'production', owner: 'team-a' }));
    const facets = index.search('').facets;
    expect(Object.keys(facets.type)).toEqual(['__proto__']);
    expect(facets.type['__proto__']).toBe(1);
  });

  it('answers correctly through many removals and re-additions (dead postings purged, slots reused)', () => {
    const index = new EntityIndex();
    const names = Array.from({ length: 3_000 }, (_, n) => `svc-${n}`);
    index.upsertAll(names.map((name, n) => doc(name, n % 2 === 0 ? 'talks to kafka' : 'talks to rabbitmq')));
    for (const name of names.slice(0, 2_500)) index.remove(`component:default/${name}`);
    expect(index.size).toBe(500);
    expect(index.search('kafka').total).toBe(250);
    index.upsertAll(names.slice(0, 100).map((name) => doc(name, 'talks to kafka')));
    const page = index.search('kafka', {}, { offset: 340, limit: 100 });
    expect(page.total).toBe(350);
    expect(page.hits).toHaveLength(10);
    expect(index.search('rabbitmq').total).toBe(250);
    expect(refsOf(index, 'svc 7')).toEqual(['component:default/svc-7']);
  });

  it('finds an owner again after every entity it owned was removed and purged', () => {
    const index = new EntityIndex();
    const gone = { type: 'service', lifecycle: 'production', owner: 'team-gone' };
    index.upsertAll(Array.from({ length: 10 }, (_, n) => doc(`old-${n}`, '', gone)));
    index.upsertAll(Array.from({ length: 2_000 }, (_, n) => doc(`other-${n}`, '')));
    // Then enough other removals to purge dead postings, the owner's among them.
    for (let n = 0; n < 10; n++) index.remove(`component:default/old-${n}`);
    for (let n = 0; n < 1_500; n++) index.remove(`component:default/other-${n}`);
    expect(index.search('gone').total).toBe(0);
    index.upsert(doc('fresh', '', gone));
    expect(refsOf(index, 'gone')).toEqual(['component:default/fresh']);
    expect(index.search('', { owner: ['team-gone'] }).hits.map((hit) => hit.ref)).toEqual(['component:default/fresh']);
  });

  it('keeps ranking by relevance while replaced documents still linger in the postings', () => {
    const index = new EntityIndex();
    const spec = { type: 'service', lifecycle: 'production', owner: 'team-a' };
    index.upsertAll(Array.from({ length: 2_000 }, (_, n) => doc(`svc-${n}`, 'a service', spec)));
    // Replaced, not yet compacted: their old postings still count in the raw posting lists.
    for (let n = 0; n < 400; n++) index.upsert(doc(`svc-${n}`, 'a service', spec));
    index.upsert(doc('svc-7', 'a service, the service of services', spec));
    const { hits } = index.search('service', {}, { limit: 3 });
    expect(hits[0]!.ref).toBe('component:default/svc-7');
    for (const hit of hits) expect(hit.score).toBeGreaterThan(0);
  });

  it('ranks a word as typed above its completions, and pages through ranked hits without repeats', () => {
    const index = new EntityIndex();
    index.upsertAll([doc('pay', ''), doc('payments', ''), doc('payroll', ''), ...Array.from({ length: 30 }, (_, n) => doc(`paying-${n}`, ''))]);
    expect(refsOf(index, 'pay')[0]).toBe('component:default/pay');
    const pages = [0, 10, 20, 30].flatMap((offset) => index.search('pay', {}, { offset, limit: 10 }).hits.map((hit) => hit.ref));
    expect(pages).toEqual(refsOf(index, 'pay'));
    expect(new Set(pages).size).toBe(33);
  });
});

describe('topK', () => {
  it('returns the first k in order, the same as a full sort', () => {
    let seed = 7;
    const values = Array.from({ length: 5_000 }, () => (seed = (seed * 48_271) % 2_147_483_647) % 1_000);
    const order = (a: number, b: number) => b - a;
    for (const k of [1, 10, 99, 5_000, 6_000]) expect(topK(values, k, order)).toEqual([...values].sort(order).slice(0, k));
  });
});
