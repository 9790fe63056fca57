import type { MessageShortcut } from '@slack/bolt';
import { SHORTCUTS } from '../blocks/action-ids.js';
import type { SlackMessage } from '../blocks/limits.js';
import { catalogPageUnfurl, linkOwnersMessage } from '../blocks/link-owners.js';
import type { Surface } from './surface.js';
import { messageLinks } from '../message-links.js';

/**
 * "Who owns these links?" on any message, and previews of links to the catalog's own pages.
 *
 * The shortcut answers through its response_url, which Slack includes only for message shortcuts:
 * the answer shows in the channel to the one who asked, needs no scope and works in channels the
 * bot has not joined, where chat.postEphemeral fails with not_in_channel.
 *
 * Slack sends link_shared only for the app's unfurl domains (Backstage's host). Links to an
 * entity's page are unfurled with its owner; any other link is left to Slack's own preview.
 */
export const linkShortcut: Surface = {
  manifest: {
    shortcuts: [{ name: 'Who owns these links?', type: 'message', callback_id: SHORTCUTS.linkOwners, description: 'Who owns each link in this message, from the catalog' }],
    botEvents: ['link_shared'],
    scopes: { 'links:read': "link_shared: links to the catalog's own pages", 'links:write': 'chat.unfurl: previews of those pages with their owner' },
  },
  register: (app, { catalog, log, apologise }) => {
    app.shortcut<MessageShortcut>({ type: 'message_action', callback_id: SHORTCUTS.linkOwners }, async ({ shortcut, ack, respond }) => {
      await ack();
      const reply = (message: SlackMessage) => respond({ response_type: 'ephemeral', replace_original: false, ...message });
      try {
        const { urls, leftOut } = messageLinks(shortcut.message);
        await reply(linkOwnersMessage(catalog.ownersOfLinks(urls), leftOut));
      } catch (error) {
        await apologise(reply, error);
      }
    });

    app.event('link_shared', async ({ event, client }) => {
      try {
        const pages = catalog.ownersOfLinks(event.links.map((shared) => shared.url)).flatMap(({ url, match }) => (match?.evidence === 'catalog-page' ? [[url, catalogPageUnfurl(match)] as const] : []));
        if (pages.length === 0) return;
        // A link still in the composer has no message yet: it is addressed by its unfurl id.
        const source: 'composer' | 'conversations_history' | undefined = event.source === 'composer' || event.source === 'conversations_history' ? event.source : undefined;
        const target = event.unfurl_id && source ? { unfurl_id: event.unfurl_id, source } : { channel: event.channel, ts: event.message_ts };
        await client.chat.unfurl({ ...target, unfurls: Object.fromEntries(pages) });
      } catch (error) {
        // Nobody asked, so nobody is told: the link keeps Slack's own preview.
        log.warn({ err: error }, 'unfurling catalog links failed');
      }
    });
  },
};
