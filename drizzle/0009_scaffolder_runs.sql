CREATE TABLE "scaffolder_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"template_ref" text NOT NULL,
	"requested_by" text,
	"request_key" text,
	"status" text NOT NULL,
	"values" jsonb NOT NULL,
	"steps" jsonb NOT NULL,
	"output" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "scaffolder_runs_request_key_idx" ON "scaffolder_runs" USING btree ("request_key");--> statement-breakpoint
CREATE INDEX "scaffolder_runs_requested_by_idx" ON "scaffolder_runs" USING btree ("requested_by","created_at");