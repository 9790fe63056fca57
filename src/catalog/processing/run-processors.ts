import { errorMessage } from '../../errors.js';
import { DeadlineError, RestAfterTimeouts, withDeadline } from '../../deadline.js';
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
/** After three timeouts in a row a processor is skipped for five minutes, rather than cost every entity its budget. */
const resting = new RestAfterTimeouts<EntityProcessor>(3, 5 * 60 * 1000, new WeakMap());

/**
 * A freshly read file's entities through every processor in turn. A processor that reports a
 * problem, throws, takes too long or returns something that is not the same entity leaves the
 * entity as it was before it, with a warning naming the processor: one bad processor or entity
 * never costs the rest.
 */
export async function runProcessors(file: ProcessedFile, processors: EntityProcessor[]): Promise<ProcessedFile> {
  if (processors.length === 0) return file;
  const entities: IngestedEntity[] = [];
  let { cacheable } = file;
  for (const ingested of file.entities) {
    // A fingerprint is an entity stored as it was: its processing was stored with it.
    if (!hasContent(ingested)) {
      entities.push(ingested);
      continue;
    }
    let current = ingested;
    for (const processor of processors) {
      const warn = (message: string) => file.problems.push({ severity: 'warning', file: current.file, line: current.line, document: current.document, ref: current.ref, message: `catalog processor ${processor.id}: ${message}` });
      const restUntil = resting.restingUntil(processor);
      if (restUntil) {
        // What it would have added is missing until it answers again: the file is read afresh next time.
        cacheable = false;
        warn(`skipped: it timed out ${resting.limit} times in a row, and rests until ${new Date(restUntil).toISOString()}`);
        continue;
      }
      let outcome: Entity | { problem: string };
      try {
        const pending = processor.process(entityOf(current));
        const answered =
          pending instanceof Promise
            ? await withDeadline(pending, PROCESSOR_BUDGET_MS, `took longer than ${PROCESSOR_BUDGET_MS} ms`).catch((error: unknown) => {
                if (error instanceof DeadlineError) resting.missed(processor);
                throw error;
              })
            : pending;
        resting.answered(processor);
        if (!answered || typeof answered !== 'object') throw new Error('returned neither an entity nor { problem }');
        outcome = answered;
      } catch (error) {
        // A failure may pass: the file is read afresh next time rather than kept without this processor's work.
        cacheable = false;
        warn(`failed: ${errorMessage(error)}; the entity is kept as it was`);
        continue;
      }
      if ('problem' in outcome) {
        warn(String(outcome.problem));
        continue;
      }
      const next = reprocessed(current, outcome);
      if ('problem' in next) warn(`${next.problem}; the entity is kept as it was`);
      else current = next.processed;
    }
    entities.push(current);
  }
  return { ...file, entities, cacheable };
}
