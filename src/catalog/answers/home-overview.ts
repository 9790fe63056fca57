import { ANNOTATIONS, annotationOf, type Entity } from '../model/entity.js';
import { nameOfRef } from '../model/entity-ref.js';
import type { CatalogProblem } from '../processing/catalog-problem.js';
import type { CatalogView, ViewWatcher } from './catalog-view.js';
import { displayNameOf } from './who-owns.js';

/** Who is asking, as a chat app knows them. */
export interface PersonKey {
  email?: string | null;
  /** Matched against users' `slack.com/user-id` annotation. */
  slackUserId?: string | null;
}

export interface TeamOverview {
  ref: string;
  displayName: string;
  owns: string[];
}

/** A person's corner of the catalog: who they are in it, their teams, what those own, and what is broken there. */
export interface HomeOverview {
  user: { ref: string; displayName: string } | null;
  teams: TeamOverview[];
  /** What the user owns personally, outside any team. */
  owns: string[];
  /** Problems in the YAML of the entities the user and their teams own, the first MAX_PROBLEMS of them. */
  problems: CatalogProblem[];
  problemCount: number;
}

/**
 * Users by email and by Slack user id. Built on first use from the User entities only, then kept
 * current through the view's changes, so opening App Home costs a map lookup, not a catalog scan.
 */
export class PeopleIndex implements ViewWatcher {
  private byKey: Map<string, string> | undefined;
  private readonly keysOf = new Map<string, string[]>();

  constructor(private readonly view: CatalogView) {
    view.watch(this);
  }

  find(person: PersonKey): string | undefined {
    const keys = this.built();
    const bySlack = person.slackUserId ? keys.get(slackKey(person.slackUserId)) : undefined;
    return bySlack ?? (person.email ? keys.get(emailKey(person.email)) : undefined);
  }

  upserted(ref: string, entity: Entity): void {
    if (this.byKey && entity.kind === 'User') this.add(this.byKey, ref, entity);
  }

  removed(ref: string): void {
    if (!this.byKey) return;
    for (const key of this.keysOf.get(ref) ?? []) if (this.byKey.get(key) === ref) this.byKey.delete(key);
    this.keysOf.delete(ref);
  }

  loaded(): void {
    this.byKey = undefined;
    this.keysOf.clear();
  }

  private built(): Map<string, string> {
    if (!this.byKey) {
      const byKey = new Map<string, string>();
      for (const ref of this.view.refs()) {
        if (!ref.startsWith('user:')) continue;
        const entity = this.view.get(ref);
        if (entity) this.add(byKey, ref, entity);
      }
      this.byKey = byKey;
    }
    return this.byKey;
  }

  private add(byKey: Map<string, string>, ref: string, entity: Entity): void {
    const profile = entity.spec?.profile as { email?: unknown } | undefined;
    const slackUserId = annotationOf(entity, ANNOTATIONS.slackUserId);
    const keys = [typeof profile?.email === 'string' ? emailKey(profile.email) : '', slackUserId ? slackKey(slackUserId) : ''].filter(Boolean);
    // Two users claiming one email: the first keeps it, as the first location keeps a duplicate ref.
    const kept = keys.filter((key) => !byKey.has(key) || byKey.get(key) === ref);
    for (const key of kept) byKey.set(key, ref);
    this.keysOf.set(ref, kept);
  }
}

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`;
const slackKey = (id: string) => `slack:${id.trim()}`;

/** Listing more than this many problems would hide the rest of the page; the count says how many there are. */
const MAX_PROBLEMS = 20;

export function homeOverview(view: CatalogView, people: PeopleIndex, person: PersonKey, allProblems: CatalogProblem[]): HomeOverview {
  const userRef = people.find(person);
  if (!userRef) return { user: null, teams: [], owns: [], problems: [], problemCount: 0 };
  const teams = view.related(userRef, 'memberOf').map((ref) => ({ ref, displayName: nameIn(view, ref), owns: view.related(ref, 'ownerOf') }));
  const owns = view.related(userRef, 'ownerOf');
  const owned = new Set([...owns, ...teams.flatMap((team) => team.owns)]);
  const files = new Set<string>();
  for (const ref of owned) {
    const entity = view.get(ref);
    const location = entity && annotationOf(entity, ANNOTATIONS.managedByLocation);
    if (location) files.add(location.replace(/^(file|url):/, ''));
  }
  const problems = allProblems.filter((problem) => (problem.ref !== undefined && owned.has(problem.ref)) || files.has(problem.file));
  return { user: { ref: userRef, displayName: nameIn(view, userRef) }, teams, owns, problems: problems.slice(0, MAX_PROBLEMS), problemCount: problems.length };
}

function nameIn(view: CatalogView, ref: string): string {
  const entity = view.get(ref);
  return entity ? displayNameOf(entity) : nameOfRef(ref);
}
