ALTER TABLE "nudge_deliveries" ADD COLUMN "attempted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "nudge_deliveries" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;