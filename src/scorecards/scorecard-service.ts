import type { CatalogService } from '../catalog/catalog-service.js';
import { resolveQuery } from '../catalog/answers/who-owns.js';
import type { Entity } from '../catalog/model/entity.js';
import type { CatalogProblem } from '../catalog/processing/catalog-problem.js';
import { errorMessage } from '../errors.js';
import { mapWithLimit } from '../catalog/ingestion/map-with-limit.js';
import type { GitHubClient } from '../github/github-client.js';
import type { Db } from '../db/client.js';
import { asStored, exemptChecks, lastNudges, recordEvaluation, storedResults, type RecordedEvaluation } from './scorecard-store.js';
import { planNudges, type NudgePlan, type NudgeSettings } from './nudge-planner.js';
import { appliesTo, compileScorecards, scoreEntity, type CompiledScorecard, type EntityScore, type ScoringInput } from './evaluate-scorecards.js';
import type { FactCollector, FactContext } from './fact-collector.js';
import type { ScorecardLibrary } from './scorecard-library.js';
import type { ScorecardProblem } from './scorecard-definition.js';

/** `callboard scorecard ENTITY`'s answer. */
export interface EntityScorecardAnswer {
  entity: string | null;
  owner: string | null;
  scorecards: EntityScore[];
  problems: ScorecardProblem[];
  /** Why there is nothing to show, when there is not. */
  reasons: string[];
}

/** `callboard scorecard --team GROUP`'s answer: each entity the group owns, its level and failing checks. */
export interface TeamScorecardAnswer {
  team: string | null;
  entities: { ref: string; level: string | null; levels: Record<string, string | null>; failing: string[] }[];
  reasons: string[];
}

/** `/scorecard` alone: how the teams stand on the first scorecard, and the checks failed most across all. */
export interface OrgScorecardAnswer {
  /** When the stored results were evaluated; null before the first evaluation. */
  evaluatedAt: Date | null;
  scorecard: { id: string; title: string; levels: string[] } | null;
  /** Each owning team, with how many of its entities stand at each level (`none` below the first). */
  teams: { team: string; entities: number; levels: Record<string, number> }[];
  mostFailed: { scorecard: string; check: string; title: string; failing: number }[];
}

export interface ScorecardService {
  readonly library: ScorecardLibrary;
  entity(query: string): Promise<EntityScorecardAnswer>;
  /** Whether any scorecard's filter takes the entity in. */
  appliesTo(entity: Entity): boolean;
  team(query: string): Promise<TeamScorecardAnswer>;
  /** Every entity's scores on the scorecards that apply to it (entities no scorecard applies to are left out). */
  evaluateAll(): Promise<Map<string, EntityScore[]>>;
  /** The organisation's standing, from the last stored evaluation. */
  org(limit?: number): Promise<OrgScorecardAnswer>;
  /** What a nudge run at `at` would send, to whom, from the stored evaluation (nothing is sent or recorded). */
  planNudges(at: Date): Promise<NudgePlan>;
  /** Evaluates every entity and stores the outcome with the history of what changed. */
  evaluateAndRecord(): Promise<RecordedEvaluation & { scored: number; at: Date }>;
}

export interface ScorecardServiceDeps {
  db: Db;
  catalog: CatalogService;
  library: ScorecardLibrary;
  collectors: FactCollector[];
  /** GitHub per host, only where a token is configured: anonymous calls would run out at 60 an hour. */
  github?: (host: string) => GitHubClient | undefined;
  nudges: NudgeSettings;
  now?: () => Date;
}

/** Entities whose remote facts are collected at once in a full evaluation. */
const ENTITIES_AT_ONCE = 8;
/** A remote collector's failure is remembered this long, so a full evaluation does not ask again for every check. */
const FAILURE_REUSE_MS = 5 * 60 * 1000;

type Collected = { at: number; maxAgeMs: number; facts: Record<string, unknown> } | { at: number; maxAgeMs: number; error: string };

