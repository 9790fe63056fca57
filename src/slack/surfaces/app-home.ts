import { askerKey } from '../asker.js';
import { appHomeView } from '../blocks/app-home.js';
import type { Surface } from './surface.js';

/**
 * App Home, rebuilt each time someone opens it: the catalog changes between visits, and the page
 * is only ever seen by the person who opened it. The asker is found in the catalog by their
 * `slack.com/user-id` annotation, else by their Slack email.
 */
export const appHome: Surface = {
  manifest: {
    botEvents: ['app_home_opened'],
    scopes: { 'users:read': 'users.info: who opened App Home', 'users:read.email': "users.info's email: finding that person's User entity" },
    homeTab: true,
  },
  register: (app, { catalog, people, log, docs, scorecards }) => {
    app.event('app_home_opened', async ({ event, client }) => {
      if (event.tab !== 'home') return;
      try {
        const [overview, standing] = await Promise.all([catalog.homeFor(await askerKey(event.user, people), docs?.problems()), scorecards?.org(5).catch((error: unknown) => void log.warn({ err: error }, 'App Home shown without the scorecards'))]);
        await client.views.publish({ user_id: event.user, view: appHomeView(overview, standing) });
      } catch (error) {
        // The page keeps what it showed last time; there is no message to apologise in.
        log.error({ err: error }, 'publishing App Home failed');
      }
    });
  },
};
