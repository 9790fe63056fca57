import { bigint, boolean, index, integer, json, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** One row per stored entity; `entity` is the processed descriptor (namespace filled, relations apart). */
export const catalogEntities = pgTable(
  'catalog_entities',
  {
    ref: text('ref').primaryKey(), // lower-case kind:namespace/name
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    title: text('title'),
    // json, not jsonb: the descriptor is stored and read whole, never queried inside, and json keeps
    // the text as written instead of parsing it into a binary form on every write and back on read.
    entity: json('entity').notNull(),
    locationKey: text('location_key').notNull(), // the file or URL the entity was read from
    originKey: text('origin_key').notNull(), // the configured location whose walk reached that file
    contentHash: text('content_hash').notNull(), // hash of the processed entity, to skip unchanged writes
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // No secondary indexes: answers are served from memory and every SQL read goes by ref or reads
  // the whole table, while each index would slow the bulk writes of a refresh.
);

/**
 * The relations each entity's spec declares, one row per relation as its source states it. The
 * reverse direction (ownerOf for ownedBy ...) is the same row read from the target's side, through
 * the target index, so it is not stored twice.
 */
export const catalogRelations = pgTable(
  'catalog_relations',
  {
    sourceRef: text('source_ref').notNull(),
    type: text('type').notNull(),
    targetRef: text('target_ref').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.sourceRef, table.type, table.targetRef] }),
    // Covering: a start reads every entity's incoming relations, grouped by target, from the index alone.
    index('catalog_relations_target_idx').on(table.targetRef, table.type, table.sourceRef),
  ],
);

