import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../errors.js';
import type { Entity } from '../model/entity.js';
import type { ProcessedFile } from '../ingestion/file-processing.js';
import { entityOf, hasContent, reprocessed, type IngestedEntity } from './process-entity.js';

/** A catalog processor (a plugin's): an entity in, the same entity with more annotations or relations out, or a problem with it. */
export interface EntityProcessor {
  id: string;
  process(entity: Entity): Entity | { problem: string } | Promise<Entity | { problem: string }>;
}

/** A processor may take this long over one entity before its answer is given up on. */
const PROCESSOR_BUDGET_MS = 2_000;

/**
 * A freshly read file's entities through every processor in turn. A processor that reports a
 * problem, throws, takes too long or returns something that is not the same entity leaves the
 * entity as it was before it, with a warning naming the processor: one bad processor or entity
 * never costs the rest.
 */
export async function runProcessors(file: ProcessedFile, processors: EntityProcessor[]): Promise<ProcessedFile> {
  if (processors.length === 0) return file;
  const entities: IngestedEntity[] = [];
  for (const ingested of file.entities) {
    // A fingerprint is an entity stored as it was: its processing was stored with it.
    if (!hasContent(ingested)) {
      entities.push(ingested);
      continue;
    }
    let current = ingested;
    for (const processor of processors) {
      const warn = (message: string) => file.problems.push({ severity: 'warning', file: current.file, line: current.line, document: current.document, ref: current.ref, message: `catalog processor ${processor.id}: ${message}` });
      let outcome: Entity | { problem: string };
      try {
        outcome = await Promise.race([Promise.resolve().then(() => processor.process(entityOf(current))), sleep(PROCESSOR_BUDGET_MS, undefined, { ref: false }).then(() => Promise.reject(new Error(`took longer than ${PROCESSOR_BUDGET_MS} ms`)))]);
      } catch (error) {
        warn(`failed: ${errorMessage(error)}; the entity is kept as it was`);
        continue;
      }
      if ('problem' in outcome) {
        warn(outcome.problem);
        continue;
      }
      const next = reprocessed(current, outcome);
      if ('problem' in next) warn(`${next.problem}; the entity is kept as it was`);
      else current = next.processed;
    }
    entities.push(current);
  }
  return { ...file, entities };
}
