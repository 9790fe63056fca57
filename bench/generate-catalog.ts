/**
 * Deterministic synthetic catalog for the benchmark: the same size and seed always give the same
 * files. Mix per 1,000 entities: 600 Component, 150 API, 50 Resource, 40 System, 10 Domain,
 * 50 Group, 100 User; every reference points at an entity that exists.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

export const WORDS = [
  'payments', 'billing', 'ledger', 'invoices', 'refunds', 'checkout', 'orders', 'cart', 'pricing', 'catalog',
  'search', 'geocoding', 'routing', 'maps', 'tracking', 'shipping', 'labels', 'returns', 'inventory', 'warehouse',
  'identity', 'login', 'sessions', 'tokens', 'permissions', 'audit', 'fraud', 'risk', 'compliance', 'consent',
  'email', 'sms', 'push', 'notifications', 'chat', 'support', 'reviews', 'ratings', 'feedback', 'surveys',
  'analytics', 'metrics', 'reports', 'dashboards', 'forecasts', 'experiments', 'features', 'models', 'streams', 'events',
  'media', 'images', 'video', 'documents', 'translations', 'content', 'pages', 'assets', 'uploads', 'exports',
];
const LANGUAGES = ['go', 'java', 'kotlin', 'python', 'typescript', 'rust', 'scala', 'ruby'];
const FLAVOURS = ['api', 'service', 'worker', 'gateway', 'processor', 'sync', 'store', 'web', 'admin', 'scheduler'];
const LIFECYCLES = ['production', 'production', 'production', 'experimental', 'deprecated'];
const API_TYPES = ['openapi', 'openapi', 'grpc', 'asyncapi', 'graphql'];
const RESOURCE_TYPES = ['database', 'queue', 's3-bucket', 'cache', 'kafka-topic'];
const FIRST = ['ada', 'alan', 'grace', 'linus', 'margaret', 'ken', 'barbara', 'donald', 'radia', 'edsger', 'frances', 'john'];
const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'hamilton', 'thompson', 'liskov', 'knuth', 'perlman', 'dijkstra', 'allen', 'backus'];

function random(seed: number) {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    int: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)),
  };
}

type Doc = Record<string, unknown>;
const entity = (kind: string, name: string, metadata: Doc, spec: Doc): Doc => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, ...metadata },
  spec,
});

export interface GeneratedCatalog {
  files: number;
  entities: number;
  /** Names of some components, for the benchmark's queries. */
  componentNames: string[];
}

