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

/**
 * The sections of every site, searchable by heading, page title, entity and text (minisearch).
 * A site is replaced whole when it changes; the others stay indexed as they are.
 */
export class DocsIndex {
  private readonly sections = new Map<number, IndexedSection>();
  private readonly idsOf = new Map<string, number[]>();
  private nextId = 0;
  private readonly search = new MiniSearch<IndexedSection & { id: number }>({
    fields: ['heading', 'pageTitle', 'entityTitle', 'text'],
    storeFields: [],
    // Only the last word is completed (it may be half typed): every expansion is a posting list to score.
    searchOptions: { boost: { heading: 3, pageTitle: 2, entityTitle: 1.5 }, prefix: (_term, position, terms) => position === terms.length - 1, combineWith: 'AND' },
  });

  get size(): number {
    return this.sections.size;
  }

  /** The entity's site, as these sections (none: it has no site any more). */
  replaceSite(entity: string, sections: IndexedSection[]): void {
    for (const id of this.idsOf.get(entity) ?? []) {
      this.search.discard(id);
      this.sections.delete(id);
    }
    if (sections.length === 0) {
      this.idsOf.delete(entity);
      return;
    }
    const added = sections.map((section) => ({ ...section, id: this.nextId++ }));
    for (const section of added) this.sections.set(section.id, section);
    this.idsOf.set(entity, added.map((section) => section.id));
    this.search.addAll(added);
  }

  /** The entities with a site indexed. */
  sites(): string[] {
    return [...this.idsOf.keys()];
  }

  /** The best sections for a question, each with a snippet: all of its words first, then with typos, then any of them. */
  find(question: string, limit = 5): SectionHit[] {
    const words = question.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word && !QUESTION_WORDS.has(word));
    if (words.length === 0) return [];
    const query = words.join(' ');
    // Widening only while too little is found: typos (in longer words) cost a walk of the whole
    // dictionary, and any-of-the-words matches most of it.
    const typos = { fuzzy: (term: string) => (term.length >= 5 ? 0.2 : false), maxFuzzy: 2 };
    let results = this.search.search(query);
    if (results.length < limit) results = this.search.search(query, typos);
    if (results.length === 0) results = this.search.search(query, { combineWith: 'OR' });
    return results.slice(0, limit).map((result) => {
      const section = this.sections.get(result.id as number)!;
      return { entity: section.entity, page: section.pageTitle, heading: section.heading, url: section.url, snippet: snippetOf(section.text, words), score: Math.round(result.score * 100) / 100 };
    });
  }
}
