import { ActionError, type ScaffolderAction } from './action.js';

export interface RunNotification {
  /** `entity`: the people of `entityRefs` (a group's members); `broadcast`: everyone the app broadcasts to. */
  recipients: 'entity' | 'broadcast';
  entityRefs: string[];
  title: string;
  description?: string;
  link?: string;
  severity: 'low' | 'normal' | 'high' | 'critical';
}

/** Where notification:send delivers: the Slack app, or (no Slack here) nowhere, said plainly. */
export interface RunNotifier {
  /** Delivers it; says whom it reached and whom it could not (no Slack user known), for the step's log. Throws when delivery fails. */
  notify(notification: RunNotification): Promise<{ delivered: string[]; undelivered: string[] }>;
}

/** A process without the Slack app (the CLI, the console): nothing can be delivered, and the log says so. */
export const UNDELIVERED: RunNotifier = {
  notify: async (notification) => ({ delivered: [], undelivered: notification.recipients === 'broadcast' ? ['broadcast (no Slack app in this process)'] : notification.entityRefs.map((ref) => `${ref} (no Slack app in this process)`) }),
};

/** Backstage's notification:send (the notifications backend's scaffolder action), delivered by the run's notifier. */
export const notificationSend: ScaffolderAction = {
  id: 'notification:send',
  description: 'Sends a notification to entities (their people) or to everyone',
  supportsDryRun: false,
  inputSchema: {
    type: 'object',
    required: ['recipients', 'title'],
    properties: {
      recipients: { enum: ['entity', 'broadcast'] },
      entityRefs: { type: 'array', items: { type: 'string' } },
      title: { type: 'string' },
      description: { type: 'string' },
      // The create-app example template writes info: for the description.
      info: { type: 'string' },
      link: { type: 'string' },
      severity: { enum: ['low', 'normal', 'high', 'critical'] },
      scope: { type: 'string' },
      optional: { type: 'boolean' },
    },
  },
  async handler({ input, log, notifier }) {
    const entityRefs = (input.entityRefs ?? []) as string[];
    if (input.recipients === 'entity' && entityRefs.length === 0) throw new ActionError('recipients: entity needs entityRefs');
    const description = typeof input.description === 'string' ? input.description : typeof input.info === 'string' ? input.info : undefined;
    let outcome;
    try {
      outcome = await notifier.notify({
        recipients: input.recipients as RunNotification['recipients'],
        entityRefs,
        title: String(input.title),
        ...(description ? { description } : {}),
        ...(typeof input.link === 'string' ? { link: input.link } : {}),
        severity: (input.severity as RunNotification['severity'] | undefined) ?? 'normal',
      });
    } catch (error) {
      // As in Backstage: a failed delivery fails the step unless the template made it optional.
      if (input.optional !== true) throw error;
      log(`the notification was not sent: ${(error as Error).message}`);
      return;
    }
    if (outcome.delivered.length > 0) log(`notified ${outcome.delivered.join(', ')}`);
    if (outcome.undelivered.length > 0) log(`not delivered to ${outcome.undelivered.join(', ')}`);
  },
};
