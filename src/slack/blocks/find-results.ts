import type { Button, KnownBlock } from '@slack/types';
import type { FindAnswer, FindResult } from '../../catalog/answers/find.js';
import { compareStrings, nameOfRef } from '../../catalog/model/entity-ref.js';
import { FACET_FIELDS, type FacetField, type Facets } from '../../catalog/search/entity-index.js';
import { ACTIONS } from './action-ids.js';
import { actions, button, section } from './block-parts.js';
import { fitMessage, truncateText, type SlackMessage } from './limits.js';
import { escapeText } from './mrkdwn.js';

export interface FindResultsOptions {
  query: string;
  offset: number;
  pageSize: number;
  /** Posted to the channel already: no Share button. */
  shared?: boolean;
  /** For the catalog's description: how many services there are, by tag. */
  services?: { total: number; byTag: Record<string, number> };
}

/** The value a pagination button carries back to the `find_page:*` listener. */
export interface FindPageValue {
  q: string;
  offset: number;
  /** The results are posted where everyone sees them (a thread, a shared answer): later pages offer no Share button. */
  shared?: true;
}

/** An empty query or "stats" asks what the catalog holds rather than searching. */
export function isStatsQuery(query: string): boolean {
  const trimmed = query.trim().toLowerCase();
  return trimmed === '' || trimmed === 'stats';
}

const DESCRIPTION_CHARS = 200;
const TOP_FACET_VALUES = 3;
const STATS_FACET_VALUES = 10;
const FACET_LABELS: Record<FacetField, string> = { kind: 'Kinds', type: 'Types', tag: 'Tags', lifecycle: 'Lifecycles' };

/**
 * One page of `find` hits with paging and a facet line. An empty query or "stats" describes the catalog
 * instead, without a Share button: there is no query to share it by.
 */
export function findResults(answer: FindAnswer, options: FindResultsOptions): SlackMessage {
  const query = options.query.trim();
  if (isStatsQuery(query)) return catalogStats(answer, options.services);
  const escapedQuery = escapeText(query.replace(/\s+/g, ' '));
  const headline = answer.total === 0 ? `No results for ${escapedQuery}` : `${answer.total} ${answer.total === 1 ? 'result' : 'results'} for ${escapedQuery}`;
  const blocks: KnownBlock[] = [section(`*${headline}*${rangeNote(answer, options.offset)}`)];
  const facetLine = topFacets(answer.facets);
  if (facetLine) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: facetLine }] });
  blocks.push(...answer.results.map((result) => section(resultText(result))));
  const buttons = [...pageButtons(answer, options), ...(options.shared ? [] : [button('Share in channel', ACTIONS.shareFind, JSON.stringify({ q: options.query, offset: options.offset } satisfies FindPageValue))])];
  if (buttons.length > 0) blocks.push(actions(buttons));
  return fitMessage({ text: headline, blocks }, { moreText: 'Narrow the search with filters such as `kind:api` or `owner:team-a`.' });
}

function rangeNote(answer: FindAnswer, offset: number): string {
  if (answer.results.length === 0 || answer.results.length === answer.total) return '';
  return ` (${offset + 1}–${offset + answer.results.length})`;
}

/** One hit as mrkdwn: title, kind, owner and the start of its description. */
export function resultText(result: FindResult): string {
  const name = nameOfRef(result.ref);
  const title = result.title === name ? `*${escapeText(name)}*` : `*${escapeText(result.title)}* (${escapeText(name)})`;
  const owner = result.owner ? ` · owned by ${escapeText(nameOfRef(result.owner))}` : '';
  const description = result.description ? `\n${escapeText(truncateText(result.description.replace(/\s+/g, ' '), DESCRIPTION_CHARS))}` : '';
  return `${title} · ${escapeText(result.kind)}${owner}${description}`;
}

function pageButtons(answer: FindAnswer, { query, offset, pageSize, shared }: FindResultsOptions): Button[] {
  const pageValue = (pageOffset: number) => JSON.stringify({ q: query, offset: pageOffset, ...(shared ? { shared: true as const } : {}) } satisfies FindPageValue);
  const buttons: Button[] = [];
  if (offset > 0) buttons.push(button('Previous', `${ACTIONS.findPage}:prev`, pageValue(Math.max(0, offset - pageSize))));
  if (offset + pageSize < answer.total) buttons.push(button('Next', `${ACTIONS.findPage}:next`, pageValue(offset + pageSize)));
  return buttons;
}

/** "Kinds: component 40, api 12, system 3 · Tags: …", the most common values of each facet. */
function topFacets(facets: Facets): string {
  return FACET_FIELDS.map((field) => {
    const values = ranked(facets[field]).slice(0, TOP_FACET_VALUES);
    return values.length > 0 ? `${FACET_LABELS[field]}: ${values.map(([value, count]) => `${escapeText(value)} ${count}`).join(', ')}` : '';
  })
    .filter(Boolean)
    .join(' · ');
}

function catalogStats(answer: FindAnswer, services: FindResultsOptions['services']): SlackMessage {
  const headline = `${answer.total} ${answer.total === 1 ? 'entity' : 'entities'} in the catalog`;
  const fields = FACET_FIELDS.flatMap((field) => {
    const values = ranked(answer.facets[field]);
    if (values.length === 0) return [];
    const shown = values.slice(0, STATS_FACET_VALUES).map(([value, count]) => `${escapeText(value)} ${count}`);
    if (values.length > STATS_FACET_VALUES) shown.push(`and ${values.length - STATS_FACET_VALUES} more`);
    return [{ type: 'mrkdwn' as const, text: `*${FACET_LABELS[field]}*\n${shown.join('\n')}` }];
  });
  const blocks: KnownBlock[] = [section(`*${headline}*`)];
  const serviceTags = services ? ranked(services.byTag).slice(0, STATS_FACET_VALUES) : [];
  if (services && serviceTags.length > 0) {
    const listed = serviceTags.map(([tag, count], index) => (index === 0 ? `${count} ${count === 1 ? 'service' : 'services'} in ${escapeText(tag)}` : `${count} in ${escapeText(tag)}`));
    blocks.push(section(`*${services.total} services:* ${listed.join(', ')}`));
  }
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  return fitMessage({ text: headline, blocks });
}

/** Most common first; ties alphabetical so the message is the same for the same catalog. */
function ranked(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort(([a, left], [b, right]) => right - left || compareStrings(a, b));
}
