import type { Entity } from '../catalog/model/entity.js';

/** A person on call: as the provider names them, and when their shift starts and ends. */
export interface OnCallPerson {
  name: string;
  email?: string;
  /** ISO 8601; absent where the provider does not say. */
  start?: string;
  end?: string;
  /** The escalation level (1 is first), where the provider has levels. */
  level?: number;
  /** `now` for who is on call, `next` for who takes over. */
  when: 'now' | 'next';
}

/** One provider's answer for an entity. */
export interface OnCallProviderAnswer {
  /** The provider's id and title. */
  id: string;
  title: string;
  status: 'ok' | 'not-configured' | 'error';
  /** Why there is nobody, or what failed; shown as it is. */
  message?: string;
  oncall: OnCallPerson[];
  link?: string;
}

/** Who is on call for an entity (PagerDuty, Opsgenie...): `appliesTo` says whether the entity names this provider's service. */
export interface OnCallProvider {
  id: string;
  title: string;
  appliesTo(entity: Entity): boolean;
  whoIsOnCall(entity: Entity, context: { signal: AbortSignal }): Promise<{ oncall: OnCallPerson[]; link?: string; message?: string }>;
}
