import { ANNOTATIONS, annotationOf } from '../../catalog/model/entity.js';
import type { FactCollector } from '../fact-collector.js';

const ONCALL_ANNOTATIONS = [ANNOTATIONS.pagerdutyServiceId, ANNOTATIONS.pagerdutyIntegrationKey, ANNOTATIONS.opsgenieComponentSelector, ANNOTATIONS.opsgenieTeam];

/**
 * Whether someone is on call for the entity. With on-call providers registered (the PagerDuty or
 * Opsgenie plugin), true only when one of them says someone is on call now; unknown when every
 * provider that applies failed. Without any, a PagerDuty or Opsgenie annotation is taken as the
 * best that can be known.
 */
export const oncallFacts: FactCollector = {
  id: 'oncall',
  cost: 'remote',
  maxAgeMs: 10 * 60 * 1000,
  facts: {
    hasOnCall: { type: 'boolean', description: 'someone is on call now (with an on-call provider), else a PagerDuty or Opsgenie annotation' },
  },
  async collect(ref, entity, { oncall }) {
    const annotated = ONCALL_ANNOTATIONS.some((name) => Boolean(annotationOf(entity, name)?.trim()));
    if (!oncall?.configured) return { hasOnCall: annotated };
    const answers = await oncall.forEntity(ref, entity);
    if (answers.some((answer) => answer.oncall.some((person) => person.when === 'now'))) return { hasOnCall: true };
    const failed = answers.filter((answer) => answer.status === 'error');
    if (failed.length > 0 && failed.length === answers.length) throw new Error(failed.map((answer) => `${answer.id}: ${answer.message ?? 'failed'}`).join('; '));
    return { hasOnCall: false };
  },
};
