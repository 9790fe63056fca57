import type { CatalogService } from '../catalog-service.js';
import type { CatalogView } from './catalog-view.js';
import type { FindAnswer } from './find.js';
import { displayNameOf, personOf, preferred, summarize, type EntitySummary, type WhoOwnsAnswer } from './who-owns.js';

/** What a plain-language question asks for. Recognised by patterns over the words, not by any outside service. */
export type QuestionIntent =
  | { type: 'whoOwns'; subject: string }
  /** Discovery: free text, narrowed to a kind when the question names one ("is there a geocoding API?"). */
  | { type: 'find'; text: string; kind?: string }
  | { type: 'teamOwns'; team: string }
  | { type: 'teamMembers'; team: string }
  /** What the catalog holds as a whole ("stats"). */
  | { type: 'overview' }
  | { type: 'help' };

export interface TeamMember {
  ref: string;
  displayName: string;
  email: string | null;
}

export interface TeamMembersAnswer {
  team: EntitySummary;
  displayName: string;
  members: TeamMember[];
  /** The groups whose parent it is: a department's people are usually in its teams. */
  subteams: string[];
}

export type QuestionAnswer =
  | { type: 'ownership'; ownership: WhoOwnsAnswer }
  | { type: 'members'; members: TeamMembersAnswer }
  /** `query` is what was searched, filters included: the next page is asked for with it. An empty query is the overview. */
  | { type: 'results'; query: string; results: FindAnswer }
  /** `notFound` holds the words a search found nothing for; null when help was asked for. */
  | { type: 'help'; notFound: string | null };

export type QuestionCatalog = Pick<CatalogService, 'view' | 'whoOwns' | 'find'>;

/** Query words that carry no meaning for search: removed before the rest is searched. */
const FILLER_WORDS = new Set(
  (
    'a an the any some anything something everything thing things one ones all for that which who whom what where when how why ' +
    'is are was were be been do does did have has had we you i me my our us it its this these those there here to of in on at by ' +
    'with about from as and or can could should would will please handle handles handling deal deals related regarding exist exists ' +
    'existing available know tell use used own owns owned owner owners'
  ).split(' '),
);

/** Nouns naming an entity kind, singular and plural, as people say them (a Map: question words must not reach Object's prototype). */
const KIND_WORDS = new Map<string, string>();
for (const [kind, words] of Object.entries({
  api: 'api apis endpoint endpoints',
  component: 'component components service services microservice microservices library libraries website websites',
  system: 'system systems',
  domain: 'domain domains',
  resource: 'resource resources database databases db dbs queue queues bucket buckets',
  group: 'group groups team teams squad squads',
  user: 'user users person people',
  template: 'template templates',
})) {
  for (const word of words.split(' ')) KIND_WORDS.set(word, kind);
}

/** Words after a subject that name where it lives rather than what it is ("the payments-api repo"). */
const PLACE_WORDS = new Set(['repo', 'repository', 'code', 'source', 'docs', 'documentation']);

/** Left off the front of a question, repeatedly: greetings and politeness say nothing about what is asked. */
const LEADING_NOISE =
  /^(?:hey|hi|hello|yo|ok|okay|so|um|hmm|please|pls|plz|quick question|question|callboard|any idea|no idea|i wonder|i was wondering|i want to know|i would like to know|(?:can|could|would|will) you(?: please)?(?: tell me)?|tell me|do you know(?! of| about)|does anyone know(?! of| about))(?:\s+|$)/;
const TRAILING_NOISE = /\s+(?:please|pls|thanks|thank you|thx|cheers|callboard)$/;

