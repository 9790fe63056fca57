import type { CatalogView } from '../catalog/answers/catalog-view.js';
import { ANNOTATIONS, annotationOf } from '../catalog/model/entity.js';
import { isTimeZone } from '../time-zone.js';
import { declaredMembersOf } from '../catalog/answers/declared-members.js';
import { checkKey, type StoredResult } from './scorecard-store.js';

/** How nudges are sent: which failures, to whom, when. */
export interface NudgeSettings {
  /** A failure nudged about is not nudged again for this many days. */
  intervalDays: number;
  /** When a team may be nudged, in its time zone: ISO weekdays (1 Monday … 7 Sunday) and HH:MM times. */
  workingHours: { days: number[]; start: string; end: string };
  /** Where nudges about entities without an owner in the catalog go. */
  platformChannel?: string;
  /** Time zones by group ref, before the group's own annotation. */
  timezones: Record<string, string>;
}

/** The annotation on a Group choosing a weekly digest instead of nudges as failures come. */
export const NUDGE_FREQUENCY_ANNOTATION = 'callboard.dev/nudge-frequency';
/** The annotation on a Group (or User) naming its time zone for working hours. */
export const TIMEZONE_ANNOTATION = 'callboard.dev/timezone';

export interface PlannedFailure {
  scorecard: string;
  check: string;
  title: string;
  fix: string;
  since: string;
  regression: boolean;
}

export interface PlannedMessage {
  /** The owning group, the owning user, or `platform` for entities without an owner. */
  team: string;
  /** Where it is posted: the group's Slack channel, or the platform channel; null for direct messages. */
  channel: string | null;
  /** The catalog users it goes to by direct message (the members, when there is no channel; the owner, for a user). */
  users: string[];
  /** The owner is a single person: the message asks them to hand it to a team. */
  individual: boolean;
  entities: { ref: string; failing: PlannedFailure[] }[];
  /** Failing checks due that one message cannot hold: the next run's message lists them. */
  heldBack: number;
}

/** A message lists at most this many failing checks, each with its fix, within Slack's message size. */
export const FAILURES_PER_MESSAGE = 15;

export interface NudgePlan {
  at: string;
  messages: PlannedMessage[];
  /** Entities whose owner is missing from the catalog. */
  orphans: string[];
  skipped: { team: string; reason: string }[];
}

