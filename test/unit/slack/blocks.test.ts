import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { beforeEach, describe, expect, it } from 'vitest';
import { CatalogView } from '../../../src/catalog/answers/catalog-view.js';
import { find } from '../../../src/catalog/answers/find.js';
import { whoOwns } from '../../../src/catalog/answers/who-owns.js';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { entityRefOf } from '../../../src/catalog/model/entity-ref.js';
import { ACTIONS } from '../../../src/slack/blocks/action-ids.js';
import { findResults } from '../../../src/slack/blocks/find-results.js';
import { fitMessage, LIMITS, messageProblems, truncateText, type SlackMessage } from '../../../src/slack/blocks/limits.js';
import { escapeText, link, mention } from '../../../src/slack/blocks/mrkdwn.js';
import { ownershipCard } from '../../../src/slack/blocks/ownership-card.js';

/** Every message a test builds must be one Slack would accept. */
function accepted(message: SlackMessage): SlackMessage {
  expect(messageProblems(message)).toEqual([]);
  return message;
}

const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (text: string, action_id: string, value = 'v'): Button => ({ type: 'button', text: { type: 'plain_text', text }, action_id, value });
const sectionText = (block: KnownBlock | undefined) => (block as SectionBlock).text!.text;
const ofType = <T extends KnownBlock>(message: SlackMessage, type: T['type']) => message.blocks.filter((block): block is T => block.type === type);
/** Characters of every `text` string anywhere in the blocks, as Slack counts toward msg_blocks_too_long. */
const totalLength = (value: unknown): number =>
  value !== null && typeof value === 'object'
    ? Object.entries(value).reduce((sum, [key, child]) => sum + (key === 'text' && typeof child === 'string' ? child.length : totalLength(child)), 0)
    : 0;

describe('escapeText', () => {
  it('leaves mentions, broadcasts and links inert', () => {
    expect(escapeText('<!channel> ping <@U123> and <https://evil.example|docs> & more')).toBe(
      '&lt;!channel&gt; ping &lt;@U123&gt; and &lt;https://evil.example|docs&gt; &amp; more',
    );
  });

  it('escapes an existing entity again, so it shows as typed', () => {
    expect(escapeText('&amp;')).toBe('&amp;amp;');
  });
});

describe('link', () => {
  it('links http and https URLs with an escaped label', () => {
    expect(link('https://grafana.example.com/d?a=1&b=2', 'Dash <board>')).toBe('<https://grafana.example.com/d?a=1&amp;b=2|Dash &lt;board&gt;>');
    expect(link('http://docs.example.com')).toBe('<http://docs.example.com/>');
  });

  it.each([['javascript:alert(1)'], ['JavaScript:alert(1)'], ['data:text/html,<script>x</script>'], ['vbscript:msgbox'], ['file:///etc/passwd'], ['not a url']])(
    'does not link %s',
    (url) => {
      const text = link(url, 'click <me>');
      expect(text).toBe('click &lt;me&gt;');
      expect(link(url)).not.toMatch(/[<>]/);
    },
  );

  it('percent-encodes the characters that would end the URL or start the label', () => {
    expect(link('https://x.example/a|b c<d>?q=x|y#f g', 'a|b')).toBe('<https://x.example/a%7Cb%20c%3Cd%3E?q=x%7Cy#f%20g|ab>');
  });

  it('keeps a label on one line', () => {
    expect(link('https://x.example/', 'two\nlines')).toBe('<https://x.example/|two lines>');
  });
});

describe('mention', () => {
  it.each([
    ['U0123ABC', '<@U0123ABC>'],
    ['W9XY', '<@W9XY>'],
    ['u0123abc', ''],
    ['U1', ''],
    ['!channel', ''],
    ['U123> <!here', ''],
  ])('%s -> %s', (id, expected) => {
    expect(mention(id)).toBe(expected);
  });
});

describe('truncateText', () => {
  it('ends a cut with an ellipsis within the limit', () => {
    expect(truncateText('abcdefghij', 5)).toBe('abcd…');
    expect(truncateText('abcde', 5)).toBe('abcde');
  });

  it('cuts before an escape sequence rather than through it', () => {
    expect(truncateText('ab &amp; cd', 6)).toBe('ab …');
    expect(truncateText('ab &amp; cd', 9)).toBe('ab &amp;…');
  });

  it('cuts before a link or mention rather than through it', () => {
    expect(truncateText('see <https://x.example/long|the docs> now', 20)).toBe('see …');
    expect(truncateText('hi <@U123> there', 9)).toBe('hi …');
  });

  it('does not split a surrogate pair', () => {
    expect(truncateText('ab😀cd', 4)).toBe('ab…');
  });
});

