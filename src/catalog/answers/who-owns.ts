import { ANNOTATIONS, annotationOf, sourceLocationOf, DEFAULT_NAMESPACE, specString, type Entity, type EntityLink } from '../model/entity.js';
import { compareStrings, nameOfRef, normalizeEntityRef, specRef } from '../model/entity-ref.js';
import type { CatalogView } from './catalog-view.js';

export interface EntitySummary {
  ref: string;
  kind: string;
  name: string;
  title: string;
  description: string | null;
  lifecycle: string | null;
  type: string | null;
}

/** A person the answer names, with what maps them to a chat user: an email, or a `slack.com/user-id` annotation. */
export interface PersonAnswer {
  ref: string;
  displayName: string;
  email: string | null;
  slackUserId: string | null;
}

/** Where to page someone: the entity's own on-call annotations first, then its owner's. */
export interface OnCallAnswer {
  provider: 'PagerDuty' | 'Opsgenie';
  /** The service id or team name the annotation names. */
  label: string;
  /** The provider's page for it, when one can be addressed. */
  url: string | null;
  /** The entity whose annotation it is. */
  from: string;
}

export interface OnCallLinks {
  /** Backstage's `opsgenie.domain`: the account's Opsgenie web address. */
  opsgenieDomain?: string;
}

export interface OwnerAnswer {
  ref: string;
  kind: string;
  displayName: string;
  email: string | null;
  members: string[];
  /** The members (or, for an individual owner, the owner) as people. */
  people: PersonAnswer[];
  /** A single person owns it: Backstage's own origin story names this as the key risk. */
  individual: boolean;
  /** False when the owner ref points at nothing in the catalog. */
  exists: boolean;
  parent: string | null;
  /** Contact annotations on the owner (Slack channel, on-call). */
  contacts: Record<string, string>;
}

export interface WhoOwnsAnswer {
  query: string;
  match: EntitySummary | null;
  owner: OwnerAnswer | null;
  system: string | null;
  domain: string | null;
  links: EntityLink[];
  source: string | null;
  onCall: OnCallAnswer[];
  /** For a Group or User: what it owns directly. */
  owns?: string[];
  /** For a User: the groups it belongs to. */
  memberOf?: string[];
  warnings: string[];
  suggestions: string[];
}

/** Kind preference when a bare name matches several entities: the things people ask about first. */
const KIND_PREFERENCE = ['component', 'api', 'resource', 'system', 'domain', 'group', 'user', 'template', 'location'];
// Not pagerduty.com/integration-key: whoever holds it can raise incidents, so no answer repeats it.
const CONTACT_ANNOTATIONS = [
  ANNOTATIONS.slackChannel,
  ANNOTATIONS.pagerdutyServiceId,
  ANNOTATIONS.opsgenieTeam,
  ANNOTATIONS.opsgenieComponentSelector,
  'slack.com/bot-notify',
];

/**
 * Answers "who owns X?": resolves the query to one entity (exact ref, name, title, then search),
 * then describes its owner, system, domain, links and source. A query naming a Group or User
 * answers what it owns. No match returns suggestions.
 */
