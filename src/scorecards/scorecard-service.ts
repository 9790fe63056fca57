import type { CatalogService } from '../catalog/catalog-service.js';
import { resolveQuery } from '../catalog/answers/who-owns.js';
import type { Entity } from '../catalog/model/entity.js';
import type { CatalogProblem } from '../catalog/processing/catalog-problem.js';
import { errorMessage } from '../errors.js';
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

export interface ScorecardService {
  readonly library: ScorecardLibrary;
  entity(query: string): Promise<EntityScorecardAnswer>;
  team(query: string): Promise<TeamScorecardAnswer>;
  /** Every entity's scores on the scorecards that apply to it (entities no scorecard applies to are left out). */
  evaluateAll(): Promise<Map<string, EntityScore[]>>;
}

export interface ScorecardServiceDeps {
  catalog: CatalogService;
  library: ScorecardLibrary;
  collectors: FactCollector[];
  now?: () => Date;
}

/** Every fact the collectors give for one entity, and why each one they could not give is unknown. */
export async function collectFacts(ref: string, entity: Entity, collectors: FactCollector[], context: FactContext): Promise<Omit<ScoringInput, 'exemptions'>> {
  const facts = new Map<string, unknown>();
  const unknownBecause = new Map<string, string>();
  await Promise.all(
    collectors.map(async (collector) => {
      try {
        const collected = await collector.collect(ref, entity, context);
        for (const name of Object.keys(collector.facts)) {
          if (Object.hasOwn(collected, name) && collected[name] !== undefined) facts.set(name, collected[name]);
          else unknownBecause.set(name, `${collector.id} facts do not include ${name} for this entity`);
        }
      } catch (error) {
        for (const name of Object.keys(collector.facts)) unknownBecause.set(name, errorMessage(error));
      }
    }),
  );
  return { facts, unknownBecause };
}

/**
 * Scorecards for entities and teams, from the facts the collectors give. Each scorecard's rules
 * are compiled once; an entity is scored on the scorecards whose filter takes it in.
 */
export function createScorecardService({ catalog, library, collectors, now = () => new Date() }: ScorecardServiceDeps): ScorecardService {
  const compiled = compileScorecards(library.scorecards);
  const contextFor = async (): Promise<FactContext> => {
    const byRef = new Map<string, CatalogProblem[]>();
    for (const problem of await catalog.problems()) if (problem.ref) byRef.set(problem.ref, [...(byRef.get(problem.ref) ?? []), problem]);
    return { view: catalog.view, problemsOf: (ref) => byRef.get(ref) ?? [], now: now() };
  };
  const scoresOf = async (ref: string, entity: Entity, applicable: CompiledScorecard[], context: FactContext) => {
    const input = await collectFacts(ref, entity, collectors, context);
    return applicable.map((scorecard) => scoreEntity(scorecard, input));
  };
  const applicableTo = (entity: Entity) => compiled.filter((scorecard) => appliesTo(scorecard.scorecard, entity));

  return {
    library,
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
    async evaluateAll() {
      const context = await contextFor();
      const results = new Map<string, EntityScore[]>();
      for (const ref of [...catalog.view.refs()]) {
        const entity = catalog.view.get(ref);
        const applicable = entity ? applicableTo(entity) : [];
        if (entity && applicable.length > 0) results.set(ref, await scoresOf(ref, entity, applicable, context));
      }
      return results;
    },
  };
}
