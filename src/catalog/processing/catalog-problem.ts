export type ProblemSeverity = 'error' | 'warning';

/** One thing wrong with the catalog's input, located as precisely as the reader knows. */
export interface CatalogProblem {
  severity: ProblemSeverity;
  /** The file path or URL the problem is in. */
  file: string;
  line?: number;
  /** Position of the YAML document within its file, from 1. */
  document?: number;
  ref?: string;
  message: string;
}

/** `file:line: ref: message`, the form editors and CI logs link to. */
export function formatProblem(problem: CatalogProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}` : problem.file;
  const label = problem.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${problem.ref ?? `document ${problem.document ?? 1}`}: ${label}${problem.message}`;
}
