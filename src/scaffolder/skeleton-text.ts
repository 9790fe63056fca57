import Handlebars from 'handlebars';
import { endsWithFilter, evaluateParsed, ExpressionError, interpolated, parseExpression, scanExpression, type ExpressionScope, type ParsedExpression } from './expressions.js';

/** A skeleton file (or file name) that cannot be rendered; the message names the file and line. */
export class SkeletonError extends Error {}

/**
 * Renders a skeleton file the way Backstage's fetch:template does, with handlebars doing the
 * rendering. Backstage's skeletons are nunjucks with `${{ }}` placeholders, so they are translated
 * first: each `${{ expression }}` becomes a call to a helper that evaluates it (see expressions.ts),
 * `{% if %}` / `{% elif %}` / `{% else %}` / `{% endif %}` become handlebars' own if blocks,
 * `{% raw %}` keeps its text as it is, `{# comments #}` go, and `{%-`/`-%}` trim whitespace as in
 * nunjucks. Literal text never reaches handlebars' parser (it is emitted by a helper too), so a
 * `{{` in a Helm chart or a GitHub workflow stays what it is, and no value is ever rendered twice.
 * Other nunjucks tags (`for`, `set`, `macro`, `include`...) are refused, naming the file and line.
 * In a YAML file (`yaml`), a value holding a line break must be placed with `| dump`.
 */
export function renderSkeletonText(text: string, scope: ExpressionScope, file: string, options: { yaml?: boolean } = {}): string {
  const translated = translate(text, file);
  const handlebars = Handlebars.create();
  let render: HandlebarsTemplateDelegate;
  try {
    render = handlebars.compile(translated.source, { noEscape: true, strict: false, knownHelpersOnly: true, knownHelpers: { text: true, value: true, test: true }, preventIndent: true });
  } catch (error) {
    // Only our own translation reaches handlebars' parser, so this means a bug of ours, not of the skeleton.
    throw new SkeletonError(`${file}: could not be rendered: ${(error as Error).message}`);
  }
  const evaluate = (index: number) => {
    const { expression, line } = translated.expressions[index]!;
    try {
      return evaluateParsed(expression, scope);
    } catch (error) {
      throw new SkeletonError(`${file}:${line}: ${(error as Error).message}`);
    }
  };
  return render(
    {},
    {
      helpers: {
        text: (index: number) => translated.texts[index],
        value: (index: number) => {
          const value = interpolated(evaluate(index));
          // In YAML a line break in a value can add keys or whole documents; placed with dump it cannot.
          if (options.yaml && /[\r\n]/.test(value) && !endsWithFilter(translated.expressions[index]!.expression, 'dump')) {
            throw new SkeletonError(`${file}:${translated.expressions[index]!.line}: a value with a line break would change this YAML file's structure; place it with | dump`);
          }
          return value;
        },
        test: (index: number) => Boolean(evaluate(index)),
      },
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    },
  );
}

interface Translation {
  source: string;
  texts: string[];
  expressions: { expression: ParsedExpression; line: number }[];
}

const TAG = /^\{%(-?)\s*(\w+)\s*([\s\S]*?)\s*(-?)%\}/;

