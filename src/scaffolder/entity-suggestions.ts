import type { CatalogView } from '../catalog/answers/catalog-view.js';
import type { FilterField, Filters } from '../catalog/search/entity-index.js';
import type { FormField } from './form-fields.js';

/** The catalog fields a Backstage catalogFilter names, as the search index's filters. */
const FILTER_KEYS: Record<string, FilterField> = {
  kind: 'kind',
  'spec.type': 'type',
  'spec.lifecycle': 'lifecycle',
  'spec.owner': 'owner',
  'spec.system': 'system',
  'metadata.tags': 'tag',
  'metadata.namespace': 'namespace',
};

export interface EntitySuggestion {
  ref: string;
  label: string;
}

/** One catalogFilter object as index filters; keys the index cannot filter on (and `{ exists }` checks) are left to the person choosing. */
function filtersOf(filter: Record<string, unknown>): Filters {
  const filters: Filters = {};
  for (const [key, value] of Object.entries(filter)) {
    const field = FILTER_KEYS[key];
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    if (field && values.length > 0) filters[field] = values.map((item) => (field === 'owner' || field === 'system' ? item : item.toLowerCase()));
  }
  return filters;
}

/**
 * What a catalog picker (OwnerPicker, EntityPicker...) offers for what the person typed: entities
 * of its kinds and catalogFilter (several filter objects: any of them), best matches first, up to
 * `limit` (Slack shows at most 100 options). Nothing typed lists the first of them.
 */
export function entitySuggestions(view: CatalogView, field: FormField, query: string, limit = 100): EntitySuggestion[] {
  const kinds = field.kinds?.map((kind) => kind.toLowerCase());
  const filterSets = field.catalogFilter && field.catalogFilter.length > 0 ? field.catalogFilter.map(filtersOf) : [{}];
  const found = new Map<string, EntitySuggestion>();
  for (const filters of filterSets) {
    const narrowed = kinds && !filters.kind ? { ...filters, kind: kinds } : filters;
    for (const hit of view.index.search(query, narrowed, { limit }).hits) {
      if (found.size >= limit) break;
      if (found.has(hit.ref)) continue;
      const document = view.index.document(hit.ref);
      const name = document?.title ? `${document.title} (${hit.ref})` : hit.ref;
      found.set(hit.ref, { ref: hit.ref, label: name });
    }
  }
  return [...found.values()];
}
