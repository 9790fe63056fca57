import type { SayFn } from '@slack/bolt';
import type { SlackMessage } from '../blocks/limits.js';
import { answerPlainQuestion } from '../plain-question.js';
import type { Surface, SurfaceContext } from './surface.js';

/**
 * Plain questions: a message that mentions the app in a channel (answered in its thread) and any
 * message in a direct message with it (answered there, in the thread if it was asked in one).
 * Messages from bots, edits and other subtypes are not questions. Bolt acknowledges an event
 * before any listener runs, so the time an answer takes never makes Slack retry; a retry that
 * comes anyway is dropped by the de-duplication in listeners.ts.
 */
export const questionsSurface: Surface = {
  manifest: {
    botEvents: ['app_mention', 'message.im'],
    scopes: {
      'app_mentions:read': 'app_mention: questions asked by mentioning the app',
      'im:history': 'message.im: questions in direct messages',
      'chat:write': 'chat.postMessage: the answers, in the thread or DM asked in',
    },
    messagesTab: true,
  },
  register: (app, context) => {
    app.event('app_mention', async ({ event, say, context: { botUserId } }) => {
      if (event.bot_id || event.subtype || event.edited) return;
      await answer(context, questionText(event.text, botUserId), say, event.thread_ts ?? event.ts);
    });

    // Bolt's ignoreSelf already drops the app's own messages; bot_id covers every other bot's too.
    app.event('message', async ({ event, say, context: { botUserId } }) => {
      if (event.subtype !== undefined || event.channel_type !== 'im' || event.bot_id) return;
      await answer(context, questionText(event.text ?? '', botUserId), say, event.thread_ts);
    });
  },
};

async function answer({ catalog, docs, oncall, people, apologise }: SurfaceContext, question: string, say: SayFn, threadTs: string | undefined): Promise<void> {
  const reply = (message: SlackMessage) => say({ ...message, thread_ts: threadTs, unfurl_links: false, unfurl_media: false });
  try {
    await reply(await answerPlainQuestion(question, { catalog, people, ...(docs ? { docs } : {}), ...(oncall ? { oncall } : {}) }));
  } catch (error) {
    await apologise(reply, error);
  }
}

/**
 * The question as typed: without the app's own mention, and with Slack's escapes of `&`, `<` and `>`
 * undone (other mentions and links stay as Slack wrote them).
 */
function questionText(text: string, botUserId: string | undefined): string {
  const withoutMention = botUserId ? text.replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g'), ' ') : text;
  return withoutMention.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