function translate(text: string, file: string): Translation {
  const translation: Translation = { source: '', texts: [], expressions: [] };
  const blocks: { tag: string; line: number; hasElse: boolean }[] = [];
  let pending = '';
  // `{%-` trims the whitespace before it, `-%}` the whitespace after it.
  let trimNext = false;
  // Offsets only grow, so lines are counted from the last one asked for.
  let counted = { offset: 0, line: 1 };
  const lineAt = (offset: number) => {
    let { line } = counted;
    for (let index = text.indexOf('\n', counted.offset); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) line += 1;
    counted = { offset, line };
    return line;
  };
  const flushText = (trimEnd: boolean) => {
    const chunk = trimEnd ? pending.replace(/\s+$/, '') : pending;
    pending = '';
    if (chunk) translation.source += `{{text ${translation.texts.push(chunk) - 1}}}`;
  };
  const expression = (parsed: ParsedExpression, line: number) => translation.expressions.push({ expression: parsed, line }) - 1;
  let position = 0;
  while (position < text.length) {
    const next = nextSpecial(text, position);
    const literal = text.slice(position, next);
    pending += trimNext ? literal.replace(/^\s+/, '') : literal;
    if (literal) trimNext = false;
    position = next;
    if (position >= text.length) break;
    const line = lineAt(position);
    if (text.startsWith('${{', position)) {
      let scanned;
      try {
        scanned = scanExpression(text, position + 3);
      } catch (error) {
        throw new SkeletonError(`${file}:${line}: ${(error as Error).message.replace(/\(column \d+\)/, '').trim()}`);
      }
      flushText(false);
      translation.source += `{{value ${expression(scanned.expression, line)}}}`;
      position = scanned.end;
      // A `-%}` trims only the whitespace right after its tag, not text after a value.
      trimNext = false;
      continue;
    }
    if (text.startsWith('{#', position)) {
      const end = text.indexOf('#}', position + 2);
      if (end < 0) throw new SkeletonError(`${file}:${line}: a {# comment #} is not closed`);
      position = end + 2;
      continue;
    }
    const tag = TAG.exec(text.slice(position));
    if (!tag) throw new SkeletonError(`${file}:${line}: a {% tag %} is not closed`);
    const [whole, trimBefore, name, argument, trimAfter] = tag as unknown as [string, string, string, string, string];
    flushText(trimBefore === '-');
    position += whole.length;
    trimNext = trimAfter === '-';
    const condition = () => {
      try {
        return expression(parseExpression(argument), line);
      } catch (error) {
        throw new SkeletonError(`${file}:${line}: {% ${name} ${argument} %}: ${(error as ExpressionError).message}`);
      }
    };
    switch (name) {
      case 'if':
        blocks.push({ tag: 'if', line, hasElse: false });
        translation.source += `{{#if (test ${condition()})}}`;
        break;
      case 'elif':
      case 'elseif':
        if (blocks.at(-1)?.tag !== 'if') throw new SkeletonError(`${file}:${line}: {% ${name} %} outside an {% if %}`);
        if (blocks.at(-1)!.hasElse) throw new SkeletonError(`${file}:${line}: {% ${name} %} after the {% else %} of its {% if %}`);
        translation.source += `{{else if (test ${condition()})}}`;
        break;
      case 'else':
        if (blocks.at(-1)?.tag !== 'if') throw new SkeletonError(`${file}:${line}: {% else %} outside an {% if %}`);
        if (blocks.at(-1)!.hasElse) throw new SkeletonError(`${file}:${line}: a second {% else %} in one {% if %}`);
        blocks.at(-1)!.hasElse = true;
        translation.source += '{{else}}';
        break;
      case 'endif':
        if (!blocks.pop()) throw new SkeletonError(`${file}:${line}: {% endif %} without its {% if %}`);
        translation.source += '{{/if}}';
        break;
      case 'raw': {
        const end = /\{%-?\s*endraw\s*-?%\}/.exec(text.slice(position));
        if (!end) throw new SkeletonError(`${file}:${line}: {% raw %} without its {% endraw %}`);
        pending += text.slice(position, position + end.index);
        position += end.index + end[0].length;
        break;
      }
      default:
        throw new SkeletonError(
          `${file}:${line}: {% ${name} %} is a nunjucks construct Callboard's skeletons do not support; use \${{ }} expressions and {% if %} blocks, or list the file under copyWithoutTemplating`,
        );
    }
  }
  const open = blocks.pop();
  if (open) throw new SkeletonError(`${file}:${open.line}: {% if %} without its {% endif %}`);
  flushText(false);
  return translation;
}

/**
 * Where the next placeholder, tag or comment starts, or the end of the text. A `{#` right after a
 * `{` is handlebars' `{{#each}}` in a skeleton, text here (nunjucks would refuse the file).
 */
function nextSpecial(text: string, from: number): number {
  let comment = text.indexOf('{#', from);
  while (comment > 0 && text[comment - 1] === '{') comment = text.indexOf('{#', comment + 1);
  const candidates = [text.indexOf('${{', from), text.indexOf('{%', from), comment].filter((index) => index >= 0);
  return candidates.length > 0 ? Math.min(...candidates) : text.length;
}
