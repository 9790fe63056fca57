import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExpressionError, passesCondition, renderValue } from '../../../src/scaffolder/expressions.js';

const scope = {
  parameters: {
    name: 'payments-api',
    owner: 'group:default/payments-team',
    repoUrl: 'github.com?owner=acme&repo=payments-api',
    tags: ['go', 'grpc'],
    replicas: 3,
    public: false,
  },
  steps: { publish: { output: { remoteUrl: 'https://github.com/acme/payments-api', repoContentsUrl: 'https://github.com/acme/payments-api/blob/main' } } },
  user: { ref: 'user:default/ada', entity: { metadata: { name: 'ada' } } },
  each: { key: 'dev', value: { region: 'eu' } },
};

describe('template expressions', () => {
  it('reads paths with dots and brackets, and array elements', () => {
    expect(evaluateExpression('parameters.name', scope)).toBe('payments-api');
    expect(evaluateExpression("steps['publish'].output.remoteUrl", scope)).toBe('https://github.com/acme/payments-api');
    expect(evaluateExpression('steps.publish.output.repoContentsUrl', scope)).toBe('https://github.com/acme/payments-api/blob/main');
    expect(evaluateExpression('parameters.tags[1]', scope)).toBe('grpc');
    expect(evaluateExpression('parameters.tags.length', scope)).toBe(2);
    expect(evaluateExpression('user.entity.metadata.name', scope)).toBe('ada');
    expect(evaluateExpression('each.value.region', scope)).toBe('eu');
  });

  it('gives undefined for missing paths, as nunjucks does, and never reads a prototype or a function', () => {
    expect(evaluateExpression('parameters.missing.deeper', scope)).toBeUndefined();
    expect(evaluateExpression('parameters.constructor', scope)).toBeUndefined();
    expect(evaluateExpression("parameters['__proto__']", scope)).toBeUndefined();
    expect(evaluateExpression('parameters.name.constructor', scope)).toBeUndefined();
    expect(evaluateExpression('parameters.tags.map', scope)).toBeUndefined();
    expect(() => evaluateExpression('parameters.tags.map(x)', scope)).toThrow(/calls are not supported/);
  });

  it("applies Backstage's filters", () => {
    expect(evaluateExpression('parameters.repoUrl | parseRepoUrl', scope)).toEqual({ host: 'github.com', owner: 'acme', repo: 'payments-api' });
    expect(evaluateExpression("parameters.repoUrl | parseRepoUrl | pick('owner')", scope)).toBe('acme');
    expect(evaluateExpression('parameters.repoUrl | projectSlug', scope)).toBe('acme/payments-api');
    expect(evaluateExpression('parameters.owner | parseEntityRef', scope)).toEqual({ kind: 'group', namespace: 'default', name: 'payments-team' });
    expect(evaluateExpression("'payments-team' | parseEntityRef({ defaultKind: 'group', defaultNamespace: 'billing' }) | pick('namespace')", scope)).toBe('billing');
    expect(() => evaluateExpression("'github.com?owner=acme' | parseRepoUrl", scope)).toThrow(/filter "parseRepoUrl": .*names no repository/);
    expect(() => evaluateExpression("'payments-team' | parseEntityRef", scope)).toThrow(/no kind/);
  });

  it('applies the nunjucks built-ins templates use', () => {
    expect(evaluateExpression("parameters.name | upper | replace('-', '_')", scope)).toBe('PAYMENTS_API');
    expect(evaluateExpression("parameters.missing | default('none')", scope)).toBe('none');
    expect(evaluateExpression("parameters.tags | join(', ')", scope)).toBe('go, grpc');
    expect(evaluateExpression('parameters.tags | dump', scope)).toBe('["go","grpc"]');
    expect(evaluateExpression("'a\\nb' | dump", scope)).toBe('"a\\nb"');
    expect(() => evaluateExpression('parameters.name | shout', scope)).toThrow(/unknown filter "shout"; the filters are .*parseRepoUrl/);
  });

  it('compares, combines and chooses', () => {
    expect(evaluateExpression("parameters.name == 'payments-api' and not parameters.public", scope)).toBe(true);
    expect(evaluateExpression('parameters.replicas > 2 or parameters.public', scope)).toBe(true);
    expect(evaluateExpression("'go' in parameters.tags", scope)).toBe(true);
    expect(evaluateExpression("'java' not in parameters.tags", scope)).toBe(true);
    expect(evaluateExpression("'private' if not parameters.public else 'public'", scope)).toBe('private');
    expect(evaluateExpression("parameters.name ~ '-' ~ parameters.replicas", scope)).toBe('payments-api-3');
    expect(evaluateExpression('parameters.replicas * 2 + 1', scope)).toBe(7);
    expect(evaluateExpression('[parameters.name, { kind: "Component", n: -parameters.replicas }]', scope)).toEqual(['payments-api', { kind: 'Component', n: -3 }]);
  });

  it("applies nunjucks' tests", () => {
    expect(evaluateExpression('parameters.name is defined', scope)).toBe(true);
    expect(evaluateExpression('parameters.missing is not defined and parameters.replicas is odd', scope)).toBe(true);
    expect(evaluateExpression("'go' in parameters.tags and parameters.public is not none", scope)).toBe(true);
    expect(evaluateExpression("parameters.name if parameters.name is string else 'none'", scope)).toBe('payments-api');
    expect(() => evaluateExpression('parameters.name is shiny', scope)).toThrow(/expected a test after "is" \(defined, undefined/);
  });

  it('names what is wrong with an expression that does not parse', () => {
    expect(() => evaluateExpression('parameters.name ==', scope)).toThrow(ExpressionError);
    expect(() => evaluateExpression("parameters['name'", scope)).toThrow(/expected "\]"/);
    expect(() => evaluateExpression("'unclosed", scope)).toThrow(/not closed/);
    expect(() => evaluateExpression('parameters.name && true', scope)).toThrow(/unexpected character "&"/);
  });
});

describe('rendering template values', () => {
  it('keeps the type of a value that is one expression, and makes text of anything else', () => {
    expect(renderValue('${{ parameters.tags }}', scope)).toEqual(['go', 'grpc']);
    expect(renderValue('  ${{ parameters.public }} ', scope)).toBe(false);
    expect(renderValue('${{ parameters.replicas }}', scope)).toBe(3);
    expect(renderValue('${{ parameters.name }}-${{ parameters.replicas }}', scope)).toBe('payments-api-3');
    expect(renderValue('owner: ${{ parameters.missing }}.', scope)).toBe('owner: .');
    expect(renderValue('no expressions here', scope)).toBe('no expressions here');
  });

  it('renders objects and arrays member by member, leaving other values as they are', () => {
    const input = { repoUrl: '${{ parameters.repoUrl }}', topics: ['${{ parameters.name }}', 'team'], private: true, count: 2 };
    expect(renderValue(input, scope)).toEqual({ repoUrl: 'github.com?owner=acme&repo=payments-api', topics: ['payments-api', 'team'], private: true, count: 2 });
  });

  it('reads a closing brace inside a string or an object as part of the expression', () => {
    expect(renderValue("${{ '}}' }}", scope)).toBe('}}');
    expect(renderValue('${{ { a: { b: 1 } } }}', scope)).toEqual({ a: { b: 1 } });
  });

  it('names the expression that failed', () => {
    expect(() => renderValue('name: ${{ parameters.name | nope }}', scope)).toThrow(/in "\$\{\{ parameters.name \| nope \}\}": unknown filter "nope"/);
    expect(() => renderValue('name: ${{ parameters.name ', scope)).toThrow(/in "\$\{\{ parameters.name ": expected "\}"/);
  });
});

describe("a step's condition", () => {
  it('skips on false, undefined, null, empty text, zero and an empty list, as Backstage does', () => {
    for (const value of [false, undefined, null, '', 0, []]) expect(passesCondition(value)).toBe(false);
    for (const value of [true, 'false', 1, ['x'], {}]) expect(passesCondition(value)).toBe(true);
  });
});