export interface NudgePlanInput {
  at: Date;
  view: CatalogView;
  results: StoredResult[];
  /** `entity/scorecard/check` keys set aside (snoozed until after `at`, or won't fix). */
  exempt: ReadonlySet<string>;
  /** When each `entity/scorecard/check` was last nudged about. */
  lastNudged: ReadonlyMap<string, Date>;
  /** Each `scorecard/check`'s title and fix, from the scorecards loaded now. */
  checks: ReadonlyMap<string, { title: string; fix: string }>;
  settings: NudgeSettings;
  /**
   * People's time zones from Slack, for owners without one of their own (a group's first
   * member's): null when Slack could not be asked, which skips the owner rather than guess.
   */
  slackZones?: ReadonlyMap<string, string | null>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The weekday (1 Monday … 7 Sunday) and HH:MM at `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { weekday: number; time: string } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((part) => [part.type, part.value]));
  return { weekday: WEEKDAYS.indexOf(parts.weekday!) + 1, time: `${parts.hour}:${parts.minute}` };
}

const validZone = (zone: string | undefined) => (zone && isTimeZone(zone) ? zone : undefined);

/** Who hears for a group: the members its own files declare, its sub-teams' included (a User's own `memberOf` does not make it so). */
const membersOf = (view: CatalogView, team: string) => (team.startsWith('group:') ? [...declaredMembersOf(view, team)].filter((member) => view.has(member)).sort() : []);

/**
 * The time zone the catalog or the config gives an owner, or else the person whose Slack time
 * zone stands in for it: the owner itself when a user, a group's first member.
 */
export function zoneSourceOf(team: string, view: CatalogView, settings: Pick<NudgeSettings, 'timezones'>): { zone: string } | { person: string } | undefined {
  const owner = view.get(team);
  const zone = validZone(settings.timezones[team]) ?? validZone(owner ? annotationOf(owner, TIMEZONE_ANNOTATION) : undefined);
  if (zone) return { zone };
  const person = team.startsWith('user:') ? team : membersOf(view, team)[0];
  return person ? { person } : undefined;
}

/**
 * What a nudge run at `at` sends, to whom: one message per owning team (or owning person), its
 * entities' failing checks not set aside and not nudged within the interval, regressions first,
 * then the newest. Teams outside their working hours, or whose weekly digest is not due, are
 * skipped with the reason. Pure: the run and `callboard nudge --dry-run` both use it.
 */
export function planNudges({ at, view, results, exempt, lastNudged, checks, settings, slackZones }: NudgePlanInput): NudgePlan {
  const byOwner = new Map<string, { ref: string; failing: (PlannedFailure & { lastNudged?: Date })[] }[]>();
  const orphans: string[] = [];
  for (const result of results) {
    if (!view.has(result.entityRef)) continue;
    const failing: (PlannedFailure & { lastNudged?: Date })[] = [];
    for (const [check, standing] of Object.entries(result.checks)) {
      const key = checkKey(result.entityRef, result.scorecardId, check);
      const about = checks.get(`${result.scorecardId}/${check}`);
      if (standing.status !== 'fail' || exempt.has(key) || !about) continue;
      const nudged = lastNudged.get(key);
      failing.push({ scorecard: result.scorecardId, check, title: about.title, fix: about.fix, since: standing.since, regression: standing.regressed === true, ...(nudged ? { lastNudged: nudged } : {}) });
    }
    if (failing.length === 0) continue;
    const owner = view.related(result.entityRef, 'ownedBy')[0];
    const key = owner && view.has(owner) ? owner : 'platform';
    if (key === 'platform' && !orphans.includes(result.entityRef)) orphans.push(result.entityRef);
    const entities = byOwner.get(key) ?? [];
    const known = entities.find((entity) => entity.ref === result.entityRef);
    if (known) known.failing.push(...failing);
    else entities.push({ ref: result.entityRef, failing });
    byOwner.set(key, entities);
  }

  const messages: PlannedMessage[] = [];
  const skipped: NudgePlan['skipped'] = [];
  const interval = settings.intervalDays * DAY_MS;
  for (const [team, entities] of [...byOwner.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const owner = team === 'platform' ? undefined : view.get(team);
    const members = membersOf(view, team);
    const source = zoneSourceOf(team, view, settings);
    const fromSlack = source && 'person' in source ? slackZones?.get(source.person) : undefined;
    if (team !== 'platform' && fromSlack === null && source && 'person' in source) {
      skipped.push({ team, reason: `its time zone could not be read from Slack (${source.person}'s profile): it is nudged once it can be, or set ${TIMEZONE_ANNOTATION}` });
      continue;
    }
    const zone = (source && 'zone' in source ? source.zone : validZone(fromSlack ?? undefined)) ?? 'UTC';
    const local = localTime(at, zone);
    const { days, start, end } = settings.workingHours;
    if (team !== 'platform' && (!days.includes(local.weekday) || local.time < start || local.time >= end)) {
      skipped.push({ team, reason: `outside working hours (${days.map((day) => WEEKDAYS[day - 1]).join(', ')} ${start}–${end} ${zone}): it is ${WEEKDAYS[local.weekday - 1]} ${local.time} there` });
      continue;
    }
    const digest = owner && annotationOf(owner, NUDGE_FREQUENCY_ANNOTATION)?.trim().toLowerCase() === 'weekly';
    const lastSent = Math.max(0, ...entities.flatMap((entity) => entity.failing.map((failure) => failure.lastNudged?.getTime() ?? 0)));
    if (digest && lastSent > at.getTime() - 7 * DAY_MS) {
      skipped.push({ team, reason: `weekly digest: the next one is due after ${new Date(lastSent + 7 * DAY_MS).toISOString()}` });
      continue;
    }
    // Regressions first, then the newest failures; what was nudged within the interval waits (a digest takes everything).
    const due = entities
      .map((entity) => ({ ref: entity.ref, failing: entity.failing.filter((failure) => digest || !failure.lastNudged || failure.lastNudged.getTime() <= at.getTime() - interval).sort(byUrgency).map(({ lastNudged: _, ...failure }) => failure) }))
      .filter((entity) => entity.failing.length > 0)
      .sort((a, b) => byUrgency(a.failing[0]!, b.failing[0]!) || (a.ref < b.ref ? -1 : 1));
    if (due.length === 0) continue;
    // The most urgent fill the message; what is left is not recorded as nudged, so the next run lists it.
    let room = FAILURES_PER_MESSAGE;
    let heldBack = 0;
    const listed = due.flatMap((entity) => {
      const failing = entity.failing.slice(0, Math.max(0, room));
      room -= failing.length;
      heldBack += entity.failing.length - failing.length;
      return failing.length > 0 ? [{ ref: entity.ref, failing }] : [];
    });
    if (team === 'platform') {
      if (settings.platformChannel) messages.push({ team, channel: settings.platformChannel, users: [], individual: false, entities: listed, heldBack });
      else skipped.push({ team, reason: 'entities without an owner in the catalog, and no callboard.scorecards.nudges.platformChannel to tell' });
      continue;
    }
    const channel = owner && team.startsWith('group:') ? (annotationOf(owner, ANNOTATIONS.slackChannel)?.trim() || null) : null;
    const individual = team.startsWith('user:');
    if (!individual && !channel && members.length === 0) {
      skipped.push({ team, reason: `no ${ANNOTATIONS.slackChannel} annotation and no members to message` });
      continue;
    }
    messages.push({ team, channel, users: individual ? [team] : channel ? [] : members, individual, entities: listed, heldBack });
  }
  return { at: at.toISOString(), messages, orphans: orphans.sort(), skipped };
}

function byUrgency(a: PlannedFailure, b: PlannedFailure): number {
  if (a.regression !== b.regression) return a.regression ? -1 : 1;
  return a.since < b.since ? 1 : a.since > b.since ? -1 : 0;
}
