import { describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import { find } from '../../../src/catalog/answers/find.js';
import { answerQuestion, resolveTeam, understandQuestion, type QuestionAnswer, type QuestionCatalog, type QuestionIntent } from '../../../src/catalog/answers/question.js';
import { whoOwns } from '../../../src/catalog/answers/who-owns.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { entityRefOf } from '../../../src/catalog/model/entity-ref.js';

describe('understandQuestion', () => {
  const whoOwnsIt = (subject: string): QuestionIntent => ({ type: 'whoOwns', subject });
  const findIt = (text: string, kind?: string): QuestionIntent => ({ type: 'find', text, ...(kind ? { kind } : {}) });
  const teamOwns = (team: string): QuestionIntent => ({ type: 'teamOwns', team });
  const teamMembers = (team: string): QuestionIntent => ({ type: 'teamMembers', team });
  const help: QuestionIntent = { type: 'help' };

  it.each<[string, QuestionIntent]>([
    ['who owns payments-api?', whoOwnsIt('payments-api')],
    ['Who owns Payments-API', whoOwnsIt('payments-api')],
    ['who owns `payments-api`?', whoOwnsIt('payments-api')],
    ['who owns "payments-api"?!', whoOwnsIt('payments-api')],
    ["who owns 'payments-api'.", whoOwnsIt('payments-api')],
    ['who owns *payments-api*', whoOwnsIt('payments-api')],
    ['who owns _payments-api_', whoOwnsIt('payments-api')],
    ['who owns the payments api', whoOwnsIt('payments api')],
    ['who maintains payments-api', whoOwnsIt('payments-api')],
    ["who's maintaining payments-api?", whoOwnsIt('payments-api')],
    ['whos responsible for payments-api', whoOwnsIt('payments-api')],
    ['Who’s responsible for payments-api?', whoOwnsIt('payments-api')],
    ['who is responsible for payments-api', whoOwnsIt('payments-api')],
    ['who is the owner of payments-api', whoOwnsIt('payments-api')],
    ['who are the maintainers of payments-api?', whoOwnsIt('payments-api')],
    ['which team owns payments-api', whoOwnsIt('payments-api')],
    ['who looks after payments-api', whoOwnsIt('payments-api')],
    ['who do I ask about payments-api?', whoOwnsIt('payments-api')],
    ['owner of payments-api', whoOwnsIt('payments-api')],
    ['payments-api owner?', whoOwnsIt('payments-api')],
    ['payments-api is owned by whom?', whoOwnsIt('payments-api')],
    ['whoowns payments-api', whoOwnsIt('payments-api')],
    ['who owns component:default/payments-api?', whoOwnsIt('component:default/payments-api')],
    ['Hey Callboard, can you tell me who owns the payments-api service please?', whoOwnsIt('payments-api service')],
    ['do you know who owns payments-api', whoOwnsIt('payments-api')],
    ['where is the payments-api repo?', whoOwnsIt('payments-api repo')],
    ['where does payments-api live?', whoOwnsIt('payments-api')],
    ['what is payments-api?', whoOwnsIt('payments-api')],
    ["what's payments-api", whoOwnsIt('payments-api')],
    ['what does payments-api do?', whoOwnsIt('payments-api')],
    ['tell me about payments-api', whoOwnsIt('payments-api')],
    ['who is alice?', whoOwnsIt('alice')],

    ['is there a geocoding API?', findIt('geocoding', 'api')],
    ['Is there an API for geocoding', findIt('geocoding', 'api')],
    ['are there any APIs for geocoding?', findIt('geocoding', 'api')],
    ['any APIs for geocoding', findIt('geocoding', 'api')],
    ['do we have a geocoding service?', findIt('geocoding', 'component')],
    ['do we have anything that does geocoding?', findIt('geocoding')],
    ['does anyone have a database for invoices', findIt('invoices', 'resource')],
    ['do you know of a geocoding api', findIt('geocoding', 'api')],
    ['what APIs are there for geocoding?', findIt('geocoding', 'api')],
    ['which services handle geocoding', findIt('geocoding', 'component')],
    ['where can I find a geocoding API?', findIt('geocoding', 'api')],
    ['find geocoding', findIt('geocoding')],
    ['search for kind:api geocoding', findIt('kind:api geocoding')],
    ['show me all APIs', findIt('', 'api')],
    ['can you find geocoding libraries', findIt('geocoding', 'component')],
    ['geocoding', findIt('geocoding')],
    ['the invoice portal', findIt('invoice portal')],

    ['what does the payments team own?', teamOwns('payments team')],
    ['What does payments-team run?', teamOwns('payments-team')],
    ['what do payments maintain', teamOwns('payments')],
    ['what APIs does team payments own?', teamOwns('team payments')],
    ['what else does the payments team look after', teamOwns('payments team')],
    ['what is owned by payments-team?', teamOwns('payments-team')],
    ['list everything owned by the payments team', teamOwns('payments team')],
    ['what belongs to payments-team', teamOwns('payments-team')],
    ['what does alice own?', teamOwns('alice')],

    ['who is on payments-team?', teamMembers('payments-team')],
    ["who's in the payments team?", teamMembers('payments team')],
    ['whos on team payments', teamMembers('team payments')],
    ['who are the members of payments-team', teamMembers('payments-team')],
    ['who is part of the payments team', teamMembers('payments team')],
    ['who works in payments-team', teamMembers('payments-team')],
    ['list the members of payments-team', teamMembers('payments-team')],
    ['payments-team members', teamMembers('payments-team')],
    ['who are the payments team members?', teamMembers('payments')],

    ['', help],
    ['   ', help],
    ['?', help],
    ['help', help],
    ['Hi!', help],
    ['hello there', help],
    ['thanks!', help],
    ['what can you do?', help],
    ['how does this work?', help],
    ['who owns', help],
    ['stats', { type: 'overview' }],
  ])('%j', (question, intent) => {
    expect(understandQuestion(question)).toEqual(intent);
  });

  it('treats words that are also Object property names as plain words', () => {
    expect(understandQuestion('is there a constructor toString?')).toEqual(findIt('constructor tostring'));
  });
});

type Meta = Partial<Entity['metadata']>;

function entity(kind: string, name: string, spec: Record<string, unknown>, metadata: Meta = {}): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default', ...metadata }, spec };
}

