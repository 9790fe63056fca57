/** Listeners match on these; a block holding several buttons of one kind suffixes `:<something>` to keep ids unique. */
export const ACTIONS = { findPage: 'find_page', share: 'share_answer', shareFind: 'share_find', suggestion: 'whoowns_suggestion' } as const;

/** Shortcut callback ids, as manifest.yml declares them. */
export const SHORTCUTS = { linkOwners: 'who_owns_links', search: 'search_catalog' } as const;

/** Modal callback ids. */
export const VIEWS = { search: 'search_catalog_modal' } as const;
