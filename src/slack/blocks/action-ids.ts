/** Listeners match on these; a block holding several buttons of one kind suffixes `:<something>` to keep ids unique. */
export const ACTIONS = { findPage: 'find_page', share: 'share_answer', shareFind: 'share_find', suggestion: 'whoowns_suggestion' } as const;
