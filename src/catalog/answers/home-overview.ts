import { ANNOTATIONS, annotationOf, type Entity } from '../model/entity.js';
import { nameOfRef } from '../model/entity-ref.js';
import type { CatalogProblem } from '../processing/catalog-problem.js';
import type { CatalogView } from './catalog-view.js';
import { KeyedIndex } from './keyed-index.js';
import { displayNameOf, personOf } from './who-owns.js';

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
 * Users by email and by Slack user id, indexed from the User entities only. Two users claiming one
 * email or id: the one indexed first keeps it, as the first location keeps a duplicate ref.
 */
export class PeopleIndex {
  private readonly users: KeyedIndex<true>;

  constructor(view: CatalogView) {
    this.users = new KeyedIndex(view, userKeys, (ref) => ref.startsWith('user:'));
  }

  find(person: PersonKey): string | undefined {
    const bySlack = person.slackUserId ? this.users.get(slackKey(person.slackUserId))[0] : undefined;
    return (bySlack ?? (person.email ? this.users.get(emailKey(person.email))[0] : undefined))?.ref;
  }
}

function* userKeys(ref: string, entity: Entity): Generator<[string, true]> {
  const { email, slackUserId } = personOf(ref, entity);
  if (email) yield [emailKey(email), true];
  if (slackUserId) yield [slackKey(slackUserId), true];
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
