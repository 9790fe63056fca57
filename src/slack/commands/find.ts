import { findResults, isStatsQuery } from '../blocks/find-results.js';
import type { CommandContext, SlashCommand } from './registry.js';
import type { SlackMessage } from '../blocks/limits.js';

export const FIND_PAGE_SIZE = 10;

/** One page of `/find` results; the pagination buttons ask for the pages either side. */
export function findPage(query: string, offset: number, { catalog }: Pick<CommandContext, 'catalog'>, shared = false): SlackMessage {
  if (isStatsQuery(query)) {
    // "12 services in Go, 30 in TypeScript": what the services are written in and run on, beside the catalog's totals.
    const services = catalog.find('kind:component type:service', { limit: 1 });
    return findResults(catalog.find('', { limit: FIND_PAGE_SIZE }), { query, offset: 0, pageSize: FIND_PAGE_SIZE, shared, services: { total: services.total, byTag: services.facets.tag } });
  }
  return findResults(catalog.find(query, { limit: FIND_PAGE_SIZE, offset }), { query, offset, pageSize: FIND_PAGE_SIZE, shared });
}

export const findCommand: SlashCommand = {
  command: '/find',
  description: 'Search the catalog; filters kind:api owner:maps-team tag:go; "stats" for what it holds',
  usageHint: 'geocoding kind:api',
  answer: (text, context) => findPage(text.trim(), 0, context),
};
