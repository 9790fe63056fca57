CREATE TABLE "scaffolder_drafts" (
	"id" text PRIMARY KEY NOT NULL,
	"filled_by" text NOT NULL,
	"template_ref" text NOT NULL,
	"values" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
