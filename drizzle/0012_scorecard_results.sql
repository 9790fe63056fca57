CREATE TABLE "scorecard_results" (
	"entity_ref" text NOT NULL,
	"scorecard_id" text NOT NULL,
	"level" text,
	"checks" jsonb NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "scorecard_results_entity_ref_scorecard_id_pk" PRIMARY KEY("entity_ref","scorecard_id")
);
--> statement-breakpoint
CREATE TABLE "scorecard_transitions" (
	"id" serial PRIMARY KEY NOT NULL,
	"entity_ref" text NOT NULL,
	"scorecard_id" text NOT NULL,
	"check_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"regression" boolean DEFAULT false NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "scorecard_transitions_entity_idx" ON "scorecard_transitions" USING btree ("entity_ref","at");