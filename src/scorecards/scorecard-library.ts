import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { compareStrings } from '../catalog/model/entity-ref.js';
import type { FactCollector } from './fact-collector.js';
import { factsOf, parseConditions, parseScorecard, type Scorecard, type ScorecardCheck, type ScorecardProblem } from './scorecard-definition.js';

/** The scorecards shipped with Callboard. */
export const BUILT_IN_SCORECARDS = fileURLToPath(new URL('../../scorecards', import.meta.url));

/** A scorecard file larger than this is refused: scorecards are a page of YAML. */
const MAX_SCORECARD_BYTES = 256 * 1024;
const MAX_FOLDER_DEPTH = 4;

/** The Tech Insights checks of a Backstage app-config load as one scorecard with this id. */
export const TECH_INSIGHTS_SCORECARD = 'tech-insights';

export interface ScorecardLibrary {
  scorecards: Scorecard[];
  problems: ScorecardProblem[];
}

function yamlFilesIn(folder: string, depth = 0): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => compareStrings(a.name, b.name))
    .flatMap((entry) => {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory() && depth < MAX_FOLDER_DEPTH) return yamlFilesIn(file, depth + 1);
      return entry.isFile() && /\.ya?ml$/.test(entry.name) ? [file] : [];
    });
}

/** One file, one scorecard: every problem in it, or the scorecard. */
export function loadScorecardFile(file: string): { scorecard?: Scorecard; problems: ScorecardProblem[] } {
  const problem = (message: string, field = '(file)') => ({ problems: [{ file, field, message }] });
  try {
    if (statSync(file).size > MAX_SCORECARD_BYTES) return problem(`larger than ${MAX_SCORECARD_BYTES} bytes`);
    const documents = yaml.loadAll(readFileSync(file, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA, filename: file }).filter((document) => document !== null && document !== undefined);
    if (documents.length !== 1) return problem(`holds ${documents.length} YAML documents; a scorecard file holds exactly one scorecard`);
    return parseScorecard(documents[0], file);
  } catch (error) {
    return problem(error instanceof yaml.YAMLException ? `not valid YAML: ${error.reason} (line ${error.mark.line + 1})` : `cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Backstage's `techInsights.factChecker.checks`, unchanged: each json-rules-engine check
 * becomes a check of the one-level `tech-insights` scorecard, under the id it has there.
 */
export function techInsightsScorecard(techInsights: unknown, source: string): { scorecard?: Scorecard; problems: ScorecardProblem[] } {
  const checks = (techInsights as { factChecker?: { checks?: unknown } } | undefined)?.factChecker?.checks;
  if (checks === undefined) return { problems: [] };
  const base = 'techInsights.factChecker.checks';
  if (!checks || typeof checks !== 'object' || Array.isArray(checks)) return { problems: [{ file: source, field: base, message: 'must map check ids to checks' }] };
  const problems: ScorecardProblem[] = [];
  const parsed: ScorecardCheck[] = [];
  for (const [id, written] of Object.entries(checks as Record<string, unknown>)) {
    const field = `${base}.${id}`;
    const check = (written ?? {}) as { type?: unknown; name?: unknown; description?: unknown; rule?: { conditions?: unknown } };
    if (check.type !== undefined && check.type !== 'json-rules-engine') {
      problems.push({ file: source, field: `${field}.type`, message: `${String(check.type)} checks are not supported; json-rules-engine ones are` });
      continue;
    }
    const found: { field: string; message: string }[] = [];
    const conditions = parseConditions(check.rule?.conditions, `${field}.rule.conditions`, found);
    problems.push(...found.map((item) => ({ file: source, ...item })));
    if (!conditions) continue;
    const title = typeof check.name === 'string' && check.name ? check.name : id;
    parsed.push({ id, title, level: 'checks', conditions, ...(typeof check.description === 'string' && check.description ? { why: check.description } : {}) });
  }
  if (parsed.length === 0) return { problems };
  return { scorecard: { id: TECH_INSIGHTS_SCORECARD, title: 'Tech Insights checks', description: 'The checks of techInsights.factChecker in the configuration', filter: {}, levels: [{ id: 'checks', title: 'Checks', checks: parsed }], source }, problems };
}

/** A check reading a fact no collector gives can never pass: said once, at load, where it is written. */
function unknownFactProblems(scorecard: Scorecard, known: Set<string>): ScorecardProblem[] {
  const problems: ScorecardProblem[] = [];
  for (const [levelAt, level] of scorecard.levels.entries()) {
    for (const [checkAt, check] of level.checks.entries()) {
      const field = scorecard.id === TECH_INSIGHTS_SCORECARD ? `techInsights.factChecker.checks.${check.id}.rule` : `levels[${levelAt}].checks[${checkAt}].rule`;
      for (const fact of new Set(factsOf(check.conditions))) {
        if (!known.has(fact)) problems.push({ file: scorecard.source, field, message: `no fact collector gives the fact ${fact}, so this check is always unknown` });
      }
    }
  }
  return problems;
}

export interface LibrarySources {
  /** Folders of scorecard files (`callboard.scorecards.paths`, `--scorecards`), after the shipped ones. */
  folders: string[];
  /** Backstage's `techInsights` configuration, if any, and the file(s) it came from. */
  techInsights?: { value: unknown; source: string };
  collectors: FactCollector[];
  builtInFolder?: string;
}

/**
 * The shipped scorecards, then each configured folder's, then the Tech Insights checks. A
 * scorecard of a configured folder replaces a shipped one of the same id (a platform team's own
 * default); two configured files with the same id are a problem, and the first one stays.
 */
export function loadScorecards({ folders, techInsights, collectors, builtInFolder = BUILT_IN_SCORECARDS }: LibrarySources): ScorecardLibrary {
  const problems: ScorecardProblem[] = [];
  const byId = new Map<string, { scorecard: Scorecard; shipped: boolean }>();
  const add = (loaded: { scorecard?: Scorecard; problems: ScorecardProblem[] }, shipped: boolean) => {
    problems.push(...loaded.problems);
    const { scorecard } = loaded;
    if (!scorecard) return;
    const existing = byId.get(scorecard.id);
    if (existing && !existing.shipped) {
      problems.push({ file: scorecard.source, field: 'id', message: `${scorecard.id} is already the id of the scorecard in ${existing.scorecard.source}` });
      return;
    }
    byId.set(scorecard.id, { scorecard, shipped });
  };
  for (const file of yamlFilesIn(builtInFolder)) add(loadScorecardFile(file), true);
  for (const folder of folders) {
    if (!existsSync(folder)) problems.push({ file: folder, field: '(folder)', message: 'no such folder; check callboard.scorecards.paths and --scorecards' });
    for (const file of yamlFilesIn(folder)) add(loadScorecardFile(file), false);
  }
  if (techInsights) add(techInsightsScorecard(techInsights.value, techInsights.source), false);
  const scorecards = [...byId.values()].map((entry) => entry.scorecard);
  const known = new Set(collectors.flatMap((collector) => Object.keys(collector.facts)));
  for (const scorecard of scorecards) problems.push(...unknownFactProblems(scorecard, known));
  return { scorecards, problems };
}
