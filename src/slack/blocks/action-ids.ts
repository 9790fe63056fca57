/** Listeners match on these; a block holding several buttons of one kind suffixes `:<something>` to keep ids unique. */
export const ACTIONS = { findPage: 'find_page', share: 'share_answer', shareFind: 'share_find', suggestion: 'whoowns_suggestion', openSearch: 'open_search', formBack: 'template_form_back', cancelRun: 'cancel_template_run', approveRun: 'approve_template_run', rejectRun: 'reject_template_run', docs: 'show_docs', health: 'show_health', scorecard: 'show_scorecard', nudgeSnooze: 'nudge_snooze', nudgeWontFix: 'nudge_wontfix', nudgeRecheck: 'nudge_recheck' } as const;

/** Shortcut callback ids, as manifest.yml declares them. */
export const SHORTCUTS = { linkOwners: 'who_owns_links', search: 'search_catalog', createService: 'create_service' } as const;

/** Modal callback ids. */
export const VIEWS = { search: 'search_catalog_modal', createService: 'create_service_modal', pickTemplate: 'pick_template_modal', runStarted: 'template_run_started', nudgeWontFix: 'nudge_wontfix_modal' } as const;

/** The search modal's query input. */
export const SEARCH_INPUT = { block: 'search_query', action: 'query' } as const;

/** The template picker's select. */
export const TEMPLATE_CHOICE = { block: 'template', action: 'choice' } as const;

/** The reason input of an approval request: a rejection must say why. */
export const APPROVAL_REASON = { block: 'approval_reason', action: 'reason' } as const;

/** The won't-fix modal's inputs: which checks, and why. */
export const WONT_FIX_INPUTS = { checks: { block: 'wontfix_checks', action: 'checks' }, reason: { block: 'wontfix_reason', action: 'reason' } } as const;
