import { describe, expect, it } from 'vitest';
import { headingAnchor, splitSections } from '../../../src/docs/markdown-sections.js';

describe('a Markdown page as sections', () => {
  it('splits at ATX and setext headings, never inside fenced code, without front matter', () => {
    const page = [
      '---',
      'title: ignored',
      '---',
      'Intro text with a [link](https://example.com) and `code`.',
      '',
      '# Rotate the *API* keys',
      'Step one.',
      '```sh',
      '# not a heading',
      'vault write secret/x',
      '```',
      'Second setup',
      '------------',
      'More.',
      '### Rotate the API keys',
      'Again.',
    ].join('\n');
    const sections = splitSections(page, 'Keys');
    expect(sections.map(({ heading, level, anchor }) => [heading, level, anchor])).toEqual([
      ['Keys', 0, ''],
      ['Rotate the API keys', 1, 'rotate-the-api-keys'],
      ['Second setup', 2, 'second-setup'],
      ['Rotate the API keys', 3, 'rotate-the-api-keys_1'],
    ]);
    expect(sections[0]!.text).toBe('Intro text with a link and code.');
    expect(sections[1]!.text).toContain('# not a heading');
    expect(sections.map((section) => section.text).join(' ')).not.toContain('ignored');
  });

  it("slugs headings as MkDocs' toc extension does", () => {
    expect(headingAnchor('Café & Crème: how-to (v2)!')).toBe('cafe-creme-how-to-v2');
    expect(headingAnchor('  Many   spaces -- here ')).toBe('many-spaces-here');
  });

  it('keeps underscores inside words and code spans, in the heading and its anchor', () => {
    const [section] = splitSections('## Set `max_pool_size` or MAX_POOL_SIZE, **not** _both_\n\nUse `a_b`.\n', 'Page');
    expect(section).toMatchObject({ heading: 'Set max_pool_size or MAX_POOL_SIZE, not both', anchor: 'set-max_pool_size-or-max_pool_size-not-both', text: 'Use a_b.' });
  });
});