describe('fitMessage', () => {
  it('keeps 49 of 60 blocks and says how many were left out', () => {
    const blocks = Array.from({ length: 60 }, (_, index) => section(`item ${index}`));
    const fitted = accepted(fitMessage({ text: 'many', blocks }, { moreText: 'Narrow it down with `kind:`.' }));
    expect(fitted.blocks).toHaveLength(50);
    expect(sectionText(fitted.blocks[48])).toBe('item 48');
    expect(fitted.blocks[49]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '11 more items left out. Narrow it down with `kind:`.' }] });
    expect(blocks).toHaveLength(60);
  });

  it('honours a smaller block budget', () => {
    const fitted = fitMessage({ text: 't', blocks: Array.from({ length: 5 }, () => section('x')) }, { maxBlocks: 3 });
    expect(fitted.blocks).toHaveLength(3);
    expect(messageProblems(fitted, 3)).toEqual([]);
  });

  it('cuts a 10,000-character description to the section limit', () => {
    // Placed so that character 3,000 falls inside an `&amp;`.
    const description = `xxxxx${'a & b '.repeat(1666)}`.slice(0, 10_000);
    const message: SlackMessage = { text: 't', blocks: [section(escapeText(description))] };
    expect(messageProblems(message)).toContain('block 0 (section): text length is 16664, over 3000');
    const fitted = accepted(fitMessage(message));
    const text = sectionText(fitted.blocks[0]);
    expect(text).toHaveLength(2998);
    expect(text.endsWith('a …')).toBe(true);
    expect(sectionText(message.blocks[0])).toHaveLength(16664);
  });

  it('brings the total text under 12,000 by shortening the longest sections first', () => {
    const blocks = [section('short and whole'), ...Array.from({ length: 5 }, (_, index) => section(String(index).repeat(2900))), section('x'.repeat(1000))];
    expect(totalLength(blocks)).toBeGreaterThan(LIMITS.totalBlockText);
    expect(messageProblems({ text: 't', blocks })).toEqual([`total block text length is ${totalLength(blocks)}, over 12000`]);
    const fitted = accepted(fitMessage({ text: 't', blocks }));
    expect(totalLength(fitted.blocks)).toBe(LIMITS.totalBlockText);
    // The five longest meet at one length; nothing shorter than that is touched.
    expect(fitted.blocks.map((block) => sectionText(block).length)).toEqual([15, 2197, 2197, 2197, 2197, 2197, 1000]);
    expect(sectionText(fitted.blocks[1])).toBe(`${'0'.repeat(2196)}…`);
  });

  it('shortens other texts when sections alone cannot make room', () => {
    const fields = Array.from({ length: 10 }, () => ({ type: 'mrkdwn' as const, text: 'f'.repeat(2000) }));
    const fitted = accepted(fitMessage({ text: 't', blocks: [{ type: 'section', fields }] }));
    expect(totalLength(fitted.blocks)).toBeLessThanOrEqual(LIMITS.totalBlockText);
  });

  it('fits headers, fields, context, actions, buttons, ids and the fallback text', () => {
    const message: SlackMessage = {
      text: 'n'.repeat(3500),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(200) }, block_id: 'b'.repeat(300) },
        { type: 'section', fields: Array.from({ length: 12 }, () => ({ type: 'mrkdwn' as const, text: 'f'.repeat(2100) })) },
        { type: 'context', elements: Array.from({ length: 12 }, (_, index) => ({ type: 'mrkdwn' as const, text: `c${index}` })) },
        {
          type: 'actions',
          elements: [
            button('l'.repeat(80), 'long_label'),
            button('too long a value', 'long_value', 'v'.repeat(2001)),
            button('too long an id', 'a'.repeat(256)),
            ...Array.from({ length: 30 }, (_, index) => button(`b${index}`, `b:${index}`)),
          ],
        },
        { type: 'actions', elements: [button('gone', 'gone', 'v'.repeat(3000))] },
        { type: 'section', text: { type: 'mrkdwn', text: 'with accessory' }, accessory: button('x', 'acc', 'v'.repeat(2001)) },
      ],
    };
    const problems = messageProblems(message);
    expect(problems).toEqual([
      'message text length is 3500, over 3000',
      'total block text length is 25635, over 12000',
      'block 0 (header): block_id length is 300, over 255',
      'block 0 (header): text length is 200, over 150',
      'block 1 (section): field count is 12, over 10',
      ...Array.from({ length: 12 }, (_, index) => `block 1 (section): field ${index} length is 2100, over 2000`),
      'block 2 (context): element count is 12, over 10',
      'block 3 (actions): element count is 33, over 25',
      'block 3 (actions): button 0 text length is 80, over 75',
      'block 3 (actions): button 1 value length is 2001, over 2000',
      'block 3 (actions): button 2 action_id length is 256, over 255',
      'block 4 (actions): button 0 value length is 3000, over 2000',
      'block 5 (section): accessory value length is 2001, over 2000',
    ]);
    const fitted = accepted(fitMessage(message));
    expect(fitted.text).toHaveLength(3000);
    const [header, fields, context, actions, withAccessory] = fitted.blocks as [HeaderBlock, SectionBlock, ContextBlock, ActionsBlock, SectionBlock];
    expect(fitted.blocks).toHaveLength(5);
    expect(header.block_id).toBeUndefined();
    expect(header.text.text).toBe(`${'h'.repeat(149)}…`);
    expect(fields.fields).toHaveLength(10);
    expect(context.elements).toHaveLength(10);
    expect(actions.elements.map((element) => element.action_id)).toEqual(['long_label', ...Array.from({ length: 22 }, (_, index) => `b:${index}`)]);
    expect((actions.elements[0] as Button).text.text).toBe(`${'l'.repeat(74)}…`);
    expect(withAccessory.accessory).toBeUndefined();
  });

  it('reports repeated ids and empty blocks', () => {
    const message: SlackMessage = {
      text: 't',
      blocks: [
        { type: 'actions', block_id: 'same', elements: [button('a', 'dup'), button('b', 'dup')] },
        { type: 'actions', block_id: 'same', elements: [] },
        { type: 'section' },
      ],
    };
    expect(messageProblems(message)).toEqual([
      'block 0 (actions): repeats action_id dup',
      'block 1 (actions): has no elements',
      'block 1 (actions): repeats block_id same',
      'block 2 (section): needs text or fields',
    ]);
  });
});

