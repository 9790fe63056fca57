import { BUILT_IN_FILTERS, type TemplateFilters } from './template-filters.js';

/**
 * Backstage's `${{ }}` template expressions, in the nunjucks syntax its templates are written in:
 * paths (`parameters.name`, `steps['publish'].output.remoteUrl`, `each.value`), literals, arrays and
 * objects, filters with arguments (`parameters.owner | parseEntityRef | pick('name')`), comparisons,
 * `and`/`or`/`not`, `in`, `~` and arithmetic, and `a if test else b`. Templates are data written by
 * teams, so nothing in them runs as code: expressions are parsed here and evaluated over the scope,
 * and a path reads only a value's own properties (never a prototype, never a function).
 */

export class ExpressionError extends Error {}

/** The values an expression may read: `parameters`, `steps`, `user`, `each`, `values`, `secrets`... */
export type ExpressionScope = Readonly<Record<string, unknown>>;

type Node =
  | { type: 'literal'; value: unknown }
  | { type: 'name'; name: string }
  | { type: 'member'; object: Node; property: Node }
  | { type: 'filter'; name: string; input: Node; args: Node[] }
  | { type: 'not'; operand: Node }
  | { type: 'test'; name: string; negated: boolean; operand: Node }
  | { type: 'negate'; operand: Node }
  | { type: 'binary'; operator: BinaryOperator; left: Node; right: Node }
  | { type: 'conditional'; test: Node; then: Node; otherwise: Node | undefined }
  | { type: 'array'; items: Node[] }
  | { type: 'object'; entries: [Node, Node][] };

type BinaryOperator = 'and' | 'or' | 'in' | 'not in' | '==' | '!=' | '===' | '!==' | '<' | '>' | '<=' | '>=' | '~' | '+' | '-' | '*' | '/' | '%';

interface Token {
  kind: 'string' | 'number' | 'name' | 'punct';
  text: string;
  value?: string | number;
  at: number;
}

/** Nunjucks' tests, by name. */
const TESTS: Record<string, (value: unknown) => boolean> = {
  defined: (value) => value !== undefined,
  undefined: (value) => value === undefined,
  none: (value) => value === null,
  null: (value) => value === null,
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
  truthy: (value) => Boolean(value),
  falsy: (value) => !value,
  odd: (value) => typeof value === 'number' && Math.abs(value % 2) === 1,
  even: (value) => typeof value === 'number' && value % 2 === 0,
  mapping: (value) => isPlainObject(value),
  iterable: (value) => Array.isArray(value) || typeof value === 'string',
};

const PUNCTUATION = ['===', '!==', '==', '!=', '<=', '>=', '(', ')', '[', ']', '{', '}', '.', ',', '|', ':', '~', '+', '-', '*', '/', '%', '<', '>'];
const COMPARISONS: readonly BinaryOperator[] = ['===', '!==', '==', '!=', '<=', '>=', '<', '>'];
const CONSTANTS: Record<string, unknown> = { true: true, True: true, false: false, False: false, null: null, none: null, None: null, undefined };

/** Reads tokens from `source` at `start` until the expression's closing `}}` (when `embedded`) or the end. */
class Tokens {
  private position: number;
  private peeked: Token | undefined;

  constructor(
    private readonly source: string,
    start: number,
  ) {
    this.position = start;
  }

  get offset(): number {
    return this.peeked ? this.peeked.at : this.position;
  }

