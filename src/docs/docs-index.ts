import { EntityIndex } from '../catalog/search/entity-index.js';

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
 * The sections of every site, searchable by heading, page title, entity and text. They sit in an
 * index of the catalog's own kind (postings scored as it scores entities: the heading as a name,
 * the page title as a title, the text as a description), so a question costs what a catalog
 * search does. A site is replaced whole when it changes; the others stay indexed as they are.
 */
export class DocsIndex {
  private readonly sections = new Map<string, IndexedSection>();
  private readonly idsOf = new Map<string, string[]>();
  private nextId = 0;
  private readonly index = new EntityIndex();

  get size(): number {
    return this.sections.size;
  }

  /** The entity's site, as these sections (none: it has no site any more). */
  replaceSite(entity: string, sections: IndexedSection[]): void {
    for (const id of this.idsOf.get(entity) ?? []) {
      this.index.remove(id);
      this.sections.delete(id);
    }
    if (sections.length === 0) {
      this.idsOf.delete(entity);
      return;
    }
    const ids: string[] = [];
    for (const section of sections) {
      const id = `section:${this.nextId++}`;
      ids.push(id);
      this.sections.set(id, section);
      this.index.upsert({ id, name: section.heading, title: section.pageTitle, description: section.text, tags: [], kind: 'section', type: '', lifecycle: '', owner: section.entity, system: '', namespace: '', links: section.entityTitle });
    }
    this.idsOf.set(entity, ids);
  }

  /** The entities with a site indexed. */
  sites(): string[] {
    return [...this.idsOf.keys()];
  }

  /** The best sections for a question, each with a snippet: all of its words first (widened as the catalog's search widens), then any of them. */
  find(question: string, limit = 5): SectionHit[] {
    const words = question.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word && !QUESTION_WORDS.has(word));
    if (words.length === 0) return [];
    let hits = this.index.search(words.join(' '), {}, { limit }).hits;
    if (hits.length === 0 && words.length > 1) {
      // None holds every word: the sections holding most of them, by their summed scores.
      const scores = new Map<string, number>();
      for (const word of words) for (const hit of this.index.search(word, {}, { limit: limit * 4 }).hits) scores.set(hit.ref, (scores.get(hit.ref) ?? 0) + hit.score);
      hits = [...scores].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([ref, score]) => ({ ref, score }));
    }
    return hits.map((hit) => {
      const section = this.sections.get(hit.ref)!;
      return { entity: section.entity, page: section.pageTitle, heading: section.heading, url: section.url, snippet: snippetOf(section.text, words), score: Math.round(hit.score * 100) / 100 };
    });
  }
}
