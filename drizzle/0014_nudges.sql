CREATE TABLE "nudge_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"recipient" text NOT NULL,
	"message" jsonb NOT NULL,
	"status" text NOT NULL,
	"channel" text,
	"message_ts" text,
	"error" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "nudged_checks" (
	"entity_ref" text NOT NULL,
	"scorecard_id" text NOT NULL,
	"check_id" text NOT NULL,
	"last_nudged_at" timestamp with time zone NOT NULL,
	CONSTRAINT "nudged_checks_entity_ref_scorecard_id_check_id_pk" PRIMARY KEY("entity_ref","scorecard_id","check_id")
);
--> statement-breakpoint
CREATE TABLE "scorecard_exemptions" (
	"entity_ref" text NOT NULL,
	"scorecard_id" text NOT NULL,
	"check_id" text NOT NULL,
	"kind" text NOT NULL,
	"until" timestamp with time zone,
	"reason" text,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	CONSTRAINT "scorecard_exemptions_entity_ref_scorecard_id_check_id_pk" PRIMARY KEY("entity_ref","scorecard_id","check_id")
);
--> statement-breakpoint
CREATE INDEX "nudge_deliveries_slot_idx" ON "nudge_deliveries" USING btree ("slot","status");