type Meta = Partial<Entity['metadata']>;

function entity(kind: string, name: string, spec: Record<string, unknown>, metadata: Meta = {}): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default', ...metadata }, spec };
}

const component = (name: string, spec: Record<string, unknown>, metadata: Meta = {}) =>
  entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'team-payments', ...spec }, metadata);

function catalog(): CatalogView {
  const view = new CatalogView();
  const entities = [
    entity('Group', 'engineering', { type: 'department', children: [] }),
    entity(
      'Group',
      'team-payments',
      { type: 'team', parent: 'engineering', children: [], members: ['alice', 'carol'], profile: { displayName: 'Payments Team', email: 'payments@example.com' } },
      {
        annotations: {
          'slack.com/channel': '#payments',
          'pagerduty.com/service-id': 'P123',
          'pagerduty.com/integration-key': 'secret-integration-key',
          'opsgenie.com/team': 'payments-oncall',
        },
      },
    ),
    entity('User', 'alice', { memberOf: ['team-payments'], profile: { displayName: 'Alice Doe' } }),
    entity('User', 'carol', { memberOf: ['team-payments'] }),
    entity('Domain', 'commerce', { owner: 'engineering' }),
    entity('System', 'payments', { owner: 'team-payments', domain: 'commerce' }),
    component(
      'payments-api',
      { system: 'payments' },
      {
        title: 'Payments API',
        description: 'Charges cards. Ask <!channel> & <@U999> before deploying',
        links: [
          { url: 'https://grafana.example.com/payments', title: 'Dashboard' },
          { url: 'javascript:alert(document.cookie)', title: 'Runbook' },
        ],
        annotations: { 'backstage.io/source-location': 'url:https://github.com/acme/payments-api/tree/main/' },
      },
    ),
    component('ledger', {}, { description: 'Keeps the books', tags: ['go'] }),
    component('ledger-export', { type: 'worker' }, { tags: ['go'] }),
    component('invoices', { type: 'website' }, { tags: ['typescript'] }),
    component('orphan-job', { owner: 'ghost-team' }),
  ];
  for (const item of entities) view.upsert(entityRefOf(item), item);
  return view;
}

