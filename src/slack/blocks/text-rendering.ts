import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { SlackMessage } from './limits.js';

export interface TextRenderingOptions {
  /** Bold headers and *bold* text with ANSI escapes, for a terminal that shows them. */
  ansi?: boolean;
}

const BOLD = '\u001b[1m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/**
 * A message as a terminal shows it: the same Block Kit the app posts to Slack, read as text, so
 * the local console demonstrates exactly what Slack users see. Buttons cannot be pressed here,
 * so they are listed as what Slack would offer.
 */
export function messageAsText(message: SlackMessage, options: TextRenderingOptions = {}): string {
  const style = (code: string, text: string) => (options.ansi ? `${code}${text}${RESET}` : text);
  const lines: string[] = [];
  for (const block of message.blocks) {
    const rendered = blockAsText(block, (text) => mrkdwnAsText(text, options.ansi === true), style);
    if (rendered) lines.push(rendered);
  }
  return lines.length > 0 ? lines.join('\n') : mrkdwnAsText(message.text, options.ansi === true);
}

function blockAsText(block: KnownBlock, mrkdwn: (text: string) => string, style: (code: string, text: string) => string): string {
  switch (block.type) {
    case 'header':
      return style(BOLD, withoutControls(block.text.text));
    case 'section':
      return sectionAsText(block, mrkdwn);
    case 'context':
      return style(DIM, contextAsText(block, mrkdwn));
    case 'divider':
      return '─'.repeat(40);
    case 'actions': {
      const labels = block.elements.flatMap((element) => (element.type === 'button' ? [`[${withoutControls(element.text.text)}]`] : []));
      return labels.length > 0 ? style(DIM, `In Slack: ${labels.join(' ')}`) : '';
    }
    default:
      return '';
  }
}

function sectionAsText(block: SectionBlock, mrkdwn: (text: string) => string): string {
  const parts = [block.text ? plainOrMrkdwn(block.text, mrkdwn) : '', ...(block.fields ?? []).map((field) => plainOrMrkdwn(field, mrkdwn))];
  return parts.filter(Boolean).join('\n');
}

function contextAsText(block: ContextBlock, mrkdwn: (text: string) => string): string {
  return block.elements
    .map((element) => (element.type === 'mrkdwn' || element.type === 'plain_text' ? plainOrMrkdwn(element, mrkdwn) : ''))
    .filter(Boolean)
    .join('  ');
}

function plainOrMrkdwn(text: { type: 'mrkdwn' | 'plain_text'; text: string }, mrkdwn: (text: string) => string): string {
  return text.type === 'mrkdwn' ? mrkdwn(text.text) : withoutControls(text.text);
}

/** Catalog text could carry terminal escape sequences; only our own styling may reach the terminal. */
function withoutControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * Slack's mrkdwn as plain text: `<url|label>` becomes "label (url)", mentions and channels keep
 * their ids, `*bold*` loses its stars (or turns bold), `code` its backticks, and the three escaped characters come back.
 */
export function mrkdwnAsText(text: string, ansi = false): string {
  const clean = withoutControls(text);
  const unescape = (value: string) => value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const tokens = clean.replace(/<([^<>|]+)(?:\|([^<>]*))?>/g, (_whole, target: string, label: string | undefined) => {
    if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    // A date shows in the reader's time zone in Slack; here, as its fallback text.
    if (target.startsWith('!date^')) return label ?? '';
    if (target.startsWith('!')) return `@${label ?? target.slice(1).split('^')[0]}`;
    return label && label !== target ? `${label} (${target})` : target;
  });
  // Inline code loses its backticks, as bold loses its stars.
  const unquoted = tokens.replace(/`([^`\n]+)`/g, '$1');
  const bolded = unquoted.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, (_whole, before: string, inner: string) => `${before}${ansi ? `${BOLD}${inner}${RESET}` : inner}`);
  return unescape(bolded).replace(/:([a-z_]+):/g, (whole, name: string) => EMOJI[name] ?? whole);
}

/** The emoji the app's messages use, as a terminal can show them. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✓',
  x: '✗',
  hourglass_flowing_sand: '…',
  white_circle: '○',
  no_entry_sign: '⊘',
  fast_forward: '»',
  bell: '•',
  information_source: 'i',
  warning: '!',
  rotating_light: '!!',
  large_green_circle: '●',
  large_yellow_circle: '◐',
  red_circle: '✗',
  grey_question: '?',
  zzz: 'z',
};
