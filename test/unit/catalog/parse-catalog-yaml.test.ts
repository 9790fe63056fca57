import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PARSE_LIMITS, parseCatalogYaml } from '../../../src/catalog/ingestion/parse-catalog-yaml.js';

const file = (...lines: string[]) => `${lines.join('\n')}\n`;

/** A billion-laughs document: ten levels of nine aliases each, 9^10 nodes once expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 10; level++) {
    const name = String.fromCharCode(97 + level);
    const previous = String.fromCharCode(96 + level);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  return file(...lines);
}

describe('parseCatalogYaml: documents', () => {
  it('reads a single document without a marker', () => {
    expect(parseCatalogYaml(file('kind: Component', 'metadata:', '  name: a'))).toEqual({
      documents: [{ index: 1, line: 1, mayHavePlaceholders: false, value: { kind: 'Component', metadata: { name: 'a' } } }],
      problems: [],
    });
  });

  it('parses every document of a multi-document file with its index and first content line', () => {
    const text = file(
      '# catalog file', // 1
      '---', // 2
      'kind: Component', // 3
      'metadata: {name: a}', // 4
      '---', // 5
      '', // 6
      '# the second one', // 7
      'kind: API', // 8
      '--- # a comment after the marker', // 9
      'kind: Group', // 10
    );
    const { documents, problems } = parseCatalogYaml(text);
    expect(problems).toEqual([]);
    expect(documents).toEqual([
      { index: 1, line: 3, mayHavePlaceholders: false, value: { kind: 'Component', metadata: { name: 'a' } } },
      { index: 2, line: 8, mayHavePlaceholders: false, value: { kind: 'API' } },
      { index: 3, line: 10, mayHavePlaceholders: false, value: { kind: 'Group' } },
    ]);
  });

  it('ends a document at "..." and reads CRLF files', () => {
    const text = ['kind: A', '...', '---', 'kind: B', ''].join('\r\n');
    expect(parseCatalogYaml(text).documents).toEqual([
      { index: 1, line: 1, mayHavePlaceholders: false, value: { kind: 'A' } },
      { index: 2, line: 4, mayHavePlaceholders: false, value: { kind: 'B' } },
    ]);
  });

  it('keeps content written on the marker line', () => {
    const { documents } = parseCatalogYaml(file('--- {kind: A}', '--- plain'));
    expect(documents.map((document) => document.value)).toEqual([{ kind: 'A' }, 'plain']);
  });

  it('skips empty and comment-only documents', () => {
    expect(parseCatalogYaml(file('---', '---', '# nothing', '---', 'kind: A', '---', '~')).documents).toEqual([
      { index: 1, line: 5, mayHavePlaceholders: false, value: { kind: 'A' } },
    ]);
  });

  it('marks the documents that may hold $text, $json or $yaml placeholders', () => {
    const { documents } = parseCatalogYaml(file('spec:', '  definition:', '    $text: ./api.yaml', '---', 'spec:', '  note: costs $text only'));
    expect(documents.map((document) => document.mayHavePlaceholders)).toEqual([true, false]);
  });

  it('does not split on a "---" inside a block scalar', () => {
    const { documents } = parseCatalogYaml(file('spec:', '  definition: |', '    ---', '    openapi: 3.0.0'));
    expect(documents).toEqual([{ index: 1, line: 1, mayHavePlaceholders: false, value: { spec: { definition: '---\nopenapi: 3.0.0\n' } } }]);
  });

  it('reads a file that starts with a %YAML directive as one document', () => {
    expect(parseCatalogYaml(file('%YAML 1.2', '---', 'kind: A'))).toEqual({
      documents: [{ index: 1, line: 3, mayHavePlaceholders: false, value: { kind: 'A' } }],
      problems: [],
    });
  });
});

describe('parseCatalogYaml: syntax errors', () => {
  it('keeps documents 1 and 3 when document 2 does not parse, with the error on its line', () => {
    const text = file(
      '---', // 1
      'kind: A', // 2
      '---', // 3
      'kind: B', // 4
      'metadata:', // 5
      '  name: b', // 6
      '   oops: 1', // 7 (bad indentation)
      '---', // 8
      'kind: C', // 9
    );
    const { documents, problems } = parseCatalogYaml(text);
    expect(documents).toEqual([
      { index: 1, line: 2, mayHavePlaceholders: false, value: { kind: 'A' } },
      { index: 3, line: 9, mayHavePlaceholders: false, value: { kind: 'C' } },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ index: 2, line: 7 });
    expect(problems[0]!.message).toContain('YAML syntax error');
    expect(problems[0]!.message).toContain('bad indentation');
  });

  it('reports a duplicate key with its line', () => {
    const { documents, problems } = parseCatalogYaml(file('kind: A', 'metadata:', '  name: a', '  name: b'));
    expect(documents).toEqual([]);
    expect(problems).toEqual([{ index: 1, line: 4, message: 'YAML syntax error: duplicated mapping key' }]);
  });

  it('reports a duplicate key in a later document with the file line', () => {
    const { problems } = parseCatalogYaml(file('kind: A', '---', 'kind: B', 'kind: C'));
    expect(problems).toEqual([{ index: 2, line: 4, message: 'YAML syntax error: duplicated mapping key' }]);
  });
});

describe('parseCatalogYaml: hostile input', () => {
  afterEach(() => {
    // A test that polluted the prototype must not leak into the next one.
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('refuses a billion-laughs alias bomb quickly, saying alias', () => {
    const started = performance.now();
    const { documents, problems } = parseCatalogYaml(aliasBomb());
    const elapsed = performance.now() - started;
    expect(documents).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('alias');
    expect(problems[0]!.message).toContain(String(DEFAULT_PARSE_LIMITS.maxExpandedNodes));
    expect(elapsed).toBeLessThan(100);
  });

  it('accepts ordinary aliases below the expansion budget', () => {
    const { documents, problems } = parseCatalogYaml(file('base: &b {owner: team-a}', 'spec: *b', 'note: "5 * 3"'));
    expect(problems).toEqual([]);
    expect(documents[0]!.value).toEqual({ base: { owner: 'team-a' }, spec: { owner: 'team-a' }, note: '5 * 3' });
  });

  it('honours a smaller expansion budget', () => {
    const limits = { ...DEFAULT_PARSE_LIMITS, maxExpandedNodes: 10 };
    const { problems } = parseCatalogYaml(file('a: &a [1, 2, 3, 4]', 'b: [*a, *a, *a]'), limits);
    expect(problems[0]!.message).toContain('more than 10 nodes through YAML aliases');
  });

  it('refuses 10,000-deep flow nesting without overflowing the stack', () => {
    const { documents, problems } = parseCatalogYaml(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(documents).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('nesting');
    expect(problems[0]!.message).toContain(`maxDepth (${DEFAULT_PARSE_LIMITS.maxDepth})`);
  });

  it('refuses 1,000-deep block nesting', () => {
    const text = Array.from({ length: 1_000 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n');
    const { problems } = parseCatalogYaml(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('nesting exceeded maxDepth');
  });

  it('accepts nesting within the limit', () => {
    const limits = { ...DEFAULT_PARSE_LIMITS, maxDepth: 5 };
    expect(parseCatalogYaml('[[[1]]]', limits).problems).toEqual([]);
    expect(parseCatalogYaml('[[[[[[1]]]]]]', limits).problems[0]!.message).toContain('maxDepth (5)');
  });

  it('refuses a __proto__ key and leaves Object.prototype alone', () => {
    const { documents, problems } = parseCatalogYaml(file('kind: A', 'metadata:', '  __proto__:', '    polluted: yes'));
    expect(documents).toEqual([]);
    expect(problems).toEqual([{ index: 1, line: 1, message: 'refused: the key "__proto__" is not allowed in a catalog document' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a __proto__ key inside a merge key', () => {
    const { problems } = parseCatalogYaml(file('x:', '  <<: {__proto__: {polluted: yes}}', '  name: x'));
    expect(problems[0]!.message).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps constructor/prototype keys from << merge keys as plain data', () => {
    const { documents, problems } = parseCatalogYaml(
      file('base: &b', '  constructor:', '    prototype:', '      polluted: yes', 'x:', '  <<: *b', '  name: x', 'y:', '  <<: {prototype: {polluted: yes}}'),
    );
    expect(problems).toEqual([]);
    const value = documents[0]!.value as { x: Record<string, unknown>; y: Record<string, unknown> };
    expect(Object.hasOwn(value.x, 'constructor')).toBe(true);
    expect(value.x.constructor).toEqual({ prototype: { polluted: 'yes' } });
    expect(value.y.prototype).toEqual({ polluted: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value.x)).toBe(Object.prototype);
  });

  it('refuses a file with more documents than maxDocuments', () => {
    const limits = { ...DEFAULT_PARSE_LIMITS, maxDocuments: 2 };
    const { documents, problems } = parseCatalogYaml(file('kind: A', '---', 'kind: B', '---', 'kind: C'), limits);
    expect(documents).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('3 YAML documents');
    expect(problems[0]!.message).toContain('at most 2');
  });

  it('reads exactly maxDocuments documents', () => {
    const limits = { ...DEFAULT_PARSE_LIMITS, maxDocuments: 3 };
    expect(parseCatalogYaml(file('kind: A', '---', 'kind: B', '---', 'kind: C'), limits).documents).toHaveLength(3);
  });

  it('refuses 10,001 documents under the default limit', () => {
    const text = Array.from({ length: 10_001 }, (_, i) => `--- {i: ${i}}`).join('\n');
    const { documents, problems } = parseCatalogYaml(text);
    expect(documents).toEqual([]);
    expect(problems[0]!.message).toContain('10001 YAML documents');
  });
});

describe('parseCatalogYaml: YAML as Backstage reads it', () => {
  it('keeps a date-like value the string it is, rather than making it a timestamp', () => {
    const { documents } = parseCatalogYaml(file('metadata:', '  annotations:', '    example.com/since: 2021-01-01', '  labels:', '    built: 2021-01-01T10:00:00Z'));
    expect(documents[0]!.value).toEqual({ metadata: { annotations: { 'example.com/since': '2021-01-01' }, labels: { built: '2021-01-01T10:00:00Z' } } });
  });

  it('still merges << keys', () => {
    const { documents } = parseCatalogYaml(file('base: &b', '  owner: team-a', 'spec:', '  <<: *b', '  type: service'));
    expect((documents[0]!.value as { spec: unknown }).spec).toEqual({ owner: 'team-a', type: 'service' });
  });

  it('finds the first content line of a single-document file after comments and blank lines', () => {
    const { documents } = parseCatalogYaml(file('# owned by the platform team', '', '  # still a comment', 'kind: A'));
    expect(documents.map((document) => document.line)).toEqual([4]);
    expect(parseCatalogYaml('\r\n# only a comment\r\n').documents).toEqual([]);
    expect(parseCatalogYaml('# note\r\nkind: A\r\n').documents).toEqual([{ index: 1, line: 2, mayHavePlaceholders: false, value: { kind: 'A' } }]);
  });
});
