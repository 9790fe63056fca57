import type { ActionsBlock, Button, SectionBlock } from '@slack/types';

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