describe('ownershipCard', () => {
  let view: CatalogView;
  beforeEach(() => {
    view = catalog();
  });

  it('shows the entity, its owner with members, contacts, placement, links and a Share button', () => {
    const card = accepted(ownershipCard(whoOwns(view, 'payments-api'), { mentions: { 'user:default/alice': 'U0ALICE', 'user:default/carol': 'not-an-id' } }));
    expect(card.text).toBe('payments-api is owned by Payments Team');
    expect(card.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Payments API' } });
    expect(sectionText(card.blocks[1])).toBe('*Component* · service · production\nCharges cards. Ask &lt;!channel&gt; &amp; &lt;@U999&gt; before deploying');
    const owner = sectionText(card.blocks[2]);
    expect(owner).toContain('*Members:* <@U0ALICE>, carol');
    expect(owner).toContain('*Slack:* #payments');
    expect(owner).toContain('*On call:* <https://app.pagerduty.com/service-directory/P123|PagerDuty service P123>, Opsgenie team payments-oncall');
    expect(JSON.stringify(card)).not.toContain('secret-integration-key');
    // Nor does the answer itself (the CLI's --json, the console): whoever holds the key can raise incidents.
    expect(JSON.stringify(whoOwns(view, 'payments-api'))).not.toContain('secret-integration-key');
    expect(sectionText(card.blocks[4])).toBe('*Links:* <https://github.com/acme/payments-api/tree/main/|Repository> · <https://grafana.example.com/payments|Dashboard> · Runbook');
    expect(ofType<ActionsBlock>(card, 'actions')).toEqual([
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Share in channel' }, action_id: ACTIONS.share, value: 'payments-api' }] },
    ]);
    expect(card).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Payments API",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "*Component* · service · production
      Charges cards. Ask &lt;!channel&gt; &amp; &lt;@U999&gt; before deploying",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Owner:* Payments Team (payments@example.com), part of engineering
      *Members:* <@U0ALICE>, carol
      *Slack:* #payments
      *On call:* <https://app.pagerduty.com/service-directory/P123|PagerDuty service P123>, Opsgenie team payments-oncall",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*System:* payments · *Domain:* commerce",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Links:* <https://github.com/acme/payments-api/tree/main/|Repository> · <https://grafana.example.com/payments|Dashboard> · Runbook",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "action_id": "share_answer",
                "text": {
                  "text": "Share in channel",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "payments-api",
              },
            ],
            "type": "actions",
          },
        ],
        "text": "payments-api is owned by Payments Team",
      }
    `);
  });

  it('leaves out the Share button once shared', () => {
    const card = accepted(ownershipCard(whoOwns(view, 'payments-api'), { shared: true }));
    expect(ofType(card, 'actions')).toEqual([]);
    expect(sectionText(card.blocks[2])).toContain('*Members:* Alice Doe, carol');
  });

  it('shows each warning as a context line', () => {
    const card = accepted(ownershipCard(whoOwns(view, 'orphan-job'), {}));
    expect(ofType<ContextBlock>(card, 'context').map((block) => block.elements)).toEqual([
      [{ type: 'mrkdwn', text: '⚠️ The owner group:default/ghost-team is not in the catalog.' }],
    ]);
  });

  it('lists what a team owns', () => {
    const card = accepted(ownershipCard(whoOwns(view, 'team-payments'), {}));
    expect(card.text).toBe('team-payments owns 5 entities');
    expect(card.blocks.map((block) => (block.type === 'section' ? block.text?.text : block.type))).toContain(
      '*Owns 5:* invoices, ledger, ledger-export, payments-api, payments',
    );
  });

  it('offers the suggestions as buttons with one action_id each', () => {
    const answer = whoOwns(view, 'ledgr');
    expect(answer.match).toBeNull();
    const card = accepted(ownershipCard(answer, {}));
    expect(card.text).toBe('No entity named ledgr');
    expect(sectionText(card.blocks[0])).toBe('No entity named *ledgr*.');
    const [suggestions] = ofType<ActionsBlock>(card, 'actions');
    expect(suggestions!.elements).toEqual(
      answer.suggestions.map((ref, index) => ({
        type: 'button',
        text: { type: 'plain_text', text: ref.slice(ref.indexOf('/') + 1) },
        action_id: `${ACTIONS.suggestion}:${index}`,
        value: ref,
      })),
    );
    expect(answer.suggestions).toContain('component:default/ledger');
  });

  it('escapes the query it could not find', () => {
    const card = accepted(ownershipCard(whoOwns(view, '<!here> nothing-like-this'), {}));
    expect(card.text).toBe('No entity named &lt;!here&gt; nothing-like-this');
    expect(card.blocks).toHaveLength(1);
  });
});

describe('findResults', () => {
  let view: CatalogView;
  beforeEach(() => {
    view = catalog();
  });
  const page = (query: string, offset: number, pageSize = 2) => accepted(findResults(find(view, query, { limit: pageSize, offset }), { query, offset, pageSize }));
  const buttons = (message: SlackMessage) => ofType<ActionsBlock>(message, 'actions').flatMap((block) => block.elements as Button[]);

  it('shows one section per hit with owner and description, and the top facets', () => {
    const message = page('ledger', 0, 10);
    expect(message.text).toBe('2 results for ledger');
    expect(sectionText(message.blocks[0])).toBe('*2 results for ledger*');
    expect(message.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Kinds: component 2 · Types: service 1, worker 1 · Tags: go 2 · Lifecycles: production 2' }] });
    expect(sectionText(message.blocks[2])).toBe('*ledger* · Component · owned by team-payments\nKeeps the books');
    expect(sectionText(message.blocks[3])).toBe('*ledger-export* · Component · owned by team-payments');
    expect(buttons(message).map((element) => element.action_id)).toEqual([ACTIONS.shareFind]);
  });

  it('pages with Previous and Next carrying the query and offset', () => {
    const query = 'kind:component';
    const first = page(query, 0);
    expect(sectionText(first.blocks[0])).toBe('*5 results for kind:component* (1–2)');
    expect(buttons(first).map(({ action_id, value }) => [action_id, value])).toEqual([
      ['find_page:next', JSON.stringify({ q: query, offset: 2 })],
      ['share_find', JSON.stringify({ q: query, offset: 0 })],
    ]);
    const middle = page(query, 2);
    expect(buttons(middle).map(({ action_id, value }) => [action_id, value])).toEqual([
      ['find_page:prev', '{"q":"kind:component","offset":0}'],
      ['find_page:next', '{"q":"kind:component","offset":4}'],
      ['share_find', '{"q":"kind:component","offset":2}'],
    ]);
    const last = page(query, 4);
    expect(sectionText(last.blocks[0])).toBe('*5 results for kind:component* (5–5)');
    expect(buttons(last).map(({ action_id }) => action_id)).toEqual(['find_page:prev', 'share_find']);
  });

  it('says so when nothing matches, escaping the query', () => {
    const message = page('<!channel> zzzzqqq', 0);
    expect(message.text).toBe('No results for &lt;!channel&gt; zzzzqqq');
    expect(message.blocks.map((block) => block.type)).toEqual(['section', 'actions']);
  });

  it.each([[''], ['stats'], ['  Stats ']])('describes the catalog for %j', (query) => {
    const message = accepted(findResults(find(view, '', { limit: 10 }), { query, offset: 0, pageSize: 10 }));
    expect(message.text).toBe('11 entities in the catalog');
    const fields = (message.blocks[1] as SectionBlock).fields!.map((field) => field.text);
    expect(fields[0]).toBe('*Kinds*\ncomponent 5\ngroup 2\nuser 2\ndomain 1\nsystem 1');
    expect(fields).toContain('*Tags*\ngo 2\ntypescript 1');
    expect(ofType(message, 'actions')).toEqual([]);
  });

  it('keeps a page of long descriptions within the limits', () => {
    for (let index = 0; index < 30; index++) view.upsert(`component:default/big-${index}`, component(`big-${index}`, {}, { description: 'word '.repeat(2000) }));
    const message = page('big', 0, 30);
    expect(message.blocks).toHaveLength(33);
  });
});