export function whoOwns(view: CatalogView, rawQuery: string, onCallLinks: OnCallLinks = {}): WhoOwnsAnswer {
  const query = rawQuery.trim();
  const empty: WhoOwnsAnswer = { query, match: null, owner: null, system: null, domain: null, links: [], source: null, onCall: [], warnings: [], suggestions: [] };
  const ref = resolveQuery(view, query);
  if (!ref) return { ...empty, suggestions: suggest(view, query) };
  const entity = view.get(ref)!;
  const answer: WhoOwnsAnswer = {
    ...empty,
    match: summarize(ref, entity),
    links: entity.metadata.links ?? [],
    onCall: onCallOf(ref, entity, onCallLinks),
    source: sourceLocationOf(entity) ?? annotationOf(entity, ANNOTATIONS.managedByLocation) ?? null,
  };
  if (entity.kind === 'Group' || entity.kind === 'User') {
    answer.owns = view.related(ref, 'ownerOf');
    if (entity.kind === 'User') answer.memberOf = view.related(ref, 'memberOf');
    return answer;
  }
  const ownerRef = specRef(entity, 'owner', 'Group');
  if (ownerRef) {
    answer.owner = describeOwner(view, ownerRef);
    for (const contact of onCallOf(ownerRef, view.get(ownerRef), onCallLinks)) {
      if (!answer.onCall.some((known) => known.provider === contact.provider && known.label === contact.label)) answer.onCall.push(contact);
    }
    if (!answer.owner.exists) answer.warnings.push(`The owner ${ownerRef} is not in the catalog.`);
    else if (answer.owner.individual) answer.warnings.push(`Owned by an individual (${answer.owner.displayName}), not a team.`);
  } else {
    answer.warnings.push('No owner is declared (spec.owner).');
  }
  answer.system = view.related(ref, 'partOf').find((target) => target.startsWith('system:')) ?? null;
  const domainSource = entity.kind === 'System' ? ref : answer.system;
  answer.domain = domainSource ? (view.related(domainSource, 'partOf').find((target) => target.startsWith('domain:')) ?? null) : null;
  return answer;
}

/** The entity a query names: a ref, a name (`namespace/name`), or a title; undefined when it names none. */
export function resolveQuery(view: CatalogView, query: string): string | undefined {
  if (!query) return undefined;
  if (query.includes(':')) {
    try {
      const ref = normalizeEntityRef(query);
      if (view.has(ref)) return ref;
    } catch {
      // Not a ref after all (a colon inside free text); fall through to names and search.
    }
  }
  const slash = query.indexOf('/');
  if (slash > 0) {
    // namespace/name: only that namespace will do.
    const namespace = query.slice(0, slash).toLowerCase();
    const inNamespace = view.refsNamed(query.slice(slash + 1)).filter((ref) => ref.includes(`:${namespace}/`));
    if (inNamespace.length > 0) return preferred(inNamespace);
  } else {
    const byName = view.refsNamed(query);
    if (byName.length > 0) return preferred(byName);
  }
  const lower = query.toLowerCase();
  const byTitle = view.refsTitled(query);
  if (byTitle.length > 0) return preferred(byTitle);
  const [top] = view.index.search(query, {}, { limit: 1 }).hits;
  if (!top) return undefined;
  // Search only decides when its best hit names every word asked about; otherwise offer suggestions.
  const document = view.index.document(top.ref)!;
  const words = lower.split(/\s+/).filter(Boolean);
  const haystack = `${document.name} ${document.title}`.toLowerCase();
  return words.every((word) => haystack.includes(word)) ? top.ref : undefined;
}

/** The ref a bare name most likely means: the kind people ask about first, then the default namespace. */
export function preferred(refs: string[]): string {
  const rank = (ref: string) => {
    const kind = ref.slice(0, ref.indexOf(':'));
    const index = KIND_PREFERENCE.indexOf(kind);
    return (index === -1 ? KIND_PREFERENCE.length : index) * 2 + (ref.includes(`:${DEFAULT_NAMESPACE}/`) ? 0 : 1);
  };
  return [...refs].sort((a, b) => rank(a) - rank(b) || compareStrings(a, b))[0]!;
}

