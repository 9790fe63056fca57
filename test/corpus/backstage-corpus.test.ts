import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatalogView } from '../../src/catalog/answers/catalog-view.js';
import { ingestLocations, type IngestResult } from '../../src/catalog/ingestion/ingest-locations.js';
import { entityOf, hasContent, type ProcessedEntity } from '../../src/catalog/processing/process-entity.js';
import { NotFoundError } from '../../src/errors.js';
import type { GitHubClient } from '../../src/github/github-client.js';

/**
 * Backstage's own example data (a compatibility corpus kept outside the repository, see
 * ../shared/reference/backstage/SOURCE.md) ingested the way `--catalog <folder>` would. Nothing is
 * copied from it; the expectations are computed from the files themselves.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const reference = path.resolve(repoRoot, '..', 'shared', 'reference', 'backstage', 'examples');
const catalogExamples = path.join(reference, 'packages', 'catalog-model', 'examples');
const createAppExamples = path.join(reference, 'packages', 'create-app', 'templates', 'default-app', 'examples');
const sampleTemplates = path.join(reference, 'plugins', 'scaffolder-backend', 'sample-templates');
const exists = existsSync(catalogExamples);

if (!exists) console.warn('../shared/reference/backstage is absent: the Backstage corpus test is skipped');

const BUILT_IN_KINDS = ['Component', 'API', 'Resource', 'System', 'Domain', 'Group', 'User', 'Location', 'Template'];

/** No network: every GitHub read fails the way a missing file does. */
const offline = (): Promise<never> => Promise.reject(new NotFoundError('offline'));
const fakeClient: GitHubClient = { readFile: offline, listFiles: offline, readFolder: offline, listFolder: offline, readBlob: offline, listOrganizationRepositories: offline, repositoryHealth: offline };

function ingest(dir: string): Promise<IngestResult> {
  return ingestLocations([{ key: `file:${dir}`, type: 'file', target: dir }], { github: () => fakeClient, maxFileBytes: 1_048_576 });
}

interface CorpusDocument {
  file: string;
  kind: string;
  ref: string;
  value: Record<string, unknown>;
}

/** Every YAML document under a folder, read independently of the code under test. */
async function readCorpus(dir: string): Promise<CorpusDocument[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  const documents: CorpusDocument[] = [];
  for (const file of files) {
    for (const value of yaml.loadAll(await fs.readFile(file, 'utf8'))) {
      if (!value || typeof value !== 'object') continue;
      const { kind, metadata } = value as { kind: string; metadata: { name: string; namespace?: string } };
      const ref = `${kind}:${metadata.namespace ?? 'default'}/${metadata.name}`.toLowerCase();
      documents.push({ file, kind, ref, value: value as Record<string, unknown> });
    }
  }
  return documents;
}

const distinct = (values: string[]) => [...new Set(values)].sort();

describe.skipIf(!exists)('Backstage catalog-model examples', () => {
  let corpus: CorpusDocument[];
  let result: IngestResult;
  beforeAll(async () => {
    corpus = await readCorpus(catalogExamples);
    result = await ingest(catalogExamples);
  });

  it('ingests every document of a built-in kind, each ref once', () => {
    const expected = distinct(corpus.filter((document) => BUILT_IN_KINDS.includes(document.kind)).map((document) => document.ref));
    expect(expected.length).toBeGreaterThan(50);
    expect(result.entities.size).toBe(expected.length);
    expect([...result.entities.keys()].sort()).toEqual(expected);
  });

  it('reads the root folder without a root-level failure', () => {
    expect(result.roots.get(`file:${catalogExamples}`)).toMatchObject({ status: 'ok', keepUnread: false, entityCount: result.entities.size });
  });

  it('reads each file once even when Locations reach it again', () => {
    const yamlFiles = distinct(corpus.map((document) => document.file));
    expect([...result.files.keys()].sort()).toEqual(yamlFiles.map((file) => `file:${file}`));
    expect(result.problems.filter((problem) => problem.message.startsWith('conflict'))).toEqual([]);
  });

  it('gives every AiResource exactly one "unsupported kind" error', () => {
    const aiResources = corpus.filter((document) => document.kind === 'AiResource');
    expect(aiResources.length).toBeGreaterThan(0);
    for (const document of aiResources) {
      const problems = result.problems.filter((problem) => problem.ref === document.ref);
      expect(problems, document.ref).toHaveLength(1);
      expect(problems[0]).toMatchObject({ severity: 'error', file: document.file, document: 1, line: 1 });
      expect(problems[0]!.message).toContain('unsupported kind "AiResource"');
    }
  });

  it('has no other problem than placeholder warnings', () => {
    const others = result.problems.filter((problem) => !problem.message.includes('unsupported kind "AiResource"'));
    expect(others.length).toBeGreaterThan(0);
    for (const problem of others) {
      expect(problem.severity, `${problem.file}: ${problem.message}`).toBe('warning');
      expect(problem.message).toMatch(/^spec\.definition: could not read \$text /);
    }
    // One warning per API whose definition is a $text placeholder (none of them can be read offline).
    const placeholders = corpus.filter((document) => {
      const definition = (document.value.spec as { definition?: unknown } | undefined)?.definition;
      return typeof definition === 'object' && definition !== null && '$text' in definition;
    });
    expect(distinct(others.map((problem) => problem.ref!))).toEqual(distinct(placeholders.map((document) => document.ref)));
  });

  // A first refresh has no cache, so every entity it returns carries its content.
  const processedEntities = () => new Map([...result.entities].filter((entry): entry is [string, ProcessedEntity] => hasContent(entry[1])));

  it('ingests an unreadable placeholder as an empty definition', () => {
    expect(entityOf(processedEntities().get('api:default/spotify')!).spec?.definition).toBe('');
  });

  it('answers both directions of the relations the examples declare', () => {
    const view = new CatalogView();
    for (const processed of processedEntities().values()) view.upsert(processed.ref, entityOf(processed), processed.json, processed.relations);
    expect(view.relations('component:default/artist-lookup')).toEqual(
      expect.arrayContaining([
        { type: 'ownedBy', targetRef: 'group:default/team-a' },
        { type: 'dependsOn', targetRef: 'resource:default/artists-db' },
      ]),
    );
    expect(view.related('group:default/team-a', 'ownerOf')).toContain('component:default/artist-lookup');
    expect(view.related('resource:default/artists-db', 'dependencyOf')).toContain('component:default/artist-lookup');
  });

  it('stamps each entity with the file it came from', () => {
    expect(processedEntities().size).toBe(result.entities.size);
    for (const [ref, processed] of processedEntities()) {
      const { annotations } = entityOf(processed).metadata;
      expect(annotations?.['backstage.io/managed-by-location'], ref).toBe(processed.locationKey);
      expect(annotations?.['backstage.io/managed-by-origin-location'], ref).toBe(`file:${catalogExamples}`);
    }
  });
});