const HELP = /^(?:help|help me|usage|commands|examples|hi|hello|hey|hiya|yo|howdy|good (?:morning|afternoon|evening)|thanks|thank you|thx|ty|cheers|what can you do|what do you do|how does (?:this|it) work|how do i use (?:this|you|it|callboard)|who are you|what are you)?$/;
const OVERVIEW = /^(?:stats|statistics|catalog stats|catalog statistics|overview|summary|what is in the catalog|what do you know about)$/;
const OWN_VERB =
  'owns|maintains|runs|looks after|manages|supports|builds|develops|wrote|built|(?:is|are) responsible for|(?:is|are) in charge of|takes care of|(?:is|are) (?:the )?(?:owners?|maintainers?) (?:of|for)|(?:is|are) (?:maintaining|running|managing|supporting|building|developing|looking after)';
const TEAM_VERB = 'own|run|maintain|look after|manage|support|build|develop|work on|have|take care of';
const KIND_NOUNS = [...KIND_WORDS.keys()].join('|');

/** Tried in order; the first match decides. Each turns its captured words into an intent. */
const RULES: [RegExp, (words: string[]) => QuestionIntent][] = [
  [HELP, () => ({ type: 'help' })],
  [OVERVIEW, () => ({ type: 'overview' })],
  [/^who (?:is|are) (?:on|in|part of|a member of|members of|the members of|the people (?:on|in)) (.+)$/, ([team]) => teamMembers(team!)],
  [/^who (?:works (?:on|in|for)|belongs to) (.+)$/, ([team]) => teamMembers(team!)],
  [/^(?:(?:list|show)(?: me)? )?(?:all )?(?:the )?(?:members|people) (?:of|in|on) (.+)$/, ([team]) => teamMembers(team!)],
  [/^(?:(?:list|show)(?: me)? |who (?:is|are) |what are )?(?:all )?(?:the )?(.+?) (?:team )?members$/, ([team]) => teamMembers(team!)],
  [new RegExp(`^what(?: [a-z]+)? (?:does|do|did) (.+?) (?:${TEAM_VERB})$`), ([team]) => teamOwns(team!)],
  [/^(?:(?:list|show)(?: me)? )?(?:what|everything|all|things|stuff)(?: that)?(?: is| are)? (?:owned|maintained|run|managed) by (.+)$/, ([team]) => teamOwns(team!)],
  [/^(?:what|everything that|all that) belongs to (.+)$/, ([team]) => teamOwns(team!)],
  [new RegExp(`^(?:who|(?:which|what) (?:team|group|squad|person))(?: actually| currently)? (?:${OWN_VERB}) (.+)$`), ([subject]) => whoOwnsIntent(subject!)],
  [/^who (?:do|should|can|could) (?:i|we) (?:talk to|ask|contact|ping|speak to|reach out to) (?:about|for|regarding) (.+)$/, ([subject]) => whoOwnsIntent(subject!)],
  [/^(?:whoowns|(?:owners?|maintainers?) (?:of|for)) (.+)$/, ([subject]) => whoOwnsIntent(subject!)],
  [/^(.+?) (?:is|are) (?:owned|maintained|run) by (?:who|whom|which team|what team)$/, ([subject]) => whoOwnsIntent(subject!)],
  [/^(.+?) (?:owners?|maintainers?)$/, ([subject]) => whoOwnsIntent(subject!)],
  [/^(?:is|are) there (.+)$/, ([wanted]) => findIntent(wanted!)],
  [/^(?:do|does|did) (?:we|you|anyone|anybody|someone|somebody|the company|the catalog) (?:have|has|know of|know about|provide|offer|run|own)(?: got)? (.+)$/, ([wanted]) => findIntent(wanted!)],
  [/^(?:any|anything|something|find|search|search for|look for|look up|lookup|show me|list|list all|i need|i am looking for|looking for) (.+)$/, ([wanted]) => findIntent(wanted!)],
  [new RegExp(`^(?:what|which) ((?:${KIND_NOUNS}) .+)$`), ([wanted]) => findIntent(wanted!)],
  [/^where (?:is|are|can i find|do i find|does|do) ((?:a|an|any|some) .+)$/, ([wanted]) => findIntent(wanted!)],
  [/^where (?:is|are|can i find|do i find|does|do) (.+?)(?: live| lives)?$/, ([subject]) => whoOwnsIntent(subject!)],
  [/^what (?:does|do) (.+) do$/, ([subject]) => whoOwnsIntent(subject!)],
  [/^(?:(?:what|who) (?:is|are)|about|describe) (.+)$/, ([subject]) => whoOwnsIntent(subject!)],
];

