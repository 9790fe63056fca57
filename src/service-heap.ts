import { setFlagsFromString } from 'node:v8';

/**
 * How far the JavaScript heap of a long-running Callboard may grow past what its last full
 * collection kept, in percent. Left to itself V8 lets it grow up to four times that before
 * collecting again. Callboard keeps a few hundred megabytes for good (the catalog, its indexes)
 * and allocates in bursts (a refresh, building the search index), so the heap rode at twice its
 * live size and kept those pages. Measured at 100k entities (bench/service-memory.mjs): steady RSS
 * 814 -> 552 MB and peak 1,221 -> 682 MB, with the same time from an edit to its answer.
 */
export const SERVICE_HEAP_GROWTH_PERCENT = 25;

/** Applies the service's heap growth, unless node was started with a growth of its own. */
export function tuneHeapForService(execArgv = process.execArgv): void {
  if (execArgv.some((argument) => /^--heap[-_]growing[-_]percent\b/.test(argument))) return;
  setFlagsFromString(`--heap-growing-percent=${SERVICE_HEAP_GROWTH_PERCENT}`);
}
