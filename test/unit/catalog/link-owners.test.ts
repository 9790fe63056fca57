import { describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import { LinkOwners, type LinkOwnersOptions } from '../../../src/catalog/answers/link-owners.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { entityRefOf } from '../../../src/catalog/model/entity-ref.js';

type Meta = Partial<Entity['metadata']>;

function entity(kind: string, name: string, spec: Record<string, unknown>, metadata: Meta = {}): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default', ...metadata }, spec };
}

const group = (name: string, displayName: string, metadata: Meta = {}) => entity('Group', name, { type: 'team', children: [], profile: { displayName } }, metadata);
const component = (name: string, owner: string, annotations: Record<string, string>, metadata: Meta = {}) =>
  entity('Component', name, { type: 'service', lifecycle: 'production', owner }, { annotations, ...metadata });
const source = (url: string) => ({ 'backstage.io/source-location': `url:${url}` });

function fixture(): Entity[] {
  return [
    group('payments-team', 'Payments Team', { links: [{ url: 'https://wiki.acme.test/teams/payments', title: 'Team page' }] }),
    group('platform-team', 'Platform Team'),
    group('docs-team', 'Docs Team'),
    component('mono-root', 'platform-team', { ...source('https://github.com/acme/mono/tree/main/'), 'github.com/project-slug': 'acme/mono' }),
    component(
      'payments-api',
      'payments-team',
      { ...source('https://github.com/acme/mono/tree/main/services/payments/'), 'github.com/project-slug': 'acme/mono' },
      {
        title: 'Payments API',
        links: [
          { url: 'https://runbooks.acme.test/payments/payments-api', title: 'Runbook' },
          { url: 'https://grafana.acme.test', title: 'Grafana' },
        ],
      },
    ),
    component('payments-worker', 'platform-team', { ...source('https://github.com/acme/mono/tree/main/services/payments/worker/'), 'github.com/project-slug': 'acme/mono' }),
    component('ledger', 'payments-team', { 'github.com/project-slug': 'acme/ledger' }, { links: [{ url: 'https://github.com/acme', title: 'GitHub organisation' }] }),
    component('handbook', 'docs-team', { 'backstage.io/view-url': 'https://handbook.acme.test' }),
    component('twin-b', 'platform-team', { 'github.com/project-slug': 'acme/twins' }),
    component('twin-a', 'platform-team', { 'github.com/project-slug': 'acme/twins' }),
    component('terraform', 'platform-team', { ...source('https://ghe.acme.test/infra/terraform/tree/main/'), 'github.com/project-slug': 'infra/terraform' }),
    component('tools-cli', 'platform-team', { 'backstage.io/managed-by-location': 'url:https://github.com/acme/tools/blob/main/cli/catalog-info.yaml' }),
    component('orphan-job', 'ghost-team', { ...source('https://github.com/acme/orphan-job/') }),
    entity('Location', 'all-of-mono', { targets: ['./services/*/catalog-info.yaml'] }, { annotations: source('https://github.com/acme/everything/') }),
  ];
}

function viewOf(entities: Entity[]): CatalogView {
  const view = new CatalogView();
  for (const item of entities) view.upsert(entityRefOf(item), item);
  return view;
}

const OPTIONS: LinkOwnersOptions = { baseUrl: 'https://backstage.acme.test', gitHubHosts: ['ghe.acme.test'] };

function ownersOf(urls: string[], options = OPTIONS, view = viewOf(fixture())) {
  return new LinkOwners(view, options).lookup(urls);
}

/** The matched entity's ref for each URL, null where nothing claims it. */
function refsFor(urls: string[], options = OPTIONS): (string | null)[] {
  return ownersOf(urls, options).map(({ match }) => match?.entity.ref ?? null);
}