/**
 * What a question asks, from its words: case, punctuation, quotes, backticks, contractions and
 * greetings do not matter. The caller strips Slack's mention of the app. A question no pattern
 * recognises becomes a search for its meaningful words; one with none left asks for help.
 */
export function understandQuestion(text: string): QuestionIntent {
  const question = normalise(text);
  for (const [pattern, intent] of RULES) {
    const match = pattern.exec(question);
    if (match) return intent(match.slice(1));
  }
  return findIntent(question);
}

/**
 * Answers a question from the catalog. Team names resolve to a Group by name, title or display
 * name, with or without "team"; a subject or team that matches nothing is searched for instead,
 * and a search that finds nothing answers with help.
 */
export function answerQuestion(catalog: QuestionCatalog, text: string, options: { limit?: number } = {}): QuestionAnswer {
  const intent = understandQuestion(text);
  const search = (words: string, kind?: string) => searchFor(catalog, words, kind, options.limit);
  switch (intent.type) {
    case 'help':
      return { type: 'help', notFound: null };
    case 'overview':
      return { type: 'results', query: '', results: catalog.find('', { limit: options.limit }) };
    case 'find':
      return search(intent.text, intent.kind);
    case 'whoOwns':
      return ownershipOf(catalog, intent.subject) ?? search(keywords(intent.subject));
    case 'teamOwns': {
      const team = resolveTeam(catalog.view, intent.team);
      if (team) return { type: 'ownership', ownership: catalog.whoOwns(team) };
      return ownershipOf(catalog, intent.team) ?? search(keywords(intent.team));
    }
    case 'teamMembers': {
      const team = resolveTeam(catalog.view, intent.team);
      if (team) return { type: 'members', members: membersOf(catalog.view, team) };
      return ownershipOf(catalog, intent.team) ?? search(keywords(intent.team));
    }
  }
}

/**
 * The Group a team name means: "payments team", "payments-team", "team payments" and "payments"
 * all name a group called payments-team or team-payments, or titled or displayed "Payments Team".
 * The spelling as asked wins over looser ones; among equals, the default namespace.
 */
export function resolveTeam(view: CatalogView, name: string): string | undefined {
  const asked = name.trim().toLowerCase();
  const core = teamCore(asked);
  if (!core) return undefined;
  const dashed = core.replaceAll(' ', '-');
  for (const spelling of new Set([asked, dashed, core, `${dashed}-team`, `team-${dashed}`, `${core} team`, `team ${core}`])) {
    const groups = [...view.refsNamed(spelling), ...view.refsTitled(spelling)].filter(isGroup);
    if (groups.length > 0) return preferred(groups);
  }
  // Display names are not indexed, and other spellings ("Payments & Billing") only compare word for word.
  const matching: string[] = [];
  for (const ref of view.refs()) {
    if (!isGroup(ref)) continue;
    const group = view.get(ref)!;
    if ([group.metadata.name, group.metadata.title, displayNameOf(group)].some((candidate) => candidate !== undefined && teamCore(candidate) === core)) matching.push(ref);
  }
  return matching.length > 0 ? preferred(matching) : undefined;
}

function membersOf(view: CatalogView, ref: string): TeamMembersAnswer {
  const group = view.get(ref)!;
  const members = view.related(ref, 'hasMember').map((memberRef): TeamMember => {
    const { displayName, email } = personOf(memberRef, view.get(memberRef));
    return { ref: memberRef, displayName, email };
  });
  return {
    team: summarize(ref, group),
    displayName: displayNameOf(group),
    members,
    subteams: view.related(ref, 'parentOf'),
  };
}

