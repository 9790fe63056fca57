CREATE TABLE "catalog_entities" (
	"ref" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"entity" jsonb NOT NULL,
	"location_key" text NOT NULL,
	"origin_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_files" (
	"location_key" text PRIMARY KEY NOT NULL,
	"origin_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_locations" (
	"key" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"target" text NOT NULL,
	"status" text NOT NULL,
	"last_error" text,
	"entity_count" integer DEFAULT 0 NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_problems" (
	"id" serial PRIMARY KEY NOT NULL,
	"origin_key" text NOT NULL,
	"file" text NOT NULL,
	"line" integer,
	"document" integer,
	"ref" text,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_relations" (
	"source_ref" text NOT NULL,
	"type" text NOT NULL,
	"target_ref" text NOT NULL,
	"origin_ref" text NOT NULL,
	CONSTRAINT "catalog_relations_source_ref_type_target_ref_origin_ref_pk" PRIMARY KEY("source_ref","type","target_ref","origin_ref")
);
--> statement-breakpoint
CREATE INDEX "catalog_entities_kind_idx" ON "catalog_entities" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "catalog_entities_name_idx" ON "catalog_entities" USING btree ("name");--> statement-breakpoint
CREATE INDEX "catalog_entities_location_idx" ON "catalog_entities" USING btree ("location_key");--> statement-breakpoint
CREATE INDEX "catalog_entities_origin_idx" ON "catalog_entities" USING btree ("origin_key");--> statement-breakpoint
CREATE INDEX "catalog_files_origin_idx" ON "catalog_files" USING btree ("origin_key");--> statement-breakpoint
CREATE INDEX "catalog_problems_origin_idx" ON "catalog_problems" USING btree ("origin_key");--> statement-breakpoint
CREATE INDEX "catalog_problems_ref_idx" ON "catalog_problems" USING btree ("ref");--> statement-breakpoint
CREATE INDEX "catalog_relations_target_idx" ON "catalog_relations" USING btree ("target_ref");--> statement-breakpoint
CREATE INDEX "catalog_relations_origin_idx" ON "catalog_relations" USING btree ("origin_ref");