describe('LinkOwners', () => {
  it('answers a file in a monorepo with the entity whose source folder is deepest', () => {
    const [payments, worker, elsewhere] = ownersOf([
      'https://github.com/acme/mono/blob/main/services/payments/src/charge.ts',
      'https://github.com/acme/mono/blob/main/services/payments/worker/main.go',
      'https://github.com/acme/mono/blob/main/README.md',
    ]);
    expect(payments!.match).toMatchObject({
      entity: { ref: 'component:default/payments-api', title: 'Payments API', kind: 'Component' },
      owner: { ref: 'group:default/payments-team', displayName: 'Payments Team' },
      evidence: 'source-location',
      why: 'source location https://github.com/acme/mono/tree/main/services/payments/',
      alsoMatched: [],
    });
    expect(worker!.match?.entity.ref).toBe('component:default/payments-worker');
    expect(elsewhere!.match?.entity.ref).toBe('component:default/mono-root');
  });

  it('reads a pull request, an issue or an Actions run as the whole repository, where a source location outranks a slug', () => {
    const [pull, ledger] = ownersOf(['https://github.com/acme/mono/pull/42/files', 'https://github.com/acme/ledger/actions/runs/9']);
    expect(pull!.match).toMatchObject({ entity: { ref: 'component:default/mono-root' }, evidence: 'source-location' });
    expect(ledger!.match).toMatchObject({ entity: { ref: 'component:default/ledger' }, evidence: 'project-slug', why: 'repository acme/ledger' });
  });

  it.each([
    'HTTPS://WWW.GitHub.com/Acme/Mono.git/',
    'https://github.com/acme/mono/tree/main',
    'http://github.com/acme/mono?tab=readme#top',
    'https://github.com/ACME/mono/issues/3',
  ])('normalises %s to the repository', (url) => {
    expect(refsFor([url])).toEqual(['component:default/mono-root']);
  });

  it('ignores the query, fragment, trailing slash and branch of a file URL', () => {
    expect(
      refsFor([
        'https://github.com/acme/mono/tree/release-7/services/payments/?plain=1#L3',
        'https://github.com/acme/mono/edit/main/services/payments/catalog-info.yaml',
        'https://github.com/acme/mono/blob/main/services/payments-v2/x.ts',
      ]),
    ).toEqual(['component:default/payments-api', 'component:default/payments-api', 'component:default/mono-root']);
  });

  it('matches a link exactly or as a path prefix, and a link to a bare host only exactly', () => {
    const [runbook, incident, parent, grafana, dashboard] = ownersOf([
      'https://runbooks.acme.test/payments/payments-api/',
      'https://runbooks.acme.test/payments/payments-api/incident-1?from=slack',
      'https://runbooks.acme.test/payments',
      'https://grafana.acme.test/',
      'https://grafana.acme.test/d/unrelated',
    ]);
    expect(runbook!.match).toMatchObject({ entity: { ref: 'component:default/payments-api' }, evidence: 'link', why: 'link "Runbook"' });
    expect(incident!.match?.entity.ref).toBe('component:default/payments-api');
    expect(parent!.match).toBeNull();
    expect(grafana!.match?.entity.ref).toBe('component:default/payments-api');
    expect(dashboard!.match).toBeNull();
  });

  it('lets an annotation naming a bare host claim the whole host', () => {
    const [page] = ownersOf(['https://handbook.acme.test/onboarding/day-one']);
    expect(page!.match).toMatchObject({ entity: { ref: 'component:default/handbook' }, evidence: 'view-url', owner: { displayName: 'Docs Team' } });
  });

  it('never lets a GitHub URL that names no repository claim the repositories under it', () => {
    expect(refsFor(['https://github.com/acme', 'https://github.com/acme/unknown-repo/pull/1'])).toEqual(['component:default/ledger', null]);
  });

  it('names every entity with an equally strong claim', () => {
    const [twins] = ownersOf(['https://github.com/acme/twins/blob/main/README.md']);
    expect(twins!.match).toMatchObject({ entity: { ref: 'component:default/twin-a' }, alsoMatched: ['component:default/twin-b'] });
  });

  it('reads configured GitHub Enterprise hosts like github.com and binds a slug to the host of the entity’s source', () => {
    expect(refsFor(['https://ghe.acme.test/infra/terraform/blob/main/modules/vpc/main.tf', 'https://github.com/infra/terraform'])).toEqual(['component:default/terraform', null]);
    // Without the host configured, its URLs are ordinary paths: the branch is part of the path.
    expect(refsFor(['https://ghe.acme.test/infra/terraform/blob/main/modules/vpc/main.tf'], { gitHubHosts: [] })).toEqual([null]);
  });

  it('takes the folder of the catalog file for an owned entity without a source location', () => {
    const [cli] = ownersOf(['https://github.com/acme/tools/blob/main/cli/cmd/root.go']);
    expect(cli!.match).toMatchObject({ entity: { ref: 'component:default/tools-cli' }, evidence: 'catalog-file' });
  });

  it('gives a Location nothing, and a Group its own links with no owner above it', () => {
    const [location, team] = ownersOf(['https://github.com/acme/everything/blob/main/x', 'https://wiki.acme.test/teams/payments/rota']);
    expect(location!.match).toBeNull();
    expect(team!.match).toMatchObject({ entity: { ref: 'group:default/payments-team', kind: 'Group' }, owner: null });
  });

  it('reports an owner the catalog does not hold', () => {
    const [orphan] = ownersOf(['https://github.com/acme/orphan-job/blob/main/job.py']);
    expect(orphan!.match?.owner).toMatchObject({ ref: 'group:default/ghost-team', exists: false });
  });

  it('answers Backstage’s own entity and docs pages by the entity they name', () => {
    const [page, tab, docs, unknown] = ownersOf([
      'https://backstage.acme.test/catalog/default/component/payments-api',
      'https://backstage.acme.test/catalog/Default/Component/payments-api/ci-cd?x=1',
      'https://backstage.acme.test/docs/default/component/handbook/getting-started/',
      'https://backstage.acme.test/catalog/default/component/not-there',
    ]);
    expect(page!.match).toMatchObject({ entity: { ref: 'component:default/payments-api' }, evidence: 'catalog-page', owner: { displayName: 'Payments Team' } });
    expect(tab!.match?.entity.ref).toBe('component:default/payments-api');
    expect(docs!.match?.entity.ref).toBe('component:default/handbook');
    expect(unknown!.match).toBeNull();
  });

  it('finds entity pages under a base URL with a path, and none without a base URL', () => {
    const page = 'https://portal.acme.test/backstage/catalog/default/component/ledger';
    expect(refsFor([page], { baseUrl: 'https://portal.acme.test/backstage/' })).toEqual(['component:default/ledger']);
    expect(refsFor([page], {})).toEqual([null]);
  });

  it.each(['javascript:alert(1)', 'mailto:payments@acme.test', 'not a url', ''])('answers %j as not in the catalog', (url) => {
    expect(refsFor([url])).toEqual([null]);
  });

  it('follows the view as entities change, move and go, after the index is built', () => {
    const view = viewOf(fixture());
    const links = new LinkOwners(view, OPTIONS);
    const file = 'https://github.com/acme/mono/blob/main/services/payments/src/charge.ts';
    const moved = 'https://github.com/acme/mono/blob/main/services/pay2/src/charge.ts';
    const refOf = (url: string) => links.lookup([url])[0]!.match?.entity.ref ?? null;
    expect(refOf(file)).toBe('component:default/payments-api');

    const paymentsApi = fixture().find((item) => item.metadata.name === 'payments-api')!;
    paymentsApi.metadata.annotations = source('https://github.com/acme/mono/tree/main/services/pay2/');
    view.upsert('component:default/payments-api', paymentsApi);
    expect([refOf(file), refOf(moved)]).toEqual(['component:default/mono-root', 'component:default/payments-api']);

    view.remove('component:default/mono-root');
    expect(refOf(file)).toBe('component:default/payments-worker');
    view.upsert('component:default/search', component('search', 'platform-team', source('https://github.com/acme/search/')));
    expect(refOf('https://github.com/acme/search/pull/1')).toBe('component:default/search');
  });

  it('indexes what a bulk load brings into a view it was already built from', () => {
    const view = new CatalogView();
    const links = new LinkOwners(view, OPTIONS);
    expect(links.lookup(['https://github.com/acme/ledger'])[0]!.match).toBeNull();
    view.load(
      fixture().map((item) => ({ ref: entityRefOf(item), name: item.metadata.name, title: item.metadata.title ?? null, json: JSON.stringify(item) })),
      { outgoing: [], incoming: [] },
    );
    expect(links.lookup(['https://github.com/acme/ledger'])[0]!.match?.entity.ref).toBe('component:default/ledger');
  });

  it('reads only the entities it answers with, however large the catalog', () => {
    const fillers = Array.from({ length: 2_000 }, (_, n) => component(`filler-${n}`, 'platform-team', source(`https://github.com/acme/filler-${n}/`)));
    const view = viewOf([...fixture(), ...fillers]);
    const links = new LinkOwners(view, OPTIONS);
    links.lookup([]);
    let reads = 0;
    const get = view.get.bind(view);
    view.get = (ref) => {
      reads++;
      return get(ref);
    };
    const answers = links.lookup(['https://github.com/acme/filler-1234/blob/main/a.go', 'https://github.com/acme/ledger/pull/1', 'https://unknown.acme.test/x']);
    expect(answers.map(({ match }) => match?.entity.ref ?? null)).toEqual(['component:default/filler-1234', 'component:default/ledger', null]);
    expect(reads).toBeLessThan(20);
  });
});
