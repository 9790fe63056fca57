import { describe, expect, it } from 'vitest';
import { actions, button, section } from '../../../src/slack/blocks/block-parts.js';
import { escapeText, link, mention } from '../../../src/slack/blocks/mrkdwn.js';
import { messageAsText, mrkdwnAsText } from '../../../src/slack/blocks/text-rendering.js';

describe('mrkdwnAsText', () => {
  it('turns links, mentions and bold into plain text and brings back the escaped characters', () => {
    const text = `*Owner:* ${link('https://example.com/a?b=1&c=2', 'Runbook')} · ${mention('U123ABC')} · <#C42|team-payments> · ${escapeText('a <b> & c')}`;
    expect(mrkdwnAsText(text)).toBe('Owner: Runbook (https://example.com/a?b=1&c=2) · @U123ABC · #team-payments · a <b> & c');
  });

  it('shows a bare link as its URL and keeps stars that are not bold markup', () => {
    expect(mrkdwnAsText(`${link('https://example.com/')} 2*3*4`)).toBe('https://example.com/ 2*3*4');
  });

  it("drops inline code's backticks, shows a date as its fallback text and the app's emoji as characters", () => {
    expect(mrkdwnAsText(':white_check_mark: Run `abc-123` at <!date^1796150000^{date_short_pretty}|2026-12-01T18:33:20Z> :unknown_emoji:')).toBe('✓ Run abc-123 at 2026-12-01T18:33:20Z :unknown_emoji:');
    expect(mrkdwnAsText(':grey_question: Has a README :zzz:')).toBe('? Has a README z');
  });

  it('keeps escaped markup inert: an escaped <!channel> reads as text, not as a mention', () => {
    expect(mrkdwnAsText(escapeText('ping <!channel> now'))).toBe('ping <!channel> now');
  });

  it('drops terminal control sequences that catalog text might carry, keeping its own bold only', () => {
    expect(mrkdwnAsText('*Title* \u001b]0;pwned\u0007 x', true)).toBe('\u001b[1mTitle\u001b[0m ]0;pwned x');
  });
});

describe('messageAsText', () => {
  it('renders headers, sections, fields, context and buttons in order', () => {
    const message = {
      text: 'fallback',
      blocks: [
        { type: 'header' as const, text: { type: 'plain_text' as const, text: 'Payments API' } },
        section('*Component* · service'),
        { type: 'section' as const, fields: [{ type: 'mrkdwn' as const, text: '*Kinds*\ncomponent 3' }] },
        { type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: '⚠️ owned by an individual' }] },
        { type: 'divider' as const },
        actions([button('Share in channel', 'share', 'x'), button('Next', 'next', 'y')]),
      ],
    };
    expect(messageAsText(message)).toBe(['Payments API', 'Component · service', 'Kinds\ncomponent 3', '⚠️ owned by an individual', '─'.repeat(40), 'In Slack: [Share in channel] [Next]'].join('\n'));
  });

  it('falls back to the message text when there are no blocks', () => {
    expect(messageAsText({ text: `Sorry, ${escapeText('<fail>')}`, blocks: [] })).toBe('Sorry, <fail>');
  });
});