  peek(): Token | undefined {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token | undefined {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  /** True, and consumed, when the next token is this punctuation or word. */
  take(text: string): boolean {
    const token = this.peek();
    if (!token || token.text !== text || token.kind === 'string') return false;
    this.next();
    return true;
  }

  expect(text: string): void {
    if (!this.take(text)) throw this.error(`expected "${text}"`);
  }

  error(message: string): ExpressionError {
    const token = this.peek();
    return new ExpressionError(`${message} ${token ? `at "${token.text}"` : 'at the end'} (column ${this.offset + 1})`);
  }

  private read(): Token | undefined {
    const { source } = this;
    while (this.position < source.length && /\s/.test(source[this.position]!)) this.position += 1;
    if (this.position >= source.length) return undefined;
    const at = this.position;
    const char = source[at]!;
    if (char === "'" || char === '"') return this.readString(char, at);
    const number = /^\d+(\.\d+)?/.exec(source.slice(at, at + 32));
    if (number) {
      this.position += number[0].length;
      return { kind: 'number', text: number[0], value: Number(number[0]), at };
    }
    const name = /^[A-Za-z_$][\w$]*/.exec(source.slice(at, at + 256));
    if (name) {
      this.position += name[0].length;
      return { kind: 'name', text: name[0], at };
    }
    const punct = PUNCTUATION.find((candidate) => source.startsWith(candidate, at));
    if (!punct) throw new ExpressionError(`unexpected character "${char}" (column ${at + 1})`);
    this.position += punct.length;
    return { kind: 'punct', text: punct, at };
  }

  private readString(quote: string, at: number): Token {
    const { source } = this;
    let value = '';
    let index = at + 1;
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
    while (index < source.length && source[index] !== quote) {
      if (source[index] === '\\' && index + 1 < source.length) {
        value += escapes[source[index + 1]!] ?? source[index + 1]!;
        index += 2;
      } else {
        value += source[index];
        index += 1;
      }
    }
    if (index >= source.length) throw new ExpressionError(`a string opened at column ${at + 1} is not closed`);
    this.position = index + 1;
    return { kind: 'string', text: source.slice(at, index + 1), value, at };
  }
}

/** A recursive-descent parser over nunjucks' precedence: inline if, or, and, not, in, comparisons, ~, + -, * / %, unary minus, filters, paths. */
class Parser {
  constructor(private readonly tokens: Tokens) {}

  expression(): Node {
    const value = this.or();
    if (!this.tokens.take('if')) return value;
    const test = this.or();
    const otherwise = this.tokens.take('else') ? this.expression() : undefined;
    return { type: 'conditional', test, then: value, otherwise };
  }

  private or(): Node {
    return this.chain(['or'], () => this.and());
  }

  private and(): Node {
    return this.chain(['and'], () => this.not());
  }

  private not(): Node {
    if (this.tokens.take('not')) return { type: 'not', operand: this.not() };
    return this.membership();
  }

  private membership(): Node {
    const left = this.tested();
    if (this.tokens.take('in')) return { type: 'binary', operator: 'in', left, right: this.tested() };
    const token = this.tokens.peek();
    if (token?.kind === 'name' && token.text === 'not') {
      this.tokens.next();
      this.tokens.expect('in');
      return { type: 'binary', operator: 'not in', left, right: this.tested() };
    }
    return left;
  }

  /** Nunjucks' tests: `x is defined`, `x is not none`... */
  private tested(): Node {
    const operand = this.comparison();
    if (!this.tokens.take('is')) return operand;
    const negated = this.tokens.take('not');
    const name = this.tokens.next();
    if (name?.kind !== 'name' || !Object.hasOwn(TESTS, name.text)) throw this.tokens.error(`expected a test after "is" (${Object.keys(TESTS).join(', ')})`);
    return { type: 'test', name: name.text, negated, operand };
  }

  private comparison(): Node {
    return this.chain(COMPARISONS, () => this.concatenation());
  }

  private concatenation(): Node {
    return this.chain(['~'], () => this.sum());
  }

  private sum(): Node {
    return this.chain(['+', '-'], () => this.product());
  }

  private product(): Node {
    return this.chain(['*', '/', '%'], () => this.unary());
  }

  /** Operands of one precedence level joined left to right by any of `operators`. */
  private chain(operators: readonly BinaryOperator[], operand: () => Node): Node {
    let left = operand();
    for (let operator = operators.find((candidate) => this.tokens.take(candidate)); operator; operator = operators.find((candidate) => this.tokens.take(candidate))) {
      left = { type: 'binary', operator, left, right: operand() };
    }
    return left;
  }

  private unary(): Node {
    if (this.tokens.take('-')) return { type: 'negate', operand: this.unary() };
    return this.filtered();
  }

  private filtered(): Node {
    let input = this.path();
    while (this.tokens.take('|')) {
      const name = this.tokens.next();
      if (name?.kind !== 'name') throw this.tokens.error('expected a filter name after "|"');
      const args = this.tokens.take('(') ? this.list(')') : [];
      input = { type: 'filter', name: name.text, input, args };
    }
    return input;
  }

  private path(): Node {
    let node = this.primary();
    for (;;) {
      if (this.tokens.take('.')) {
        const property = this.tokens.next();
        if (property?.kind !== 'name' && property?.kind !== 'number') throw this.tokens.error('expected a property name after "."');
        node = { type: 'member', object: node, property: { type: 'literal', value: property.value ?? property.text } };
      } else if (this.tokens.take('[')) {
        const property = this.expression();
        this.tokens.expect(']');
        node = { type: 'member', object: node, property };
      } else if (this.tokens.peek()?.text === '(' && this.tokens.peek()?.kind === 'punct') {
        throw this.tokens.error('calls are not supported in template expressions; use a filter (value | name(args))');
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const token = this.tokens.next();
    if (!token) throw this.tokens.error('expected a value');
    if (token.kind === 'string' || token.kind === 'number') return { type: 'literal', value: token.value };
    if (token.kind === 'name') {
      if (Object.hasOwn(CONSTANTS, token.text)) return { type: 'literal', value: CONSTANTS[token.text] };
      return { type: 'name', name: token.text };
    }
    if (token.text === '(') {
      const inner = this.expression();
      this.tokens.expect(')');
      return inner;
    }
    if (token.text === '[') return { type: 'array', items: this.list(']') };
    if (token.text === '{') {
      const entries: [Node, Node][] = [];
      while (!this.tokens.take('}')) {
        const key = this.tokens.peek()?.kind === 'name' ? { type: 'literal' as const, value: this.tokens.next()!.text } : this.expression();
        this.tokens.expect(':');
        entries.push([key, this.expression()]);
        if (!this.tokens.take(',')) {
          this.tokens.expect('}');
          break;
        }
      }
      return { type: 'object', entries };
    }
    throw new ExpressionError(`expected a value, not "${token.text}" (column ${token.at + 1})`);
  }

  /** Comma-separated expressions up to `close` (already past the opening bracket). */
  private list(close: string): Node[] {
    const items: Node[] = [];
    while (!this.tokens.take(close)) {
      items.push(this.expression());
      if (!this.tokens.take(',')) {
        this.tokens.expect(close);
        break;
      }
    }
    return items;
  }
}

/** A parsed expression, to evaluate (with `evaluateParsed`) as often as needed. */
export type ParsedExpression = Node;

/**
 * Parses the expression that starts at `start` (just past its `${{`) and runs to its closing `}}`;
 * gives the expression and where the text goes on after it.
 */
export function scanExpression(text: string, start: number): { expression: ParsedExpression; end: number } {
  const tokens = new Tokens(text, start);
  const expression = new Parser(tokens).expression();
  tokens.expect('}');
  tokens.expect('}');
  return { expression, end: tokens.offset };
}

/** Whether the expression's value comes last out of this filter (`... | dump`). */
export function endsWithFilter(expression: ParsedExpression, name: string): boolean {
  return expression.type === 'filter' && expression.name === name;
}

export function evaluateParsed(expression: ParsedExpression, scope: ExpressionScope, filters: TemplateFilters = BUILT_IN_FILTERS): unknown {
  return evaluate(expression, scope, filters);
}

/** Parses one expression that fills `source` (the text between `${{` and `}}`, or a `{% if %}` condition). */
export function parseExpression(source: string): Node {
  const tokens = new Tokens(source, 0);
  const node = new Parser(tokens).expression();
  if (tokens.peek()) throw tokens.error('unexpected text after the expression');
  return node;
}

/** Evaluates one expression over `scope`. */
export function evaluateExpression(source: string, scope: ExpressionScope, filters: TemplateFilters = BUILT_IN_FILTERS): unknown {
  return evaluate(parseExpression(source), scope, filters);
}

function evaluate(node: Node, scope: ExpressionScope, filters: TemplateFilters): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'name':
      return ownProperty(scope, node.name);
    case 'member':
      return ownProperty(evaluate(node.object, scope, filters), evaluate(node.property, scope, filters));
    case 'filter': {
      const filter = Object.hasOwn(filters, node.name) ? filters[node.name] : undefined;
      if (!filter) throw new ExpressionError(`unknown filter "${node.name}"; the filters are ${Object.keys(filters).sort().join(', ')}`);
      const input = evaluate(node.input, scope, filters);
      const args = node.args.map((arg) => evaluate(arg, scope, filters));
      try {
        return filter(input, ...args);
      } catch (error) {
        throw new ExpressionError(`filter "${node.name}": ${(error as Error).message}`);
      }
    }
    case 'not':
      return !evaluate(node.operand, scope, filters);
    case 'test':
      return TESTS[node.name]!(evaluate(node.operand, scope, filters)) !== node.negated;
    case 'negate':
      return -Number(evaluate(node.operand, scope, filters));
    case 'conditional':
      return evaluate(node.test, scope, filters) ? evaluate(node.then, scope, filters) : node.otherwise && evaluate(node.otherwise, scope, filters);
    case 'array':
      return node.items.map((item) => evaluate(item, scope, filters));
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const [key, value] of node.entries) object[String(evaluate(key, scope, filters))] = evaluate(value, scope, filters);
      return object;
    }
    case 'binary':
      return binary(node, scope, filters);
  }
}

