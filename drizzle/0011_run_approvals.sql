ALTER TABLE "scaffolder_runs" ADD COLUMN "approval" jsonb;--> statement-breakpoint
ALTER TABLE "scaffolder_runs" ADD COLUMN "pending_values" jsonb;--> statement-breakpoint
ALTER TABLE "scaffolder_runs" ADD COLUMN "report" jsonb;