/** Every fact the collectors give for one entity, and why each one they could not give is unknown. */
async function collectFacts(ref: string, entity: Entity, collectors: FactCollector[], context: FactContext, remembered: Map<string, Collected>): Promise<Omit<ScoringInput, 'exemptions'>> {
  const facts = new Map<string, unknown>();
  const unknownBecause = new Map<string, string>();
  const at = context.now.getTime();
  const collectOne = async (collector: FactCollector): Promise<Collected> => {
    const key = `${collector.id}\u0000${ref}`;
    const known = collector.cost === 'remote' ? remembered.get(key) : undefined;
    if (known && at - known.at < known.maxAgeMs) return known;
    let collected: Collected;
    try {
      collected = { at, maxAgeMs: collector.maxAgeMs ?? 0, facts: await collector.collect(ref, entity, context) };
    } catch (error) {
      collected = { at, maxAgeMs: FAILURE_REUSE_MS, error: errorMessage(error) };
    }
    if (collector.cost === 'remote') remembered.set(key, collected);
    return collected;
  };
  const results = await Promise.all(collectors.map(collectOne));
  for (const [position, collector] of collectors.entries()) {
    const result = results[position]!;
    for (const name of Object.keys(collector.facts)) {
      if ('error' in result) unknownBecause.set(name, result.error);
      else if (Object.hasOwn(result.facts, name) && result.facts[name] !== undefined) facts.set(name, result.facts[name]);
      else unknownBecause.set(name, `${collector.id} facts do not include ${name} for this entity`);
    }
  }
  return { facts, unknownBecause };
}

/**
 * Scorecards for entities and teams, from the facts the collectors give. Each scorecard's rules
 * are compiled once; an entity is scored on the scorecards whose filter takes it in.
 */