/** The configured roots (config locations, GitHub organisations, --catalog paths) and how their last refresh went. */
export const catalogLocations = pgTable('catalog_locations', {
  key: text('key').primaryKey(),
  type: text('type').notNull(),
  target: text('target').notNull(),
  status: text('status').notNull(), // 'ok' | 'partial' | 'failed'
  lastError: text('last_error'),
  entityCount: integer('entity_count').notNull().default(0),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Locations registered at run time rather than configured: a template's catalog:register step.
 * Refreshes read them beside the configured roots, so what they hold stays in the catalog.
 */
export const catalogRegisteredLocations = pgTable('catalog_registered_locations', {
  key: text('key').primaryKey(),
  type: text('type').notNull(), // 'file' | 'url'
  target: text('target').notNull(),
  registeredBy: text('registered_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const problemSeverities = ['error', 'warning'] as const;

/** Problems found by the last refresh of each root, for `callboard catalog problems` and owner nudges. */
export const catalogProblems = pgTable(
  'catalog_problems',
  {
    id: serial('id').primaryKey(),
    originKey: text('origin_key').notNull(),
    file: text('file').notNull(),
    line: integer('line'),
    document: integer('document'),
    ref: text('ref'),
    severity: text('severity', { enum: problemSeverities }).notNull(),
    message: text('message').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('catalog_problems_origin_idx').on(table.originKey), index('catalog_problems_ref_idx').on(table.ref)],
);

/**
 * A single row counting stored refreshes. Each refresh bumps it in its transaction, so a replica
 * that finds the number it last wrote knows the stored rows are what it left and need not read them.
 */
export const catalogState = pgTable('catalog_state', {
  id: integer('id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
});

/**
 * Slack deliveries already taken, by a key Slack repeats when it (or anyone replaying a captured
 * request) sends the same thing again: the event id, the trigger id, the view id. The primary key
 * makes the first replica to insert the one that handles it. Rows older than a day are purged.
 */
export const slackDeliveries = pgTable('slack_deliveries', {
  key: text('key').primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Template runs, recorded before their first step and updated after each one: what ran, for whom,
 * with which values (secrets masked), and how each step went. `requestKey`, when given, is what
 * the request repeats if it comes twice (a Slack view id, a retried submission): the unique index
 * lets the first one make the run, and the others find it.
 */
export const scaffolderRuns = pgTable(
  'scaffolder_runs',
  {
    id: text('id').primaryKey(),
    templateRef: text('template_ref').notNull(),
    requestedBy: text('requested_by'),
    requestKey: text('request_key'),
    status: text('status').notNull(),
    values: jsonb('values').notNull(),
    steps: jsonb('steps').notNull(),
    output: jsonb('output'),
    error: text('error'),
    // A run that needs approval: who approves, and what they decided (null: none needed).
    approval: jsonb('approval'),
    // The values as entered, secrets too, while the run waits for approval; cleared as it starts.
    pendingValues: jsonb('pending_values'),
    // Where the requester follows the run (a Slack message), so any replica can update it.
    report: jsonb('report'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('scaffolder_runs_request_key_idx').on(table.requestKey), index('scaffolder_runs_requested_by_idx').on(table.requestedBy, table.createdAt)],
);

/**
 * A template form being filled in, page by page: what was entered so far, kept here rather than in
 * the modal (Slack's private_metadata holds 3,000 characters, and secrets never go back to Slack).
 * Any replica can take the next page. Removed when its run ends, or after a day.
 */
export const scaffolderDrafts = pgTable('scaffolder_drafts', {
  id: text('id').primaryKey(),
  // Who may continue it: the surface's own id for the person (a Slack user id).
  filledBy: text('filled_by').notNull(),
  templateRef: text('template_ref').notNull(),
  values: jsonb('values').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Each entity's standing on each scorecard as last evaluated: its level, and per check its status,
 * since when, and the last known status (pass or fail) before any unknown, so that a check that
 * went from passing to failing through an unknown spell is still a regression.
 */
export const scorecardResults = pgTable(
  'scorecard_results',
  {
    entityRef: text('entity_ref').notNull(),
    scorecardId: text('scorecard_id').notNull(),
    level: text('level'),
    checks: jsonb('checks').notNull(),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.entityRef, table.scorecardId] })],
);

/** Every change of a check's status, with its time: the history regressions and recoveries are read from. */
export const scorecardTransitions = pgTable(
  'scorecard_transitions',
  {
    id: serial('id').primaryKey(),
    entityRef: text('entity_ref').notNull(),
    scorecardId: text('scorecard_id').notNull(),
    checkId: text('check_id').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    regression: boolean('regression').notNull().default(false),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (table) => [index('scorecard_transitions_entity_idx').on(table.entityRef, table.at)],
);

/**
 * Scheduled jobs, one row each: who holds the job's lease and until when (a holder that dies lets
 * it lapse), and the last scheduled time it ran for, so a time is run once across all replicas
 * and a time missed while none was up is run at the next start.
 */
export const scheduledJobs = pgTable('scheduled_jobs', {
  job: text('job').primaryKey(),
  leaseHolder: text('lease_holder'),
  leaseUntil: timestamp('lease_until', { withTimezone: true }),
  lastSlot: timestamp('last_slot', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
  lastError: text('last_error'),
});

/** A failing check its owners set aside: snoozed until a time, or won't fix with a reason (shown to everyone). */
export const scorecardExemptions = pgTable(
  'scorecard_exemptions',
  {
    entityRef: text('entity_ref').notNull(),
    scorecardId: text('scorecard_id').notNull(),
    checkId: text('check_id').notNull(),
    kind: text('kind').notNull(),
    until: timestamp('until', { withTimezone: true }),
    reason: text('reason'),
    decidedBy: text('decided_by').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.entityRef, table.scorecardId, table.checkId] })],
);

/**
 * The nudge ledger: each message a nudge run will send, written before it is sent and marked
 * after, so a run that stops in the middle resends nothing already sent and skips nothing.
 */
export const nudgeDeliveries = pgTable(
  'nudge_deliveries',
  {
    id: text('id').primaryKey(),
    slot: timestamp('slot', { withTimezone: true }).notNull(),
    recipient: text('recipient').notNull(),
    message: jsonb('message').notNull(),
    status: text('status').notNull(),
    channel: text('channel'),
    messageTs: text('message_ts'),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** When the last send began: a row left `sending` by a replica that died is checked against Slack before it is sent again. */
    attemptedAt: timestamp('attempted_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [index('nudge_deliveries_slot_idx').on(table.slot, table.status)],
);

/** When each failing check was last nudged about, so a run nudges only what was not nudged within the interval. */
export const nudgedChecks = pgTable(
  'nudged_checks',
  {
    entityRef: text('entity_ref').notNull(),
    scorecardId: text('scorecard_id').notNull(),
    checkId: text('check_id').notNull(),
    lastNudgedAt: timestamp('last_nudged_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.entityRef, table.scorecardId, table.checkId] })],
);
