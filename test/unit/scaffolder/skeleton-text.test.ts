import { describe, expect, it } from 'vitest';
import { renderSkeletonText, SkeletonError } from '../../../src/scaffolder/skeleton-text.js';

const values = { name: 'payments-api', owner: 'group:default/payments-team', description: 'Takes "payments"\nspec:\n  owner: attacker', tags: ['go', 'grpc'], public: false, port: 8080 };
const render = (text: string) => renderSkeletonText(text, { values }, 'skeleton/catalog-info.yaml');

describe('skeleton files', () => {
  it("renders Backstage's placeholders with paths and filters", () => {
    expect(render('name: ${{ values.name }}\nowner: ${{ values.owner | parseEntityRef | pick("name") }}\nport: ${{ values.port }}\n')).toBe(
      'name: payments-api\nowner: payments-team\nport: 8080\n',
    );
  });

  it('keeps a value placed with dump inside its YAML scalar, whatever it holds', () => {
    expect(render('description: ${{ values.description | dump }}\n')).toBe('description: "Takes \\"payments\\"\\nspec:\\n  owner: attacker"\n');
  });

  it('renders if, elif and else blocks, trimming whitespace where nunjucks would', () => {
    const text = 'a\n{%- if values.public %}\npublic\n{%- elif values.port > 8000 %}\nhigh port\n{%- else %}\nother\n{%- endif %}\nz';
    expect(render(text)).toBe('a\nhigh port\nz');
    expect(render('{% if "go" in values.tags %}go{% endif %}|{% if not values.public %}private{% else %}public{% endif %}')).toBe('go|private');
    // -%} trims the whitespace after its tag only, not text after a value that follows it.
    expect(render('{% if true -%}  ${{ values.name }}   b{% endif %}')).toBe('payments-api   b');
  });

  it('leaves handlebars and GitHub Actions syntax alone, and raw blocks as they are', () => {
    expect(render('image: {{ .Values.image }}\n')).toBe('image: {{ .Values.image }}\n');
    expect(render('run: {% raw %}${{ secrets.TOKEN }}{% endraw %} for ${{ values.name }}')).toBe('run: ${{ secrets.TOKEN }} for payments-api');
    expect(render("token: ${{ '${{ secrets.TOKEN }}' }}")).toBe('token: ${{ secrets.TOKEN }}');
    expect(render('{{#each x}}\\{{{text 0}}}')).toBe('{{#each x}}\\{{{text 0}}}');
  });

  it('never renders a value twice: a value that looks like a template stays text', () => {
    const rendered = renderSkeletonText('${{ values.trap }}', { values: { trap: '${{ values.other }} {{text 0}} {% if true %}x{% endif %}' } }, 'f');
    expect(rendered).toBe('${{ values.other }} {{text 0}} {% if true %}x{% endif %}');
  });

  it('drops comments', () => {
    expect(render('a{# a note for template authors #}b')).toBe('ab');
  });

  it('refuses nunjucks constructs it does not support, naming the file and line', () => {
    expect(() => render('one\ntwo\n{% for tag in values.tags %}{{ tag }}{% endfor %}')).toThrow(SkeletonError);
    expect(() => render('one\ntwo\n{% for tag in values.tags %}{{ tag }}{% endfor %}')).toThrow(/^skeleton\/catalog-info.yaml:3: \{% for %\} is a nunjucks construct/);
    expect(() => render('x\n{% if values.public %}\nno end')).toThrow(/catalog-info.yaml:2: \{% if %\} without its \{% endif %\}/);
    expect(() => render('{% endif %}')).toThrow(/without its \{% if %\}/);
    expect(() => render('{% if true %}a{% else %}b\n{% else %}c{% endif %}')).toThrow(/catalog-info.yaml:2: a second \{% else %\} in one \{% if %\}/);
    expect(() => render('{% if true %}a{% else %}b{% elif false %}c{% endif %}')).toThrow(/\{% elif %\} after the \{% else %\}/);
    expect(() => render('a\nb ${{ values.name | nope }}')).toThrow(/catalog-info.yaml:2: .*unknown filter "nope"/);
    expect(() => render('a ${{ values.name ')).toThrow(/catalog-info.yaml:1: /);
    expect(() => render('{% if values.name == %}x{% endif %}')).toThrow(/catalog-info.yaml:1: \{% if values.name == %\}/);
  });
});
