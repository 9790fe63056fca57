import type { App } from '@slack/bolt';
import { peopleOf, type PersonAnswer } from '../catalog/answers/who-owns.js';
import type { CatalogView } from '../catalog/answers/catalog-view.js';
import { normalizeEntityRef } from '../catalog/model/entity-ref.js';
import type { RunNotification, RunNotifier } from '../scaffolder/actions/notification-send.js';
import { section } from './blocks/block-parts.js';
import { fitMessage, type SlackMessage } from './blocks/limits.js';
import { escapeText, link } from './blocks/mrkdwn.js';
import type { PeopleDirectory } from './people.js';

const SEVERITY_ICONS: Record<RunNotification['severity'], string> = { low: ':information_source:', normal: ':bell:', high: ':warning:', critical: ':rotating_light:' };

function notificationMessage(notification: RunNotification): SlackMessage {
  const lines = [`${SEVERITY_ICONS[notification.severity]} *${escapeText(notification.title)}*`];
  if (notification.description) lines.push(escapeText(notification.description));
  if (notification.link) lines.push(link(notification.link));
  return fitMessage({ text: notification.title, blocks: [section(lines.join('\n'))] });
}

/**
 * notification:send in Slack: each recipient entity's people (a user, a group's members) get a
 * direct message, found in Slack as cards find them; a broadcast goes to the configured channel.
 */
export function slackRunNotifier(client: App['client'], view: CatalogView, directory: PeopleDirectory, broadcastChannel: string | undefined): RunNotifier {
  return {
    async notify(notification) {
      const message = notificationMessage(notification);
      if (notification.recipients === 'broadcast') {
        if (!broadcastChannel) return { delivered: [], undelivered: ['broadcast (no callboard.scaffolder.broadcastChannel configured)'] };
        await client.chat.postMessage({ channel: broadcastChannel, ...message });
        return { delivered: [`channel ${broadcastChannel}`], undelivered: [] };
      }
      const delivered: string[] = [];
      const undelivered: string[] = [];
      const recipients = new Map<string, PersonAnswer>();
      for (const ref of notification.entityRefs) {
        let people: PersonAnswer[];
        try {
          people = peopleOf(view, normalizeEntityRef(ref, { defaultKind: 'user' }));
        } catch (error) {
          undelivered.push(`${ref} (${(error as Error).message})`);
          continue;
        }
        if (people.length === 0) undelivered.push(`${ref} (nobody in the catalog by that ref)`);
        for (const person of people) recipients.set(person.ref, person);
      }
      const mentions = await directory.mentionsFor([...recipients.values()]);
      for (const ref of recipients.keys()) {
        const userId = mentions[ref];
        if (!userId) {
          undelivered.push(`${ref} (not found in Slack)`);
          continue;
        }
        await client.chat.postMessage({ channel: userId, ...message });
        delivered.push(ref);
      }
      return { delivered, undelivered };
    },
  };
}