function suggest(view: CatalogView, query: string): string[] {
  if (!query) return [];
  const hits = view.index.search(query, {}, { limit: 5 }).hits.map((hit) => hit.ref);
  if (hits.length >= 5) return hits;
  // Typos beyond the index's fuzziness: close names by edit distance.
  const lower = query.toLowerCase();
  const close: { ref: string; distance: number }[] = [];
  for (const [name, refs] of view.names()) {
    const distance = editDistance(lower, name, 3);
    if (distance <= 3) for (const ref of refs) close.push({ ref, distance });
  }
  close.sort((a, b) => a.distance - b.distance || compareStrings(a.ref, b.ref));
  return [...new Set([...hits, ...close.map((item) => item.ref)])].slice(0, 5);
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      rowMin = Math.min(rowMin, current[j]!);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

export function summarize(ref: string, entity: Entity): EntitySummary {
  return {
    ref,
    kind: entity.kind,
    name: entity.metadata.name,
    title: entity.metadata.title ?? entity.metadata.name,
    description: entity.metadata.description ?? null,
    lifecycle: specString(entity, 'lifecycle') ?? null,
    type: specString(entity, 'type') ?? null,
  };
}

/** The people an entity ref stands for: a user, or a group's members. */
export function peopleOf(view: CatalogView, ref: string): PersonAnswer[] {
  return describeOwner(view, ref).people;
}

function describeOwner(view: CatalogView, ref: string): OwnerAnswer {
  const owner = view.get(ref);
  const kind = ref.startsWith('user:') ? 'User' : ref.startsWith('group:') ? 'Group' : ref.slice(0, ref.indexOf(':'));
  if (!owner) {
    return { ref, kind, displayName: nameOfRef(ref), email: null, members: [], people: [], individual: kind === 'User', exists: false, parent: null, contacts: {} };
  }
  const profile = profileOf(owner);
  const contacts: Record<string, string> = {};
  for (const key of CONTACT_ANNOTATIONS) {
    const value = annotationOf(owner, key);
    if (value) contacts[key] = value;
  }
  const members = owner.kind === 'Group' ? view.related(ref, 'hasMember') : [];
  return {
    ref,
    kind: owner.kind,
    displayName: displayNameOf(owner),
    email: profile.email ?? null,
    members,
    people: owner.kind === 'User' ? [personOf(ref, owner)] : members.map((member) => personOf(member, view.get(member))),
    individual: owner.kind === 'User',
    exists: true,
    parent: view.related(ref, 'childOf')[0] ?? null,
    contacts,
  };
}

function profileOf(entity: Entity): { displayName?: string; email?: string } {
  const profile = entity.spec?.profile;
  return profile && typeof profile === 'object' ? (profile as { displayName?: string; email?: string }) : {};
}

/** What people call a Group or User: its profile's display name, else its title, else its name. */
export function displayNameOf(entity: Entity): string {
  return profileOf(entity).displayName ?? entity.metadata.title ?? entity.metadata.name;
}

export function personOf(ref: string, entity: Entity | undefined): PersonAnswer {
  if (!entity) return { ref, displayName: nameOfRef(ref), email: null, slackUserId: null };
  const profile = profileOf(entity);
  return {
    ref,
    displayName: displayNameOf(entity),
    email: profile.email ?? null,
    slackUserId: annotationOf(entity, ANNOTATIONS.slackUserId) ?? null,
  };
}

/**
 * PagerDuty services link to the service directory of the account `pagerduty.com/account` names
 * (app.pagerduty.com when none is named); Opsgenie teams link to the teams page of the configured
 * Opsgenie domain, and are named without a link when none is configured.
 */
function onCallOf(ref: string, entity: Entity | undefined, links: OnCallLinks): OnCallAnswer[] {
  if (!entity) return [];
  const found: OnCallAnswer[] = [];
  const serviceId = annotationOf(entity, ANNOTATIONS.pagerdutyServiceId);
  if (serviceId) {
    const account = annotationOf(entity, ANNOTATIONS.pagerdutyAccount);
    const host = account && /^[a-z0-9-]+$/i.test(account) ? `${account.toLowerCase()}.pagerduty.com` : 'app.pagerduty.com';
    found.push({ provider: 'PagerDuty', label: serviceId, url: `https://${host}/service-directory/${encodeURIComponent(serviceId)}`, from: ref });
  }
  const team = annotationOf(entity, ANNOTATIONS.opsgenieTeam);
  if (team) {
    const url = links.opsgenieDomain ? new URL('teams/list', links.opsgenieDomain.replace(/\/?$/, '/')).href : null;
    found.push({ provider: 'Opsgenie', label: team, url, from: ref });
  }
  return found;
}
