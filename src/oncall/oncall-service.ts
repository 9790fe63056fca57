import type { CatalogService } from '../catalog/catalog-service.js';
import { resolveQuery } from '../catalog/answers/who-owns.js';
import type { Entity } from '../catalog/model/entity.js';
import { entityRefOf } from '../catalog/model/entity-ref.js';
import { errorMessage } from '../errors.js';
import { DeadlineError, withDeadline } from '../deadline.js';
import type { Logger } from '../logger.js';
import type { OnCallProvider, OnCallProviderAnswer } from './oncall-provider.js';

/** `callboard oncall ENTITY`'s answer, and what /oncall posts. */
export interface OnCallReport {
  entity: string | null;
  providers: OnCallProviderAnswer[];
  /** Why nobody is shown, when nobody is. */
  reasons: string[];
}

export interface OnCallService {
  /** Whether any provider is registered at all. */
  readonly configured: boolean;
  oncall(query: string): Promise<OnCallReport>;
  /** Every provider that applies to the entity, asked at once, each within the time budget. */
  forEntity(ref: string, entity: Entity): Promise<OnCallProviderAnswer[]>;
}

export interface OnCallServiceDeps {
  catalog: CatalogService;
  providers: OnCallProvider[];
  /** Each provider's answer is abandoned after this long (default 3 s). */
  timeoutMs?: number;
  /** An entity's answer is reused this long, so a busy channel does not spend the providers' rate limits (default 60 s). */
  cacheMs?: number;
  now?: () => number;
  logger?: Logger;
}

/** A failed answer is reused only this long: the provider may be back at once. */
const FAILED_CACHE_MS = 5_000;

/**
 * Who is on call for an entity, from the on-call providers plugins register (PagerDuty,
 * Opsgenie...): each provider whose annotations the entity has is asked, all at once, each
 * with a deadline; one that fails or refuses is reported beside the others.
 */
export function createOnCallService({ catalog, providers, timeoutMs = 3_000, cacheMs = 60_000, now = Date.now, logger }: OnCallServiceDeps): OnCallService {
  const cache = new Map<string, { at: number; keepMs: number; answer: Promise<OnCallProviderAnswer[]> }>();

  const ask = async (provider: OnCallProvider, entity: Entity): Promise<OnCallProviderAnswer> => {
    const controller = new AbortController();
    try {
      const answer = await withDeadline(Promise.resolve().then(() => provider.whoIsOnCall(entity, { signal: controller.signal })), timeoutMs, `${provider.title} did not answer within ${timeoutMs} ms`);
      // A provider's answer is data from elsewhere: only well-formed people are kept.
      const oncall = (Array.isArray(answer?.oncall) ? answer.oncall : []).filter((person) => typeof person?.name === 'string' && (person.when === 'now' || person.when === 'next'));
      return { id: provider.id, title: provider.title, status: 'ok', oncall, ...(typeof answer?.link === 'string' ? { link: answer.link } : {}), ...(typeof answer?.message === 'string' ? { message: answer.message } : {}) };
    } catch (error) {
      if (error instanceof DeadlineError) controller.abort(error);
      logger?.warn({ err: error, provider: provider.id }, 'an on-call provider failed');
      return { id: provider.id, title: provider.title, status: 'error', oncall: [], message: errorMessage(error) };
    }
  };

  /** Whether the provider reads this entity; one whose check throws is taken to not. */
  const applies = (provider: OnCallProvider, entity: Entity) => {
    try {
      return provider.appliesTo(entity);
    } catch (error) {
      logger?.warn({ err: error, provider: provider.id }, "an on-call provider's appliesTo failed");
      return false;
    }
  };

  const forEntity = (ref: string, entity: Entity): Promise<OnCallProviderAnswer[]> => {
    // Every card asks: without a provider there is nothing to ask or to remember.
    if (providers.length === 0) return Promise.resolve([]);
    const cached = cache.get(ref);
    if (cached && now() - cached.at < cached.keepMs) return cached.answer;
    const applicable = providers.filter((provider) => applies(provider, entity));
    const answer = Promise.all(applicable.map((provider) => ask(provider, entity)));
    const entry = { at: now(), keepMs: cacheMs, answer };
    cache.set(ref, entry);
    void answer.then((answers) => {
      if (answers.some((item) => item.status === 'error')) entry.keepMs = FAILED_CACHE_MS;
    });
    return answer;
  };

  return {
    configured: providers.length > 0,
    forEntity,
    async oncall(rawQuery) {
      const query = rawQuery.trim();
      const ref = resolveQuery(catalog.view, query);
      const entity = ref ? catalog.view.get(ref) : undefined;
      if (!ref || !entity) return { entity: null, providers: [], reasons: [`no entity named ${query}`] };
      if (providers.length === 0) return { entity: ref, providers: [], reasons: ['no on-call provider is configured: add the PagerDuty or Opsgenie plugin under callboard.plugins'] };
      const answers = await forEntity(ref, entity);
      const reasons: string[] = [];
      if (answers.length === 0) reasons.push(`${ref} names no on-call service: add an annotation one of the providers reads (${providers.map((provider) => provider.title).join(', ')})`);
      else if (answers.every((answer) => answer.status === 'error')) reasons.push('no on-call provider could be asked: see each one’s error');
      else if (answers.every((answer) => answer.oncall.every((person) => person.when !== 'now'))) reasons.push('nobody is on call right now');
      return { entity: ref, providers: answers, reasons };
    },
  };
}

/** Who is on call for an entity, as plugins and card sections ask it: nobody where no provider is registered. */
export function onCallOf(oncall: OnCallService | undefined): (entity: Entity) => Promise<OnCallProviderAnswer[]> {
  return async (entity) => (oncall ? oncall.forEntity(entityRefOf(entity), entity) : []);
}