function binary(node: Node & { type: 'binary' }, scope: ExpressionScope, filters: TemplateFilters): unknown {
  const left = evaluate(node.left, scope, filters);
  if (node.operator === 'and') return left ? evaluate(node.right, scope, filters) : left;
  if (node.operator === 'or') return left ? left : evaluate(node.right, scope, filters);
  const right = evaluate(node.right, scope, filters);
  switch (node.operator) {
    case 'in':
      return contains(right, left);
    case 'not in':
      return !contains(right, left);
    // Nunjucks compiles these to JavaScript's own operators; so do we, on plain values.
    case '==':
      return left == right;
    case '!=':
      return left != right;
    case '===':
      return left === right;
    case '!==':
      return left !== right;
    case '<':
      return (left as number) < (right as number);
    case '>':
      return (left as number) > (right as number);
    case '<=':
      return (left as number) <= (right as number);
    case '>=':
      return (left as number) >= (right as number);
    case '~':
      return interpolated(left) + interpolated(right);
    case '+':
      return typeof left === 'number' && typeof right === 'number' ? left + right : interpolated(left) + interpolated(right);
    case '-':
      return Number(left) - Number(right);
    case '*':
      return Number(left) * Number(right);
    case '/':
      return Number(left) / Number(right);
    case '%':
      return Number(left) % Number(right);
  }
}

