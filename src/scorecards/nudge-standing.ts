import type { CheckStatus } from './evaluate-scorecards.js';
import type { NudgeDelivery } from './nudge-ledger.js';
import type { PlannedFailure } from './nudge-planner.js';
import { checkKey, type StoredExemption, type StoredResult } from './scorecard-store.js';

/** A nudged check as it stands now: still failing, fixed, unknown, or set aside by its owners. */
export interface StandingCheck extends PlannedFailure {
  status: CheckStatus;
  /** Who set it aside, and until when or why. */
  exemption?: { kind: 'snooze' | 'wontfix'; until: string | null; reason: string | null; decidedBy: string };
}

/** A check its owners may still decide about: failing, or only snoozed (a won't-fix is decided). */
export const isUndecided = (status: CheckStatus) => status === 'fail' || status === 'snoozed';

/** A sent nudge with each of its checks as it stands now: what its message shows, first and after every button. */
export interface NudgeStanding {
  delivery: string;
  team: string;
  individual: boolean;
  /** Where the message is in Slack, once sent. */
  channel: string | null;
  messageTs: string | null;
  entities: { ref: string; checks: StandingCheck[] }[];
  /** Failing checks the message had no room for: the next nudge lists them. */
  heldBack: number;
}

/** The delivery's checks with their stored status and the exemptions in force. A check no longer stored reads as unknown. */
export function standingOf(delivery: NudgeDelivery, results: StoredResult[], exemptions: StoredExemption[]): NudgeStanding {
  const statuses = new Map(results.flatMap((result) => Object.entries(result.checks).map(([check, stored]) => [checkKey(result.entityRef, result.scorecardId, check), stored.status] as const)));
  const decided = new Map(exemptions.map((exemption) => [checkKey(exemption.entityRef, exemption.scorecardId, exemption.checkId), exemption]));
  return {
    delivery: delivery.id,
    team: delivery.message.team,
    individual: delivery.message.individual,
    channel: delivery.channel,
    messageTs: delivery.messageTs,
    heldBack: delivery.message.heldBack ?? 0,
    entities: delivery.message.entities.map((entity) => ({
      ref: entity.ref,
      checks: entity.failing.map((failure) => {
        const key = checkKey(entity.ref, failure.scorecard, failure.check);
        const stored = statuses.get(key) ?? 'unknown';
        const exemption = stored === 'fail' ? decided.get(key) : undefined;
        if (!exemption) return { ...failure, status: stored };
        return {
          ...failure,
          status: exemption.kind === 'snooze' ? 'snoozed' : 'wontfix',
          exemption: { kind: exemption.kind, until: exemption.until?.toISOString() ?? null, reason: exemption.reason, decidedBy: exemption.decidedBy },
        };
      }),
    })),
  };
}

/** A standing as first sent: every check failing, nothing set aside. */
export function freshStanding(delivery: NudgeDelivery): NudgeStanding {
  return {
    delivery: delivery.id,
    team: delivery.message.team,
    individual: delivery.message.individual,
    channel: null,
    messageTs: null,
    heldBack: delivery.message.heldBack ?? 0,
    entities: delivery.message.entities.map((entity) => ({ ref: entity.ref, checks: entity.failing.map((failure) => ({ ...failure, status: 'fail' as const })) })),
  };
}
