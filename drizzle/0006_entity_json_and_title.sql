ALTER TABLE "catalog_entities" ALTER COLUMN "entity" SET DATA TYPE json USING "entity"::json;--> statement-breakpoint
ALTER TABLE "catalog_entities" ADD COLUMN "title" text;--> statement-breakpoint
-- Titles of the entities stored before this column existed; later writes fill it themselves.
UPDATE "catalog_entities" SET "title" = "entity"->'metadata'->>'title';
