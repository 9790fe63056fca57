import type { CatalogService } from '../catalog/catalog-service.js';
import { resolveQuery } from '../catalog/answers/who-owns.js';
import { declaredMembersOf } from '../catalog/answers/declared-members.js';
import type { Entity } from '../catalog/model/entity.js';
import type { CatalogProblem } from '../catalog/processing/catalog-problem.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, ExternalServiceError } from '../errors.js';
import { DeadlineError, RestAfterTimeouts, withDeadline } from '../deadline.js';
import { mapWithLimit } from '../catalog/ingestion/map-with-limit.js';
import type { GitHubClient } from '../github/github-client.js';
import type { HealthService } from '../kubernetes/health-service.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import type { Db } from '../db/client.js';
import { asStored, checkKey, exemptionsInForce, lastNudges, recordEvaluation, saveExemptions, storedResults, type RecordedEvaluation, type StoredExemption } from './scorecard-store.js';
import { planNudges, zoneSourceOf, type NudgePlan, type NudgeSettings } from './nudge-planner.js';
import { deliveryById } from './nudge-ledger.js';
import { isUndecided, standingOf, type NudgeStanding } from './nudge-standing.js';
import { appliesTo, compileScorecards, scoreEntity, type CompiledScorecard, type EntityScore, type Exemption, type ScoringInput } from './evaluate-scorecards.js';
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
  /** Checks their owners will not fix, with why: shown to everyone, so the reasons can be questioned. */
  wontFix: { entity: string; scorecard: string; check: string; title: string; reason: string; decidedBy: string; decidedAt: Date }[];
}

export interface PlanOptions {
  /** A person's time zone from Slack (undefined: none there; a rejection: Slack cannot say now). */
  timezoneOf?: (userRef: string) => Promise<string | undefined>;
  /** Checks in sends still under way, by `entity/scorecard/check`: as if nudged then. */
  inFlight?: ReadonlyMap<string, Date>;
}

/** Whether someone may set an entity's checks aside: only its owners may. */
export type Decision = { allowed: true } | { allowed: false; reason: string };

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
  /**
   * What a nudge run at `at` would send, to whom, from the stored evaluation (nothing is sent or
   * recorded). `timezoneOf` gives a person's time zone from Slack, for owners with none of their own.
   */
  planNudges(at: Date, options?: PlanOptions): Promise<NudgePlan>;
  /** A sent nudge with its checks as they stand now; undefined for a delivery the ledger does not hold. */
  nudgeStanding(deliveryId: string): Promise<NudgeStanding | undefined>;
  /** Whether `userRef` (a catalog user, or nobody known) may snooze or mark won't-fix the entity's checks. */
  mayDecide(userRef: string | undefined, entityRef: string): Decision;
  /** Sets the entity's failing checks in a nudge aside, as snoozed until a week from now, or as won't fix with a reason (all of them, or those named `scorecard/check`). */
  setAside(deliveryId: string, entityRef: string, decision: { kind: 'snooze' } | { kind: 'wontfix'; reason: string; checks?: string[] }, userRef: string): Promise<NudgeStanding | undefined>;
  /** Collects the entity's facts afresh (GitHub's too), scores and stores it; the nudge's standing after. */
  recheck(deliveryId: string, entityRef: string): Promise<NudgeStanding | undefined>;
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
  /** Kubernetes health, only where clusters are configured. */
  health?: HealthService;
  oncall?: OnCallService;
  nudges: NudgeSettings;
  now?: () => Date;
  /** A rate limit ending within this long is waited out in the middle of an evaluation (default 15 minutes). */
  maxRateLimitPauseMs?: number;
  /** How long one entity's facts may take from a remote collector (default 30 s). */
  remoteCollectMs?: number;
}

/** A snooze lasts a week: the next nudge after it asks again. */
const SNOOZE_MS = 7 * 24 * 60 * 60 * 1000;
/** Recheck now collects an entity afresh at most this often. */
const RECHECK_COOLDOWN_MS = 30_000;
/** How long the org view's answer is reused. */
const ORG_CACHE_MS = 60_000;
/** Time zones looked up in Slack at once while a nudge run is planned. */
const ZONE_LOOKUPS_AT_ONCE = 8;

/** How long one entity's facts may take from a remote collector (GitHub, a cluster, an on-call provider), and from a cheap one. */
const REMOTE_COLLECT_MS = 30_000;
const CHEAP_COLLECT_MS = 2_000;

/** Entities whose remote facts are collected at once in a full evaluation. */
const ENTITIES_AT_ONCE = 8;
/** A remote collector's failure is remembered this long, so a full evaluation does not ask again for every check. */
const FAILURE_REUSE_MS = 5 * 60 * 1000;

