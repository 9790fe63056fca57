CREATE TABLE "scheduled_jobs" (
	"job" text PRIMARY KEY NOT NULL,
	"lease_holder" text,
	"lease_until" timestamp with time zone,
	"last_slot" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_error" text
);
