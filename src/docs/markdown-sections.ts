/** One heading's part of a Markdown page: its text up to the next heading of any level. */
export interface PageSection {
  heading: string;
  /** 1 for `#`; 0 for the text before a page's first heading. */
  level: number;
  /** MkDocs' anchor for the heading (its toc extension's slug, `_1`, `_2`... when repeated); '' for the page top. */
  anchor: string;
  text: string;
}

const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;

/**
 * MkDocs' default slug (Python-Markdown's toc `slugify`): accents folded, anything but word
 * characters, spaces and hyphens dropped, lower case, runs of spaces and hyphens one hyphen.
 */
export function headingAnchor(heading: string): string {
  return heading
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '-');
}

/** Inline Markdown read as plain text: links keep their words, emphasis and code lose their marks. */
export function plainText(markdown: string): string {
  // Code spans are kept as written (MAX_POOL_SIZE stays so); emphasis marks go only where they open
  // or close a word, as in **bold** and _em_, never inside one.
  return markdown
    .split(/(`+[^`]*`+)/)
    .map((part, position) =>
      position % 2 === 1
        ? part.replace(/^`+|`+$/g, '')
        : part
            .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
            // HTML tags and comments, not every pair of angle brackets: "a < b > c" is text.
            .replace(/<!--[\s\S]*?-->|<\/?[A-Za-z][^<>]*>/g, '')
            .replace(/(^|\W)[*_~]+(?=\S)/g, '$1')
            .replace(/(?<=\S)[*_~]+(?=\W|$)/g, ''),
    )
    .join('')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/**
 * A page split at its headings (ATX `#` and setext underlines; never inside fenced code), front
 * matter left out. Text before the first heading is a section of level 0 titled `pageTitle`.
 */
export function splitSections(markdown: string, pageTitle: string): PageSection[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    if (end > 0) start = end + 1;
  }
  const sections: PageSection[] = [];
  const used = new Map<string, number>();
  let current: PageSection = { heading: pageTitle, level: 0, anchor: '', text: '' };
  let body: string[] = [];
  let fence: string | undefined;
  const close = () => {
    current.text = plainText(body.join('\n')).replace(/\n{2,}/g, '\n').trim();
    if (current.level > 0 || current.text) sections.push(current);
    body = [];
  };
  const open = (heading: string, level: number) => {
    close();
    const text = plainText(heading);
    const slug = headingAnchor(text) || 'section';
    const seen = used.get(slug) ?? 0;
    used.set(slug, seen + 1);
    current = { heading: text, level, anchor: seen === 0 ? slug : `${slug}_${seen}`, text: '' };
  };
  // Whether the line before is part of a paragraph: an underline below one is a rule, not a heading.
  let inParagraph = false;
  for (let index = start; index < lines.length; index++) {
    const line = lines[index]!;
    const fenceMark = FENCE.exec(line)?.[1];
    if (fence) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      body.push(line);
      continue;
    }
    if (fenceMark) {
      fence = fenceMark;
      inParagraph = false;
      body.push(line);
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      open(atx[2]!, atx[1]!.length);
      inParagraph = false;
      continue;
    }
    const underline = lines[index + 1] !== undefined ? SETEXT.exec(lines[index + 1]!) : null;
    if (underline && line.trim() && !/^ {4}/.test(line) && !inParagraph) {
      open(line.trim(), underline[1]![0] === '=' ? 1 : 2);
      index++;
      continue;
    }
    inParagraph = line.trim() !== '';
    body.push(line);
  }
  close();
  return sections;
}