type Collected = { at: number; maxAgeMs: number; facts: Record<string, unknown> } | { at: number; maxAgeMs: number; error: string };

/** What the remote collectors remember between collections: facts per entity, and rate limits per collector. */
interface RemoteState {
  remembered: Map<string, Collected>;
  /** Until when (epoch ms) a collector's service refuses calls. */
  pausedUntil: Map<string, number>;
  maxPauseMs: number;
  /** Collectors that kept timing out rest, their facts unknown meanwhile. */
  stalled: RestAfterTimeouts<string>;
  remoteCollectMs: number;
}

/** Every fact the collectors give for one entity, and why each one they could not give is unknown. */
async function collectFacts(ref: string, entity: Entity, collectors: FactCollector[], context: FactContext, { remembered, pausedUntil, maxPauseMs, stalled, remoteCollectMs }: RemoteState, fresh = false): Promise<Omit<ScoringInput, 'exemptions'>> {
  const facts = new Map<string, unknown>();
  const unknownBecause = new Map<string, string>();
  const at = context.now.getTime();
  const collectOne = async (collector: FactCollector): Promise<Collected> => {
    const key = `${collector.id}\u0000${ref}`;
    const known = collector.cost === 'remote' && !fresh ? remembered.get(key) : undefined;
    if (known && at - known.at < known.maxAgeMs) return known;
    let collected: Collected | undefined;
    // A rate limit pauses the collector (every collection waits for its end) and the call is made
    // again; a limit ending further off than the longest pause leaves the facts unknown until then.
    for (let attempt = 0; !collected; attempt++) {
      const wait = (pausedUntil.get(collector.id) ?? 0) - Date.now();
      if (wait > maxPauseMs) {
        collected = { at, maxAgeMs: wait, error: `${collector.id} is rate limited: its facts are collected again after ${new Date(Date.now() + wait).toISOString()}` };
        break;
      }
      if (wait > 0) await sleep(wait);
      const restUntil = stalled.restingUntil(collector.id);
      if (restUntil) {
        collected = { at, maxAgeMs: restUntil - Date.now(), error: `${collector.id} kept timing out: its facts are collected again after ${new Date(restUntil).toISOString()}` };
        break;
      }
      try {
        // A collector that hangs, or answers something that is not facts, leaves its facts unknown for this entity.
        // Only an answer still to come is timed: a timer per entity would cost a 100k evaluation seconds.
        const budget = collector.cost === 'remote' ? remoteCollectMs : CHEAP_COLLECT_MS;
        const pending = collector.collect(ref, entity, context);
        const answered =
          pending instanceof Promise
            ? await withDeadline(pending, budget, `${collector.id} gave no facts within ${budget} ms`).catch((error: unknown) => {
                if (error instanceof DeadlineError) stalled.missed(collector.id);
                throw error;
              })
            : pending;
        stalled.answered(collector.id);
        collected = { at, maxAgeMs: collector.maxAgeMs ?? 0, facts: answered && typeof answered === 'object' ? answered : {} };
      } catch (error) {
        const retryAt = error instanceof ExternalServiceError ? error.retryAt : undefined;
        if (retryAt && attempt === 0) pausedUntil.set(collector.id, Math.max(pausedUntil.get(collector.id) ?? 0, retryAt.getTime()));
        else collected = { at, maxAgeMs: FAILURE_REUSE_MS, error: errorMessage(error) };
      }
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
export function createScorecardService({ db, catalog, library, collectors, github, health, oncall, nudges, now = () => new Date(), maxRateLimitPauseMs = 15 * 60 * 1000, remoteCollectMs = REMOTE_COLLECT_MS }: ScorecardServiceDeps): ScorecardService {
  const compiled = compileScorecards(library.scorecards);
  // Each check's title and fix by `scorecard/check`.
  const checkCatalog = new Map<string, { title: string; fix: string }>(library.scorecards.flatMap((scorecard) => scorecard.levels.flatMap((level) => level.checks.map((check) => [`${scorecard.id}/${check.id}`, { title: check.title, fix: check.fix ?? '' }] as const))));
  // Remote facts (GitHub's) by collector and entity, reused while fresh.
  const remote: RemoteState = { remembered: new Map(), pausedUntil: new Map(), maxPauseMs: maxRateLimitPauseMs, stalled: new RestAfterTimeouts(3, 10 * 60 * 1000), remoteCollectMs };
  const contextFor = async (): Promise<FactContext> => {
    const byRef = new Map<string, CatalogProblem[]>();
    for (const problem of await catalog.problems()) if (problem.ref) byRef.set(problem.ref, [...(byRef.get(problem.ref) ?? []), problem]);
    return { view: catalog.view, problemsOf: (ref) => byRef.get(ref) ?? [], now: now(), ...(github ? { github } : {}), ...(health ? { health } : {}), ...(oncall ? { oncall } : {}) };
  };
  const scoresOf = async (ref: string, entity: Entity, applicable: CompiledScorecard[], context: FactContext, exemptions?: ReadonlyMap<string, Exemption>, fresh = false) => {
    const input = await collectFacts(ref, entity, collectors, context, remote, fresh);
    return applicable.map((scorecard) => scoreEntity(scorecard, exemptions ? { ...input, exemptions } : input));
  };
  /** The exemptions in force for these entities, by entity and then `scorecard/check`, as the scores show them. */
  const exemptionsByEntity = async (refs: string[]) => {
    const byEntity = new Map<string, Map<string, Exemption>>();
    for (const exemption of await exemptionsInForce(db, now(), refs)) {
      const map = byEntity.get(exemption.entityRef) ?? new Map<string, Exemption>();
      map.set(`${exemption.scorecardId}/${exemption.checkId}`, exemptionShown(exemption));
      byEntity.set(exemption.entityRef, map);
    }
    return byEntity;
  };
  const standing = async (deliveryId: string): Promise<NudgeStanding | undefined> => {
    const delivery = await deliveryById(db, deliveryId);
    if (!delivery) return undefined;
    const refs = delivery.message.entities.map((entity) => entity.ref);
    const [results, exemptions] = await Promise.all([storedResults(db, refs), exemptionsInForce(db, now(), refs)]);
    return standingOf(delivery, results, exemptions);
  };
  const lastRecheck = new Map<string, number>();
  let orgCache: { at: number; limit: number; answer: Promise<OrgScorecardAnswer> } | undefined;
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
      const scorecards = applicable.length > 0 ? await scoresOf(ref, entity, applicable, await contextFor(), (await exemptionsByEntity([ref])).get(ref)) : [];
      const reasons = applicable.length === 0 ? [`no scorecard applies to ${ref} (each has a filter of kinds, types and lifecycles)`] : [];
      return { entity: ref, owner, scorecards, problems: library.problems, reasons };
    },
    async team(rawQuery) {
      const query = rawQuery.trim();
      const ref = resolveQuery(catalog.view, query.includes(':') ? query : `group:${query}`) ?? resolveQuery(catalog.view, query);
      if (!ref || !ref.startsWith('group:')) return { team: null, entities: [], reasons: [`no group named ${query}`] };
      const context = await contextFor();
      const entities: TeamScorecardAnswer['entities'] = [];
      const ownedRefs = catalog.view.related(ref, 'ownerOf').sort();
      const exemptions = await exemptionsByEntity(ownedRefs);
      for (const owned of ownedRefs) {
        const entity = catalog.view.get(owned);
        const applicable = entity ? applicableTo(entity) : [];
        if (!entity || applicable.length === 0) continue;
        const scores = await scoresOf(owned, entity, applicable, context, exemptions.get(owned));
        const failing = [...new Set(scores.flatMap((score) => score.checks.filter((check) => check.status === 'fail').map((check) => check.id)))];
        entities.push({ ref: owned, level: scores[0]!.level, levels: Object.fromEntries(scores.map((score) => [score.id, score.level])), failing });
      }
      return { team: ref, entities, reasons: entities.length === 0 ? [`${ref} owns no entity that a scorecard applies to`] : [] };
    },
    evaluateAll,
    async planNudges(at, { timezoneOf, inFlight } = {}) {
      const [stored, exemptions, lastNudged] = await Promise.all([storedResults(db), exemptionsInForce(db, at), lastNudges(db)]);
      const exempt = new Set(exemptions.map((exemption) => checkKey(exemption.entityRef, exemption.scorecardId, exemption.checkId)));
      for (const [key, when] of inFlight ?? []) {
        const known = lastNudged.get(key);
        if (!known || known < when) lastNudged.set(key, when);
      }
      // Before the first stored evaluation (a fresh database), what an evaluation now would store.
      const results = stored.length > 0 ? stored : [...(await evaluateAll())].flatMap(([entityRef, scores]) => scores.map((score) => asStored(entityRef, score, at)));
      const zones = new Map<string, string | null>();
      if (timezoneOf) {
        // Only the people whose owners have no time zone of their own are asked about.
        const people = new Set<string>();
        for (const result of results) {
          const owner = catalog.view.related(result.entityRef, 'ownedBy')[0];
          const source = owner ? zoneSourceOf(owner, catalog.view, nudges) : undefined;
          if (source && 'person' in source) people.add(source.person);
        }
        await mapWithLimit([...people], ZONE_LOOKUPS_AT_ONCE, async (person) => {
          const zone = await timezoneOf(person).catch(() => null);
          if (zone !== undefined) zones.set(person, zone);
        });
      }
      return planNudges({ at, view: catalog.view, results, exempt, lastNudged, checks: checkCatalog, settings: nudges, slackZones: zones });
    },
    nudgeStanding: standing,
    mayDecide(userRef, entityRef) {
      const owner = catalog.view.related(entityRef, 'ownedBy')[0];
      if (!owner || !catalog.view.has(owner)) return { allowed: false, reason: `${entityRef} has no owner in the catalog, so nobody can set its checks aside: give it a spec.owner` };
      const only = `only ${owner}${owner.startsWith('group:') ? "'s members" : ''} may set these checks aside`;
      if (!userRef) return { allowed: false, reason: `${only}, and the catalog has no User entity for you` };
      // The group's own files say who is in it: a User entity declaring memberOf cannot make itself an owner.
      const owners = owner.startsWith('group:') ? declaredMembersOf(catalog.view, owner) : new Set([owner]);
      return owners.has(userRef) ? { allowed: true } : { allowed: false, reason: only };
    },
    async setAside(deliveryId, entityRef, decision, userRef) {
      const before = await standing(deliveryId);
      const entity = before?.entities.find((item) => item.ref === entityRef);
      if (!before || !entity) return before;
      const at = now();
      // A snooze never undoes a won't-fix (its reason stays in the org view); a won't-fix may follow a snooze.
      const chosen = entity.checks.filter((check) => (decision.kind === 'snooze' ? isUndecided(check.status) : (isUndecided(check.status) || check.status === 'wontfix') && (!decision.checks || decision.checks.includes(`${check.scorecard}/${check.check}`))));
      await saveExemptions(
        db,
        chosen.map((check): StoredExemption => ({
          entityRef,
          scorecardId: check.scorecard,
          checkId: check.check,
          kind: decision.kind,
          until: decision.kind === 'snooze' ? new Date(at.getTime() + SNOOZE_MS) : null,
          reason: decision.kind === 'wontfix' ? decision.reason : null,
          decidedBy: userRef,
          decidedAt: at,
        })),
      );
      orgCache = undefined;
      return standing(deliveryId);
    },
    async recheck(deliveryId, entityRef) {
      // Pressed again and again, Recheck would spend GitHub's rate limit: an entity is collected afresh at most every half minute.
      const last = lastRecheck.get(entityRef) ?? 0;
      if (Date.now() - last < RECHECK_COOLDOWN_MS) return standing(deliveryId);
      lastRecheck.set(entityRef, Date.now());
      const entity = catalog.view.get(entityRef);
      const applicable = entity ? applicableTo(entity) : [];
      const scores = entity && applicable.length > 0 ? await scoresOf(entityRef, entity, applicable, await contextFor(), undefined, true) : [];
      await recordEvaluation(db, new Map([[entityRef, scores]]), now(), { entities: [entityRef] });
      orgCache = undefined;
      return standing(deliveryId);
    },
    org(limit = 10) {
      // Every App Home visit asks; the stored results change once an evaluation, so an answer stands for a minute.
      if (!orgCache || orgCache.limit !== limit || Date.now() - orgCache.at > ORG_CACHE_MS) {
        const answer = orgAnswer(limit);
        orgCache = { at: Date.now(), limit, answer };
        answer.catch(() => (orgCache = undefined));
      }
      return orgCache.answer;
    },
    async evaluateAndRecord() {
      const at = now();
      const scores = await evaluateAll();
      const recorded = await recordEvaluation(db, scores, at);
      orgCache = undefined;
      return { ...recorded, scored: scores.size, at };
    },
  };

  async function orgAnswer(limit: number): Promise<OrgScorecardAnswer> {
    const [stored, exemptions] = await Promise.all([storedResults(db), exemptionsInForce(db, now())]);
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
      wontFix: exemptions
        .filter((exemption) => exemption.kind === 'wontfix' && catalog.view.has(exemption.entityRef))
        .slice(0, limit)
        .map((exemption) => ({ entity: exemption.entityRef, scorecard: exemption.scorecardId, check: exemption.checkId, title: checkCatalog.get(`${exemption.scorecardId}/${exemption.checkId}`)?.title ?? exemption.checkId, reason: exemption.reason ?? '', decidedBy: exemption.decidedBy, decidedAt: exemption.decidedAt })),
    };
  }
}

/** How a score shows an exemption: snoozed until when, or won't fix and why, and who decided. */
function exemptionShown(exemption: StoredExemption): Exemption {
  if (exemption.kind === 'snooze') return { status: 'snoozed', message: `Snoozed by ${exemption.decidedBy}${exemption.until ? ` until ${exemption.until.toISOString().slice(0, 10)}` : ''}` };
  return { status: 'wontfix', message: `Won't fix (${exemption.decidedBy}): ${exemption.reason ?? 'no reason given'}` };
}
