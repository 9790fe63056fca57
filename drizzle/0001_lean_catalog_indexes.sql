-- Keep only the rows as their source states them; the reverse direction is read through the target index.
DELETE FROM "catalog_relations" WHERE "source_ref" <> "origin_ref";--> statement-breakpoint
DROP INDEX "catalog_entities_kind_idx";--> statement-breakpoint
DROP INDEX "catalog_entities_name_idx";--> statement-breakpoint
DROP INDEX "catalog_entities_location_idx";--> statement-breakpoint
DROP INDEX "catalog_entities_origin_idx";--> statement-breakpoint
DROP INDEX "catalog_relations_origin_idx";--> statement-breakpoint
ALTER TABLE "catalog_relations" DROP CONSTRAINT "catalog_relations_source_ref_type_target_ref_origin_ref_pk";--> statement-breakpoint
ALTER TABLE "catalog_relations" ADD CONSTRAINT "catalog_relations_source_ref_type_target_ref_pk" PRIMARY KEY("source_ref","type","target_ref");--> statement-breakpoint
ALTER TABLE "catalog_relations" DROP COLUMN "origin_ref";