function contains(container: unknown, item: unknown): boolean {
  if (Array.isArray(container)) return container.includes(item);
  if (typeof container === 'string') return container.includes(String(item));
  if (isPlainObject(container)) return Object.hasOwn(container, String(item));
  return false;
}

/** A value's own property (or an array's element, or a string's or array's length); undefined otherwise, as nunjucks is lenient with missing paths. */
function ownProperty(value: unknown, key: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if ((Array.isArray(value) || typeof value === 'string') && key === 'length') return value.length;
  if (Array.isArray(value)) return typeof key === 'number' || /^\d+$/.test(String(key)) ? value[Number(key)] : undefined;
  if (!isPlainObject(value)) return undefined;
  const name = String(key);
  return Object.hasOwn(value, name) ? value[name] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** How a value reads inside text: nothing for undefined and null, JSON for objects, else its string. */
export function interpolated(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (isPlainObject(value)) return JSON.stringify(value);
  return String(value);
}

const OPEN = '${{';

/** The parts of a text: literal text and the expressions in it, each with where it starts. */
function parts(text: string): ({ text: string } | { expression: Node; at: number; source: string })[] {
  const found: ({ text: string } | { expression: Node; at: number; source: string })[] = [];
  let position = 0;
  for (let start = text.indexOf(OPEN); start >= 0; start = text.indexOf(OPEN, position)) {
    if (start > position) found.push({ text: text.slice(position, start) });
    let expression: Node;
    try {
      ({ expression, end: position } = scanExpression(text, start + OPEN.length));
    } catch (error) {
      throw new ExpressionError(`in "${excerpt(text, start)}": ${(error as Error).message.replace(/\(column (\d+)\)/, (_, column: string) => `(column ${Number(column) - start})`)}`);
    }
    found.push({ expression, at: start, source: text.slice(start, position) });
  }
  if (position < text.length) found.push({ text: text.slice(position) });
  return found;
}

function excerpt(text: string, start: number): string {
  const end = text.indexOf('}}', start);
  const piece = text.slice(start, end < 0 ? start + 60 : Math.min(end + 2, start + 120));
  return piece.replace(/\s+/g, ' ');
}

/**
 * Renders a template value: each string's expressions are evaluated, arrays and objects are
 * rendered member by member. A string that is one expression and nothing else keeps the type of
 * its value (an array, an object, a boolean), as Backstage's v1beta3 does; any other string is text.
 */
export function renderValue(value: unknown, scope: ExpressionScope, filters: TemplateFilters = BUILT_IN_FILTERS): unknown {
  if (typeof value === 'string') return renderString(value, scope, filters);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope, filters));
  if (isPlainObject(value)) {
    const rendered: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) rendered[key] = renderValue(item, scope, filters);
    return rendered;
  }
  return value;
}