export function generateCatalog(size: number, folder: string, seed = 1): GeneratedCatalog {
  const rng = random(seed * 7919 + size);
  rmSync(folder, { recursive: true, force: true });
  const counts = { Domain: size / 100, System: (size * 4) / 100, Group: size / 20, User: size / 10, Resource: size / 20, API: (size * 15) / 100 };
  const rounded = Object.fromEntries(Object.entries(counts).map(([kind, count]) => [kind, Math.max(1, Math.floor(count))])) as Record<string, number>;
  const components = size - Object.values(rounded).reduce((sum, count) => sum + count, 0);
  const files: { file: string; docs: Doc[] }[] = [];
  const sentence = () => `Handles ${rng.pick(WORDS)} and ${rng.pick(WORDS)} for the ${rng.pick(WORDS)} flow, with ${rng.pick(WORDS)} ${rng.pick(WORDS)}.`;

  const groups = Array.from({ length: rounded.Group! }, (_, index) => `team-${WORDS[index % WORDS.length]}-${index}`);
  const groupDocs = groups.map((name, index) =>
    entity('Group', name, { title: `${WORDS[index % WORDS.length]} team ${index}`, description: sentence() }, {
      type: index === 0 ? 'organization' : 'team',
      profile: { displayName: `Team ${name}`, email: `${name}@example.com` },
      ...(index > 0 ? { parent: groups[Math.floor((index - 1) / 10)] } : {}),
      children: groups.filter((_, child) => child > 0 && Math.floor((child - 1) / 10) === index),
    }),
  );
  const userDocs = Array.from({ length: rounded.User! }, (_, index) => {
    const name = `${rng.pick(FIRST)}.${rng.pick(LAST)}.${index}`;
    return entity('User', name, {}, {
      profile: { displayName: name.replaceAll('.', ' '), email: `${name}@example.com` },
      memberOf: [groups[index % groups.length]],
    });
  });
  for (let start = 0; start < groupDocs.length; start += 250) files.push({ file: `org/groups-${String(start / 250).padStart(4, '0')}.yaml`, docs: groupDocs.slice(start, start + 250) });
  for (let start = 0; start < userDocs.length; start += 250) files.push({ file: `org/users-${String(start / 250).padStart(4, '0')}.yaml`, docs: userDocs.slice(start, start + 250) });

  const domains = Array.from({ length: rounded.Domain! }, (_, index) => `${WORDS[index % WORDS.length]}-domain-${index}`);
  files.push({ file: 'org/domains.yaml', docs: domains.map((name, index) => entity('Domain', name, { description: sentence() }, { owner: groups[index % groups.length] })) });

  const systems = Array.from({ length: rounded.System! }, (_, index) => `${rng.pick(WORDS)}-system-${index}`);
  const resources = Array.from({ length: rounded.Resource! }, (_, index) => ({ name: `${rng.pick(WORDS)}-${rng.pick(RESOURCE_TYPES)}-${index}`, system: systems[index % systems.length]! }));
  for (const [index, system] of systems.entries()) {
    files.push({
      file: `systems/${system}/system.yaml`,
      docs: [
        entity('System', system, { description: sentence() }, { owner: groups[index % groups.length], domain: domains[index % domains.length] }),
        ...resources.filter((resource) => resource.system === system).map((resource) =>
          entity('Resource', resource.name, { description: sentence() }, { type: resource.name.split('-')[1], owner: groups[index % groups.length], system }),
        ),
      ],
    });
  }

  const apis = Array.from({ length: rounded.API! }, (_, index) => `${rng.pick(WORDS)}-${rng.pick(WORDS)}-api-${index}`);
  const componentNames: string[] = [];
  for (let index = 0; index < components; index++) {
    const name = `${rng.pick(WORDS)}-${rng.pick(FLAVOURS)}-${index}`;
    componentNames.push(name);
    const system = systems[index % systems.length]!;
    const owner = groups[rng.int(0, groups.length - 1)]!;
    const provided = index < apis.length ? [apis[index]!] : [];
    const docs: Doc[] = [
      entity(
        'Component',
        name,
        {
          title: name.replaceAll('-', ' '),
          description: sentence(),
          tags: [rng.pick(LANGUAGES), rng.pick(WORDS)],
          annotations: { 'github.com/project-slug': `example/${name}`, 'backstage.io/techdocs-ref': 'dir:.' },
          links: [{ url: `https://runbooks.example.com/${name}`, title: 'Runbook' }],
        },
        {
          type: rng.pick(['service', 'service', 'website', 'library']),
          lifecycle: rng.pick(LIFECYCLES),
          owner,
          system,
          providesApis: provided,
          consumesApis: [apis[rng.int(0, apis.length - 1)]],
          dependsOn: resources.length > 0 ? [`resource:${resources[rng.int(0, resources.length - 1)]!.name}`] : [],
        },
      ),
      ...provided.map((api) =>
        entity('API', api, { description: sentence(), tags: [rng.pick(WORDS)] }, {
          type: rng.pick(API_TYPES),
          lifecycle: 'production',
          owner,
          system,
          definition: `openapi: 3.0.0\ninfo:\n  title: ${api}\n  version: 1.0.0\npaths: {}\n`,
        }),
      ),
    ];
    files.push({ file: `systems/${system}/${name}/catalog-info.yaml`, docs });
  }

  for (const { file, docs } of files) {
    const target = path.join(folder, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, docs.map((doc) => yaml.dump(doc, { lineWidth: 120 })).join('---\n'));
  }
  const entities = files.reduce((sum, file) => sum + file.docs.length, 0);
  return { files: files.length, entities, componentNames };
}
