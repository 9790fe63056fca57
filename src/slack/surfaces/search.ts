import type { BlockAction, GlobalShortcut, ViewSubmitAction } from '@slack/bolt';
import { ACTIONS, SEARCH_INPUT, SHORTCUTS, VIEWS } from '../blocks/action-ids.js';
import { SEARCH_MODAL_RESULTS, searchModal } from '../blocks/search-modal.js';
import type { Surface } from './surface.js';

/**
 * The search modal, opened from the global shortcut or App Home's button. A search updates the
 * modal in the acknowledgement itself: find answers from memory in milliseconds, well inside the
 * three seconds a view_submission allows.
 */
export const searchSurface: Surface = {
  manifest: {
    shortcuts: [{ name: 'Search the catalog', type: 'global', callback_id: SHORTCUTS.search, description: 'Find services, APIs, teams and more' }],
  },
  register: (app, { catalog, log }) => {
    const open = async (client: typeof app.client, triggerId: string) => {
      try {
        await client.views.open({ trigger_id: triggerId, view: searchModal() });
      } catch (error) {
        // A trigger lives three seconds; there is nowhere to apologise once it has gone.
        log.error({ err: error }, 'opening the search modal failed');
      }
    };

    app.shortcut<GlobalShortcut>({ type: 'shortcut', callback_id: SHORTCUTS.search }, async ({ shortcut, ack, client }) => {
      await ack();
      await open(client, shortcut.trigger_id);
    });

    app.action<BlockAction>(ACTIONS.openSearch, async ({ body, ack, client }) => {
      await ack();
      await open(client, body.trigger_id);
    });

    app.view<ViewSubmitAction>(VIEWS.search, async ({ view, ack }) => {
      const query = (view.state.values[SEARCH_INPUT.block]?.[SEARCH_INPUT.action]?.value ?? '').trim();
      if (!query) {
        await ack({ response_action: 'errors', errors: { [SEARCH_INPUT.block]: 'Type something to search for, such as geocoding or kind:api.' } });
        return;
      }
      await ack({ response_action: 'update', view: searchModal(query, catalog.find(query, { limit: SEARCH_MODAL_RESULTS })) });
    });
  },
};