describe.skipIf(!exists)('Backstage create-app examples', () => {
  let corpus: CorpusDocument[];
  let result: IngestResult;
  beforeAll(async () => {
    corpus = await readCorpus(createAppExamples);
    result = await ingest(createAppExamples);
  });

  it('accepts every Template', () => {
    const templates = distinct(corpus.filter((document) => document.kind === 'Template').map((document) => document.ref));
    expect(templates.length).toBeGreaterThan(0);
    expect(distinct([...result.entities.keys()].filter((ref) => ref.startsWith('template:')))).toEqual(templates);
    expect(result.problems.filter((problem) => problem.severity === 'error' && problem.ref?.startsWith('template:'))).toEqual([]);
  });

  it('refuses only the unrendered skeleton catalog-info.yaml, for its templated name', () => {
    // template/content/catalog-info.yaml is the template's skeleton: its name is still
    // `${{ values.name | dump }}`, which only becomes a valid name once the scaffolder renders it.
    const skeleton = path.join(createAppExamples, 'template', 'content', 'catalog-info.yaml');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ severity: 'error', file: skeleton, document: 1, ref: 'component:default/${{ values.name | dump }}' });
    expect(result.problems[0]!.message).toContain('metadata.name "${{ values.name | dump }}" is invalid');
  });

  it('ingests every other document', () => {
    const expected = distinct(corpus.filter((document) => !document.file.endsWith(path.join('content', 'catalog-info.yaml'))).map((document) => document.ref));
    expect([...result.entities.keys()].sort()).toEqual(expected);
  });
});

describe.skipIf(!exists)('Backstage scaffolder sample templates', () => {
  let corpus: CorpusDocument[];
  let result: IngestResult;
  beforeAll(async () => {
    corpus = await readCorpus(sampleTemplates);
    result = await ingest(sampleTemplates);
  });

  it('accepts every Template', () => {
    const templates = distinct(corpus.filter((document) => document.kind === 'Template').map((document) => document.ref));
    expect(templates.length).toBeGreaterThan(0);
    expect(distinct([...result.entities.keys()].filter((ref) => ref.startsWith('template:')))).toEqual(templates);
    expect(result.problems.filter((problem) => problem.severity === 'error' && problem.ref?.startsWith('template:'))).toEqual([]);
  });

  it('ingests every document, Locations included', () => {
    expect([...result.entities.keys()].sort()).toEqual(distinct(corpus.map((document) => document.ref)));
  });

  it('fails only the remote templates, which the offline client cannot read', () => {
    // remote-templates.yaml points at templates in another repository (backstage/software-templates);
    // the fake client answers NotFoundError('offline') for each, and a required target that is not
    // found is an error on that URL (no ref: nothing was read).
    const remoteTargets = corpus
      .filter((document) => document.kind === 'Location')
      .flatMap((document) => {
        const spec = document.value.spec as { target?: string; targets?: string[] };
        return [spec.target, ...(spec.targets ?? [])].filter((target): target is string => typeof target === 'string');
      })
      .filter((target) => target.startsWith('https://'));
    expect(remoteTargets.length).toBeGreaterThan(0);
    expect(distinct(result.problems.map((problem) => problem.file))).toEqual(distinct(remoteTargets));
    for (const problem of result.problems) {
      expect(problem).toMatchObject({ severity: 'error', message: 'offline' });
      expect(problem.ref).toBeUndefined();
    }
    expect(result.roots.get(`file:${sampleTemplates}`)).toMatchObject({ status: 'partial', keepUnread: false });
  });
});