function fixture(): Entity[] {
  return [
    entity('Group', 'commercial', { type: 'department', children: ['payments-team'] }, { title: 'Commercial Technology' }),
    entity('Group', 'payments-team', { type: 'team', parent: 'commercial', children: [], members: ['alice', 'carol'], profile: { displayName: 'Payments' } }),
    entity('Group', 'payments-team', { type: 'team', children: [] }, { namespace: 'finance' }),
    entity('Group', 'team-maps', { type: 'team', children: [], members: ['bob'] }, { title: 'Maps & Routing' }),
    entity('Group', 'grp-7', { type: 'team', children: [], profile: { displayName: 'Identity Team' } }),
    entity('User', 'alice', { memberOf: [], profile: { displayName: 'Alice Doe', email: 'alice@example.com' } }),
    entity('User', 'carol', { memberOf: [] }),
    entity('User', 'bob', { memberOf: [], profile: { displayName: 'Bob Smith' } }),
    entity('System', 'payments', { owner: 'payments-team' }),
    entity('Component', 'payments-api', { type: 'service', lifecycle: 'production', owner: 'payments-team', system: 'payments' }, { title: 'Payments API' }),
    entity('Component', 'invoices', { type: 'website', lifecycle: 'production', owner: 'payments-team' }, { description: 'Invoice portal' }),
    entity('Component', 'geocoder', { type: 'service', lifecycle: 'production', owner: 'team-maps' }, { tags: ['geocoding'] }),
    entity('API', 'geocoding-api', { type: 'openapi', lifecycle: 'production', owner: 'team-maps', definition: 'openapi: 3.0.0' }, { description: 'Addresses to coordinates' }),
    entity('Component', 'legacy-cron', { type: 'service', lifecycle: 'deprecated', owner: 'user:alice' }),
  ];
}

function catalogOf(entities: Entity[]): QuestionCatalog {
  const view = new CatalogView();
  for (const item of entities) view.upsert(entityRefOf(item), item);
  return { view, whoOwns: (query) => whoOwns(view, query), find: (query, options) => find(view, query, options) };
}

