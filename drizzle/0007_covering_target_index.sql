DROP INDEX "catalog_relations_target_idx";--> statement-breakpoint
CREATE INDEX "catalog_relations_target_idx" ON "catalog_relations" USING btree ("target_ref","type","source_ref");