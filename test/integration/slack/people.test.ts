import type { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonAnswer } from '../../../src/catalog/answers/who-owns.js';
import { createPeopleDirectory } from '../../../src/slack/people.js';
import { backgroundWebClient } from '../../../src/slack/web-api.js';
import { captureLogger } from '../../support/capture-logger.js';
import { FakeSlack } from '../../support/fake-slack.js';

const person = (name: string, email: string | null, slackUserId: string | null = null): PersonAnswer => ({ ref: `user:default/${name}`, displayName: name, email, slackUserId });

describe('people directory against a loopback Slack', () => {
  let slack: FakeSlack;
  let client: InstanceType<typeof webApi.WebClient>;
  const captured = captureLogger();

  beforeAll(async () => {
    slack = new FakeSlack();
    const url = await slack.start();
    slack.usersByEmail.set('dana@acme.test', 'U0DANA');
    // The client the app gives the directory, with its retries and rate-limit handling.
    client = backgroundWebClient('xoxb-test-token', { apiUrl: `${url}/api/`, webApiTimeoutMs: 2_000, webApiRetries: 2 });
  });
  afterAll(() => slack.stop());

  it('names a person whose lookup is rate limited at once, without waiting or remembering it, and mentions them next time', async () => {
    slack.failures.set('/api/users.lookupByEmail', [{ status: 429, headers: { 'retry-after': '30' } }]);
    const directory = createPeopleDirectory(client, captured.logger, { budgetMs: 5_000 });
    const dana = person('dana', 'dana@acme.test');
    const started = Date.now();
    expect(await directory.mentionsFor([dana])).toEqual({});
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await directory.mentionsFor([dana])).toEqual({ 'user:default/dana': 'U0DANA' });
    expect(slack.calls.filter((call) => call.path === '/api/users.lookupByEmail')).toHaveLength(2);
  });

  it("waits out a listing's 429 for its Retry-After, then goes on from the same page", async () => {
    slack.failures.set('/api/users.list', [{ status: 429, headers: { 'retry-after': '1' } }]);
    const directory = createPeopleDirectory(client, captured.logger);
    await directory.listWorkspace();
    const pages = slack.calls.filter((call) => call.path === '/api/users.list');
    expect(pages.at(-1)!.at - pages.at(-2)!.at).toBeGreaterThanOrEqual(950);
    expect(await directory.mentionsFor([person('dana', 'dana@acme.test')])).toEqual({ 'user:default/dana': 'U0DANA' });
  });

  it('does not remember a lookup that failed for another reason than "not found", and skips ids that are not Slack user ids', async () => {
    slack.failures.set('/api/users.lookupByEmail', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    const directory = createPeopleDirectory(client, captured.logger, { budgetMs: 2_000 });
    const erin = person('erin', 'erin@acme.test');
    const forged = person('mallory', null, '<!channel>');
    expect(await directory.mentionsFor([erin, forged])).toEqual({});
    slack.usersByEmail.set('erin@acme.test', 'U0ERIN');
    expect(await directory.mentionsFor([erin])).toEqual({ 'user:default/erin': 'U0ERIN' });
    expect(captured.lines.some((line) => String(line.msg).includes('users.lookupByEmail failed'))).toBe(true);
  });

  it('after listing the workspace, mentions people without asking Slack about each, paging through every member', async () => {
    for (let index = 0; index < 450; index++) slack.usersByEmail.set(`person${index}@acme.test`, `U0P${index}`);
    const directory = createPeopleDirectory(client, captured.logger);
    await directory.listWorkspace();
    const pages = slack.calls.filter((call) => call.path === '/api/users.list');
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const before = slack.calls.filter((call) => call.path === '/api/users.lookupByEmail').length;
    const mentions = await directory.mentionsFor([person('p449', 'Person449@acme.test'), person('stranger', 'stranger@acme.test')]);
    expect(mentions).toEqual({ 'user:default/p449': 'U0P449' });
    expect(slack.calls.filter((call) => call.path === '/api/users.lookupByEmail')).toHaveLength(before);
  });

  it('looks people up one by one when the workspace cannot be listed', async () => {
    slack.failures.set('/api/users.list', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    const directory = createPeopleDirectory(client, captured.logger, { budgetMs: 2_000 });
    await directory.listWorkspace();
    expect(await directory.mentionsFor([person('dana', 'dana@acme.test')])).toEqual({ 'user:default/dana': 'U0DANA' });
    expect(captured.lines.some((line) => String(line.msg).includes('users.list failed'))).toBe(true);
  });

  it("tells a person's Slack time zone, found by email or by an annotated id, and throws when Slack cannot say", async () => {
    slack.usersByEmail.set('kenji@acme.test', 'U0KENJI');
    slack.timezones.set('U0KENJI', 'Asia/Tokyo');
    slack.timezones.set('U0DANA', 'Europe/Berlin');
    const directory = createPeopleDirectory(client, captured.logger);
    expect(await directory.timezoneOf(person('kenji', 'kenji@acme.test'))).toBe('Asia/Tokyo');
    // No email in the catalog, only the annotated id: users.info tells.
    expect(await directory.timezoneOf(person('dana', null, 'U0DANA'))).toBe('Europe/Berlin');
    expect(await directory.timezoneOf(person('nobody', 'nobody@acme.test'))).toBeUndefined();
    slack.failures.set('/api/users.lookupByEmail', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    await expect(directory.timezoneOf(person('lee', 'lee@acme.test'))).rejects.toThrow();
  });
});