/** The ownership answer for a subject, also without a trailing kind or place word ("the payments-api service"); undefined when nothing matches. */
function ownershipOf(catalog: QuestionCatalog, subject: string): QuestionAnswer | undefined {
  const words = subject.split(' ');
  const last = words.at(-1)!;
  const spellings = [subject, ...(words.length > 1 && (KIND_WORDS.has(last) || PLACE_WORDS.has(last)) ? [words.slice(0, -1).join(' ')] : [])];
  for (const spelling of spellings) {
    const ownership = catalog.whoOwns(spelling);
    if (ownership.match) return { type: 'ownership', ownership };
  }
  return undefined;
}

/** Ranked results for the words within the kind; without the kind when that finds nothing (a "service" may be catalogued as an API); else help. */
function searchFor(catalog: QuestionCatalog, text: string, kind: string | undefined, limit: number | undefined): QuestionAnswer {
  const query = [text, kind && `kind:${kind}`].filter(Boolean).join(' ');
  if (!query) return { type: 'help', notFound: null };
  for (const attempt of kind && text ? [query, text] : [query]) {
    const results = catalog.find(attempt, { limit });
    if (results.total > 0) return { type: 'results', query: attempt, results };
  }
  return { type: 'help', notFound: query };
}

function teamMembers(team: string): QuestionIntent {
  return { type: 'teamMembers', team: withoutArticle(team) };
}

function teamOwns(team: string): QuestionIntent {
  return { type: 'teamOwns', team: withoutArticle(team) };
}

function whoOwnsIntent(subject: string): QuestionIntent {
  return { type: 'whoOwns', subject: withoutArticle(subject) };
}

/** The words worth searching, with the first kind noun among them taken as a filter. */
function findIntent(wanted: string): QuestionIntent {
  let kind: string | undefined;
  const words: string[] = [];
  for (const word of wanted.split(' ')) {
    if (!kind && KIND_WORDS.has(word)) kind = KIND_WORDS.get(word);
    else if (!FILLER_WORDS.has(word)) words.push(word);
  }
  if (words.length === 0 && !kind) return { type: 'help' };
  return { type: 'find', text: words.join(' '), ...(kind ? { kind } : {}) };
}

function keywords(text: string): string {
  return text
    .split(' ')
    .filter((word) => !FILLER_WORDS.has(word))
    .join(' ');
}

/**
 * Lower case, one space between words, no quotes, backticks or emphasis, contractions spelled out
 * ("who's", "whos"), and no punctuation that ends a sentence. Colons, dots and slashes inside a
 * word stay: refs and filters (`component:default/payments-api`, `kind:api`) use them.
 */
function normalise(text: string): string {
  let question = text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d"`*~]/g, ' ')
    .replace(/\b(who|what|where|that|there|how)(?:'s|s)\b/g, '$1 is')
    .replace(/\b(who|what)'re\b/g, '$1 are')
    .replace(/\bi'm\b/g, 'i am')
    .replace(/'s\b/g, '')
    .replace(/[?!,;]+/g, ' ')
    .replace(/[.:]+(?=[\s'_]|$)/g, ' ')
    .replace(/(^|\s)['_]+|['_]+(?=\s|$)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  for (let previous = ''; previous !== question; ) {
    previous = question;
    question = question.replace(LEADING_NOISE, '').replace(TRAILING_NOISE, '');
  }
  return question;
}

function withoutArticle(text: string): string {
  return text.replace(/^(?:the|a|an|our|my|your|this|that) /, '');
}

/** A team's name without its team-ness: the words of "payments-team", "Team Payments" and "the payments team" are all "payments". */
function teamCore(name: string): string {
  return name
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word && !TEAM_NOISE.has(word))
    .join(' ');
}
const TEAM_NOISE = new Set(['the', 'team', 'teams', 'squad', 'group', 'and']);

function isGroup(ref: string): boolean {
  return ref.startsWith('group:');
}