function renderString(text: string, scope: ExpressionScope, filters: TemplateFilters): unknown {
  if (!text.includes(OPEN)) return text;
  const found = parts(text);
  const evaluated = (part: { expression: Node; source: string }) => {
    try {
      return evaluate(part.expression, scope, filters);
    } catch (error) {
      throw new ExpressionError(`in "${part.source}": ${(error as Error).message}`);
    }
  };
  const expressions = found.filter((part): part is { expression: Node; at: number; source: string } => 'expression' in part);
  if (expressions.length === 1 && found.every((part) => 'expression' in part || part.text.trim() === '')) return evaluated(expressions[0]!);
  return found.map((part) => ('expression' in part ? interpolated(evaluated(part)) : part.text)).join('');
}

/** Whether a step's or output's `if` lets it run: false, undefined, null, "", 0 and [] skip it, as in Backstage. */
export function passesCondition(value: unknown): boolean {
  return !(value === false || value === undefined || value === null || value === '' || value === 0 || (Array.isArray(value) && value.length === 0));
}

/** What fails to parse among the expressions in a template value, each naming where it is (`steps[0].input.url`). */
export function expressionProblems(value: unknown, at: string): string[] {
  if (typeof value === 'string') {
    if (!value.includes(OPEN)) return [];
    try {
      parts(value);
      return [];
    } catch (error) {
      return [`${at}: ${(error as Error).message}`];
    }
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => expressionProblems(item, `${at}[${index}]`));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([key, item]) => expressionProblems(item, at ? `${at}.${key}` : key));
  return [];
}
