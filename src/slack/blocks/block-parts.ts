import type { ActionsBlock, Button, SectionBlock } from '@slack/types';
import { LIMITS, truncateText } from './limits.js';

/**
 * The few block shapes every builder uses, so each builder reads as its content. Sections are
 * verbatim: Slack then renders only the markup we wrote, and does not turn words in catalog text
 * into links, channel names or mentions on its own.
 */
export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text, verbatim: true } };
}

export function button(label: string, actionId: string, value: string): Button {
  return { type: 'button', text: { type: 'plain_text', text: label }, action_id: actionId, value };
}

export function actions(elements: Button[]): ActionsBlock {
  return { type: 'actions', elements };
}

/** Lines as sections of at most 3,000 characters each, none split (a line longer than that is cut). */
export function linesAsSections(lines: string[]): SectionBlock[] {
  const texts: string[] = [];
  for (const line of lines) {
    const last = texts.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= LIMITS.sectionText) texts[texts.length - 1] = `${last}\n${line}`;
    else texts.push(truncateText(line, LIMITS.sectionText));
  }
  return texts.map(section);
}
