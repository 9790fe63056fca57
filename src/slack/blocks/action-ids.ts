/** Listeners match on these; a block holding several buttons of one kind suffixes `:<something>` to keep ids unique. */
export const ACTIONS = { findPage: 'find_page', share: 'share_answer', shareFind: 'share_find', suggestion: 'whoowns_suggestion', openSearch: 'open_search' } as const;

/** Shortcut callback ids, as manifest.yml declares them. */
export const SHORTCUTS = { linkOwners: 'who_owns_links', search: 'search_catalog' } as const;

/** Modal callback ids. */
export const VIEWS = { search: 'search_catalog_modal', createService: 'create_service_modal' } as const;

/** The search modal's query input. */
export const SEARCH_INPUT = { block: 'search_query', action: 'query' } as const;