export function createScorecardService({ db, catalog, library, collectors, github, nudges, now = () => new Date() }: ScorecardServiceDeps): ScorecardService {
  const compiled = compileScorecards(library.scorecards);
  // Each check's title and fix by `scorecard/check`.
  const checkCatalog = new Map<string, { title: string; fix: string }>(library.scorecards.flatMap((scorecard) => scorecard.levels.flatMap((level) => level.checks.map((check) => [`${scorecard.id}/${check.id}`, { title: check.title, fix: check.fix ?? '' }] as const))));
  // Remote facts (GitHub's) by collector and entity, reused while fresh.
  const remembered = new Map<string, Collected>();
  const contextFor = async (): Promise<FactContext> => {
    const byRef = new Map<string, CatalogProblem[]>();
    for (const problem of await catalog.problems()) if (problem.ref) byRef.set(problem.ref, [...(byRef.get(problem.ref) ?? []), problem]);
    return { view: catalog.view, problemsOf: (ref) => byRef.get(ref) ?? [], now: now(), ...(github ? { github } : {}) };
  };
  const scoresOf = async (ref: string, entity: Entity, applicable: CompiledScorecard[], context: FactContext) => {
    const input = await collectFacts(ref, entity, collectors, context, remembered);
    return applicable.map((scorecard) => scoreEntity(scorecard, input));
  };
  const applicableTo = (entity: Entity) => compiled.filter((scorecard) => appliesTo(scorecard.scorecard, entity));

  const evaluateAll = async () => {
    const context = await contextFor();
    const results = new Map<string, EntityScore[]>();
    await mapWithLimit([...catalog.view.refs()], ENTITIES_AT_ONCE, async (ref) => {
      const entity = catalog.view.get(ref);
      const applicable = entity ? applicableTo(entity) : [];
      if (entity && applicable.length > 0) results.set(ref, await scoresOf(ref, entity, applicable, context));
    });
    return results;
  };

  return {
    library,
    appliesTo: (entity) => applicableTo(entity).length > 0,
    async entity(rawQuery) {
      const query = rawQuery.trim();
      const ref = resolveQuery(catalog.view, query);
      const entity = ref ? catalog.view.get(ref) : undefined;
      if (!ref || !entity) return { entity: null, owner: null, scorecards: [], problems: library.problems, reasons: [`no entity named ${query}`] };
      const owner = catalog.view.related(ref, 'ownedBy')[0] ?? null;
      const applicable = applicableTo(entity);
      const scorecards = applicable.length > 0 ? await scoresOf(ref, entity, applicable, await contextFor()) : [];
      const reasons = applicable.length === 0 ? [`no scorecard applies to ${ref} (each has a filter of kinds, types and lifecycles)`] : [];
      return { entity: ref, owner, scorecards, problems: library.problems, reasons };
    },
    async team(rawQuery) {
      const query = rawQuery.trim();
      const ref = resolveQuery(catalog.view, query.includes(':') ? query : `group:${query}`) ?? resolveQuery(catalog.view, query);
      if (!ref || !ref.startsWith('group:')) return { team: null, entities: [], reasons: [`no group named ${query}`] };
      const context = await contextFor();
      const entities: TeamScorecardAnswer['entities'] = [];
      for (const owned of catalog.view.related(ref, 'ownerOf').sort()) {
        const entity = catalog.view.get(owned);
        const applicable = entity ? applicableTo(entity) : [];
        if (!entity || applicable.length === 0) continue;
        const scores = await scoresOf(owned, entity, applicable, context);
        const failing = [...new Set(scores.flatMap((score) => score.checks.filter((check) => check.status === 'fail').map((check) => check.id)))];
        entities.push({ ref: owned, level: scores[0]!.level, levels: Object.fromEntries(scores.map((score) => [score.id, score.level])), failing });
      }
      return { team: ref, entities, reasons: entities.length === 0 ? [`${ref} owns no entity that a scorecard applies to`] : [] };
    },
    evaluateAll,
    async planNudges(at) {
      const [stored, exempt, lastNudged] = await Promise.all([storedResults(db), exemptChecks(db, at), lastNudges(db)]);
      // Before the first stored evaluation (a fresh database), what an evaluation now would store.
      const results = stored.length > 0 ? stored : [...(await evaluateAll())].flatMap(([entityRef, scores]) => scores.map((score) => asStored(entityRef, score, at)));
      return planNudges({ at, view: catalog.view, results, exempt, lastNudged, checks: checkCatalog, settings: nudges });
    },
    async org(limit = 10) {
      const stored = await storedResults(db);
      const first = library.scorecards[0];
      const teams = new Map<string, { entities: number; levels: Record<string, number> }>();
      const failing = new Map<string, number>();
      let evaluatedAt: Date | null = null;
      for (const result of stored) {
        if (!evaluatedAt || result.evaluatedAt > evaluatedAt) evaluatedAt = result.evaluatedAt;
        for (const [check, standing] of Object.entries(result.checks)) if (standing.status === 'fail') failing.set(`${result.scorecardId}/${check}`, (failing.get(`${result.scorecardId}/${check}`) ?? 0) + 1);
        if (result.scorecardId !== first?.id) continue;
        const team = catalog.view.related(result.entityRef, 'ownedBy')[0] ?? 'no owner';
        const counts = teams.get(team) ?? { entities: 0, levels: {} };
        counts.entities += 1;
        counts.levels[result.level ?? 'none'] = (counts.levels[result.level ?? 'none'] ?? 0) + 1;
        teams.set(team, counts);
      }
      // Teams with the most entities below the first level come first: they need the help.
      const below = (counts: { levels: Record<string, number> }) => counts.levels.none ?? 0;
      return {
        evaluatedAt,
        scorecard: first ? { id: first.id, title: first.title, levels: first.levels.map((level) => level.id) } : null,
        teams: [...teams.entries()].sort((a, b) => below(b[1]) - below(a[1]) || b[1].entities - a[1].entities || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([team, counts]) => ({ team, ...counts })),
        mostFailed: [...failing.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([key, count]) => {
          const [scorecard, check] = key.split('/') as [string, string];
          return { scorecard, check, title: checkCatalog.get(key)?.title ?? check, failing: count };
        }),
      };
    },
    async evaluateAndRecord() {
      const at = now();
      const scores = await evaluateAll();
      return { ...(await recordEvaluation(db, scores, at)), scored: scores.size, at };
    },
  };
}