describe('answerQuestion', () => {
  const catalog = catalogOf(fixture());
  const ask = (question: string) => answerQuestion(catalog, question, { limit: 10 });
  const ownershipRef = (answer: QuestionAnswer) => (answer.type === 'ownership' ? answer.ownership.match?.ref : `not ownership: ${answer.type}`);
  const resultRefs = (answer: QuestionAnswer) => (answer.type === 'results' ? answer.results.results.map((result) => result.ref) : `not results: ${answer.type}`);

  it.each([
    ['who owns payments-api?', 'component:default/payments-api'],
    ['who owns the payments-api service?', 'component:default/payments-api'],
    ['where is the payments-api repo', 'component:default/payments-api'],
    ['who owns the payments api?', 'component:default/payments-api'],
  ])('answers %j with the ownership card of the entity', (question, ref) => {
    const answer = ask(question);
    expect(ownershipRef(answer)).toBe(ref);
    expect(answer.type === 'ownership' && answer.ownership.owner?.ref).toBe('group:default/payments-team');
  });

  it.each([
    'what does the payments team own?',
    'what does payments-team run?',
    'what do payments maintain?',
    'what is owned by team payments',
    'what does the Payments team look after?',
  ])('answers %j with what the default namespace payments-team owns', (question) => {
    const answer = ask(question);
    expect(ownershipRef(answer)).toBe('group:default/payments-team');
    expect(answer.type === 'ownership' && answer.ownership.owns).toEqual(['component:default/invoices', 'component:default/payments-api', 'system:default/payments']);
  });

  it.each(['who is on payments-team?', "who's in the payments team?", 'whos on team payments', 'who are the members of Payments', 'payments-team members'])(
    'answers %j with the members of payments-team',
    (question) => {
      expect(ask(question)).toEqual({
        type: 'members',
        members: {
          team: expect.objectContaining({ ref: 'group:default/payments-team', kind: 'Group' }),
          displayName: 'Payments',
          members: [
            { ref: 'user:default/alice', displayName: 'Alice Doe', email: 'alice@example.com' },
            { ref: 'user:default/carol', displayName: 'carol', email: null },
          ],
          subteams: [],
        },
      });
    },
  );

  it('lists a department by its title, with its teams', () => {
    const answer = ask('who is in commercial technology?');
    expect(answer.type === 'members' && answer.members).toMatchObject({ displayName: 'Commercial Technology', members: [], subteams: ['group:default/payments-team'] });
  });

  it.each([
    ['who is on the identity team?', 'group:default/grp-7'],
    ['who is on the maps and routing team', 'group:default/team-maps'],
    ['who is on maps', 'group:default/team-maps'],
  ])('resolves %j through a display name, title or the name without "team"', (question, ref) => {
    const answer = ask(question);
    expect(answer.type === 'members' && answer.members.team.ref).toBe(ref);
  });

  it('answers what a person owns when no team has the name', () => {
    const answer = ask('what does alice own?');
    expect(ownershipRef(answer)).toBe('user:default/alice');
    expect(answer.type === 'ownership' && answer.ownership.owns).toEqual(['component:default/legacy-cron']);
  });

  it('answers "who is on" an entity that is not a team with its ownership card, whose owner lists the members', () => {
    const answer = ask('who works on payments-api?');
    expect(ownershipRef(answer)).toBe('component:default/payments-api');
  });

  it('finds APIs for "is there a geocoding API?", searching with the kind as a filter', () => {
    const answer = ask('is there a geocoding API?');
    expect(answer).toMatchObject({ type: 'results', query: 'geocoding kind:api' });
    expect(resultRefs(answer)).toEqual(['api:default/geocoding-api']);
  });

  it('finds services for "do we have a geocoding service?"', () => {
    expect(resultRefs(ask('do we have a geocoding service?'))).toEqual(['component:default/geocoder']);
  });

  it('searches without the kind when nothing of that kind matches', () => {
    const answer = ask('is there a geocoding database?');
    expect(answer).toMatchObject({ type: 'results', query: 'geocoding' });
    expect(resultRefs(answer)).toEqual(expect.arrayContaining(['api:default/geocoding-api', 'component:default/geocoder']));
  });

  it('lists every entity of a kind for "show me all APIs"', () => {
    expect(ask('show me all APIs')).toMatchObject({ type: 'results', query: 'kind:api', results: { total: 1 } });
  });

  it('searches for a subject that names no entity', () => {
    const answer = ask('who owns the invoice portal?');
    expect(answer).toMatchObject({ type: 'results', query: 'invoice portal' });
    expect(resultRefs(answer)).toEqual(['component:default/invoices']);
  });

  it('searches the meaningful words of a question it does not recognise', () => {
    expect(resultRefs(ask('geocoding please'))).toEqual(expect.arrayContaining(['component:default/geocoder']));
  });

  it.each([
    ['who owns zzqx-service?', 'zzqx-service'],
    ["what's the weather like?", 'weather like'],
    ['who is on the zzqx team?', 'zzqx team'],
    ['is there a zzqx API?', 'zzqx kind:api'],
  ])('answers %j, which nothing matches, with help naming what was searched', (question, notFound) => {
    expect(ask(question)).toEqual({ type: 'help', notFound });
  });

  it.each(['', 'help', 'hello!', 'who owns?'])('answers %j with help', (question) => {
    expect(ask(question)).toEqual({ type: 'help', notFound: null });
  });

  it('describes the whole catalog for "stats"', () => {
    expect(ask('stats')).toMatchObject({ type: 'results', query: '', results: { total: fixture().length } });
  });
});

describe('resolveTeam', () => {
  const { view } = catalogOf(fixture());

  it.each([
    ['payments-team', 'group:default/payments-team'],
    ['Payments Team', 'group:default/payments-team'],
    ['team payments', 'group:default/payments-team'],
    ['payments', 'group:default/payments-team'],
    ['team-maps', 'group:default/team-maps'],
    ['maps team', 'group:default/team-maps'],
    ['Maps & Routing', 'group:default/team-maps'],
    ['identity', 'group:default/grp-7'],
  ])('resolves %j', (name, ref) => {
    expect(resolveTeam(view, name)).toBe(ref);
  });

  it.each(['team', 'the team', 'payments-api', 'alice', 'zzqx'])('resolves %j to no group', (name) => {
    expect(resolveTeam(view, name)).toBeUndefined();
  });
});
