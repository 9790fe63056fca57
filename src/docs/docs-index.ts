import MiniSearch from 'minisearch';

/** One indexed section: a heading's part of a page, with the entity whose docs it is in. */
export interface IndexedSection {
  entity: string;
  entityTitle: string;
  page: string;
  pageTitle: string;
  heading: string;
  level: number;
  url: string;
  text: string;
}

export interface SectionHit {
  entity: string;
  page: string;
  heading: string;
  url: string;
  snippet: string;
  score: number;
}

/** Words a question says that say nothing about which section it wants. */
const QUESTION_WORDS = new Set(['how', 'do', 'i', 'we', 'you', 'the', 'a', 'an', 'to', 'of', 'in', 'on', 'for', 'is', 'are', 'what', 'where', 'can', 'my', 'our', 'and', 'or', 'with', 'does', 'should']);

const SNIPPET_CHARACTERS = 200;

/** Around the first word of the query the text holds, cut at word boundaries. */
function snippetOf(text: string, terms: string[]): string {
  const lower = text.toLowerCase();
  const at = Math.max(0, Math.min(...terms.map((term) => lower.indexOf(term)).filter((index) => index >= 0), text.length));
  const start = at > SNIPPET_CHARACTERS / 2 ? text.lastIndexOf(' ', at - SNIPPET_CHARACTERS / 3) + 1 : 0;
  const piece = text.slice(start, start + SNIPPET_CHARACTERS).replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${piece}${start + SNIPPET_CHARACTERS < text.length ? '…' : ''}`;
}

/** The sections of every site, searchable by heading, page title, entity and text (minisearch). */
export class DocsIndex {
  private readonly sections: IndexedSection[] = [];
  private readonly search = new MiniSearch<IndexedSection & { id: number }>({
    fields: ['heading', 'pageTitle', 'entityTitle', 'text'],
    storeFields: [],
    searchOptions: { boost: { heading: 3, pageTitle: 2, entityTitle: 1.5 }, prefix: true, fuzzy: 0.2, combineWith: 'AND' },
  });

  constructor(sections: IndexedSection[]) {
    this.sections = sections;
    this.search.addAll(sections.map((section, id) => ({ ...section, id })));
  }

  get size(): number {
    return this.sections.length;
  }

  /** The best sections for a question, each with a snippet; an AND of its words first, then any of them. */
  find(question: string, limit = 5): SectionHit[] {
    const words = question.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word && !QUESTION_WORDS.has(word));
    if (words.length === 0) return [];
    const query = words.join(' ');
    let results = this.search.search(query);
    if (results.length === 0) results = this.search.search(query, { combineWith: 'OR' });
    return results.slice(0, limit).map((result) => {
      const section = this.sections[result.id as number]!;
      return { entity: section.entity, page: section.pageTitle, heading: section.heading, url: section.url, snippet: snippetOf(section.text, words), score: Math.round(result.score * 100) / 100 };
    });
  }
}
