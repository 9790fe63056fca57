import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { App, RespondFn } from '@slack/bolt';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { ACTIONS } from './blocks/action-ids.js';
import type { FindPageValue } from './blocks/find-results.js';
import { section } from './blocks/block-parts.js';
import { fitMessage, type SlackMessage } from './blocks/limits.js';
import type { CommandAnswerer, CommandRespond } from './command-route.js';
import { createDeliveryLog, deliveryKey, type DeliveryIds, type DeliveryLog } from './delivery-log.js';
import { findPage } from './commands/find.js';
import { ownershipAnswer } from './commands/whoowns.js';
import { createPeopleDirectory, type PeopleDirectory } from './people.js';
import { CommandRegistry, type SlashCommand } from './commands/registry.js';
import type { Surface, SurfaceContext } from './surfaces/surface.js';
import { slackTemplateForms } from './surfaces/create-service.js';
import { askerKey } from './asker.js';
import { slackRunNotifier } from './run-notifier.js';
import { purgeDrafts } from '../scaffolder/draft-store.js';
import type { ScaffolderService } from '../scaffolder/scaffolder-service.js';
import type { DocsService } from '../docs/docs-service.js';
import { docsAnswerMessage } from './blocks/docs-answer.js';
import { healthMessage } from './blocks/health-answer.js';
import type { HealthService } from '../kubernetes/health-service.js';
import type { ScorecardService } from '../scorecards/scorecard-service.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import type { CardSectionExtension } from '../plugins/plugin-api.js';
import { entityScorecardMessage } from './blocks/scorecard-answer.js';

/** An answer ready within this long goes back in the acknowledgement itself; a slower one follows through response_url. */
const ANSWER_IN_ACK_MS = 1_500;
/** How long the duplicate check may hold a delivery before the acknowledgement. */
const CLAIM_BUDGET_MS = 1_000;

export interface ListenerDeps {
  catalog: CatalogService;
  db: Db;
  /** The app's logger for Slack (already a child with module: slack). */
  log: Logger;
  commands: SlashCommand[];
  surfaces: Surface[];
  /** For the people directory's background reads, apart from the client answers use. */
  peopleClient: App['client'];
  scaffolder: ScaffolderService;
  docs?: DocsService;
  health?: HealthService;
  scorecards?: ScorecardService;
  oncall?: OnCallService;
  cardSections: CardSectionExtension[];
  /** Where notification:send's broadcasts go. */
  broadcastChannel?: string;
}

/**
 * Everything the app answers, on either transport: slash commands, buttons, and the de-duplication
 * that runs before them. Listeners only translate; answers come from the catalog and the block builders.
 */
export function registerListeners(app: App, { catalog, db, log, commands, surfaces, peopleClient, scaffolder, docs, health, scorecards, oncall, cardSections, broadcastChannel }: ListenerDeps): { purgeExpired(): Promise<void>; people: PeopleDirectory; answerCommand: CommandAnswerer; startSurfaces(): void } {
  const registry = new CommandRegistry();
  for (const command of commands) registry.register(command);
  const deliveries = createDeliveryLog(db);

  // A delivery seen before (Slack's retry, a replay) is acknowledged and otherwise ignored. When
  // the database cannot say in time, the delivery is handled: every answer here only reads the
  // catalog, so a rare double answer costs less than a missed acknowledgement.
  const repeated = async (body: DeliveryIds): Promise<boolean> => {
    const key = deliveryKey(body);
    if (!key || (await claimWithin(deliveries, key, CLAIM_BUDGET_MS, log))) return false;
    log.info({ key }, 'duplicate Slack delivery ignored');
    return true;
  };
  app.use(async ({ body, next, ...rest }) => {
    if (typeof (body as { command?: unknown }).command === 'string') return next();
    if (await repeated(body as DeliveryIds)) {
      if ('ack' in rest && typeof rest.ack === 'function') await (rest.ack as () => Promise<void>)();
      return;
    }
    await next();
  });

  const people = createPeopleDirectory(peopleClient, log);
  const context: SurfaceContext = {
    catalog,
    people,
    log,
    db,
    scaffolder,
    ...(docs ? { docs } : {}),
    ...(health ? { health } : {}),
    ...(scorecards ? { scorecards } : {}),
    ...(oncall ? { oncall } : {}),
    cardSections,
    notifier: slackRunNotifier(app.client, catalog.view, people, broadcastChannel),
    userRefOf: async (slackUserId) => catalog.userRefFor(await askerKey(slackUserId, people)),
    apologise: async (send, error) => {
      const reference = randomUUID().slice(0, 8);
      log.error({ err: error, reference }, 'a Slack request failed');
      const text = `Sorry, that failed. If it keeps failing, give your platform team reference ${reference}.`;
      await send({ text, blocks: [section(text)] }).catch((sendError: unknown) =>
        log.error({ err: sendError, reference }, 'could not tell the user about the failure'),
      );
    },
  };
  const apologise = (respond: CommandRespond, error: unknown) => context.apologise((message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }), error);

  // Slash commands claim their delivery here rather than in the middleware: over HTTP they are
  // answered without Bolt (command-route.ts), and both ways must check for repeats once.
  const answerCommand: CommandAnswerer = async (command, ack, respond) => {
    if (await repeated(command)) {
      await ack();
      return;
    }
    const handler = registry.get(command.command);
    if (!handler) {
      await ack({ response_type: 'ephemeral', text: `Callboard does not know ${command.command}.` });
      return;
    }
    const forms = command.trigger_id ? slackTemplateForms(app.client, db, command.trigger_id, command.user_id) : undefined;
    const answering = Promise.resolve().then(() =>
      handler.answer(command.text, { catalog, people, userId: command.user_id, scaffolder, ...(docs ? { docs } : {}), ...(health ? { health } : {}), ...(scorecards ? { scorecards } : {}), ...(oncall ? { oncall } : {}), cardSections, ...(forms ? { forms } : {}), userRef: () => context.userRefOf(command.user_id) }),
    );
    const quick = await Promise.race([answering.then((message) => ({ message }), () => undefined), sleep(ANSWER_IN_ACK_MS, undefined, { ref: false })]);
    if (quick) {
      let fitted: SlackMessage | undefined;
      try {
        fitted = quick.message && fitMessage(quick.message);
      } catch (error) {
        // An answer Block Kit cannot hold is still acknowledged, then apologised for.
        await ack();
        await apologise(respond, error);
        return;
      }
      await ack(fitted ? { response_type: 'ephemeral', ...fitted } : undefined);
      return;
    }
    await ack();
    try {
      const message = await answering;
      if (message) await respond({ response_type: 'ephemeral', ...fitMessage(message) });
    } catch (error) {
      await apologise(respond, error);
    }
  };
  app.command(/^\/.+/, ({ command, ack, respond }) => answerCommand(command, ack, respond));

  /** A button press: acknowledged at once, then answered through its response_url; a failure is an apology. */
  const onButton = (actionId: string | RegExp, answer: (value: string, respond: RespondFn) => Promise<unknown>) =>
    app.action(actionId, async ({ action, ack, respond }) => {
      await ack();
      try {
        await answer(String((action as { value?: string }).value ?? ''), respond);
      } catch (error) {
        await apologise(respond, error);
      }
    });
  /** Posts the answer where everyone in the channel sees it, then removes the private copy it came from. */
  const shareInChannel = async (respond: RespondFn, message: SlackMessage) => {
    await respond({ response_type: 'in_channel', replace_original: false, ...message });
    await respond({ delete_original: true });
  };

  onButton(new RegExp(`^${ACTIONS.findPage}:`), (value, respond) => {
    const { q, offset, shared } = findPageValue(value);
    return respond({ replace_original: true, ...findPage(q, offset, { catalog }, shared) });
  });
  onButton(ACTIONS.shareFind, (value, respond) => {
    const { q, offset } = findPageValue(value);
    return shareInChannel(respond, findPage(q, offset, { catalog }, true));
  });
  onButton(new RegExp(`^${ACTIONS.suggestion}:`), async (value, respond) => respond({ replace_original: true, ...(await ownershipAnswer(value, context)) }));
  onButton(ACTIONS.share, async (value, respond) => shareInChannel(respond, await ownershipAnswer(value, context, true)));
  onButton(ACTIONS.health, async (value, respond) => respond({ response_type: 'ephemeral', replace_original: false, ...(health ? healthMessage(await health.health(value)) : { text: 'Health is not available here.' }) }));
  onButton(ACTIONS.scorecard, async (value, respond) => respond({ response_type: 'ephemeral', replace_original: false, ...(scorecards ? entityScorecardMessage(await scorecards.entity(value)) : { text: 'Scorecards are not available here.' }) }));
  onButton(ACTIONS.docs, async (value, respond) => respond({ response_type: 'ephemeral', replace_original: false, ...(docs ? docsAnswerMessage(docs.answer(value)) : { text: 'Docs are not available here.' }) }));

  for (const surface of surfaces) surface.register(app, context);

  app.error(async (error) => {
    log.error({ err: error }, 'unhandled Slack listener error');
  });

  // Deliveries a day old are past any retry, and forms a day old past finishing.
  const purgeExpired = async () => {
    await Promise.all([deliveries.purge(), purgeDrafts(db)]);
  };
  const startSurfaces = () => {
    for (const surface of surfaces) surface.start?.(context, app.client).catch((error: unknown) => log.error({ err: error }, 'a Slack surface could not pick up its unfinished work'));
  };
  return { purgeExpired, people, answerCommand, startSurfaces };
}

/** True for a first delivery, false for a repeat; true as well when the claim fails or takes longer than `budgetMs`. */
async function claimWithin(deliveries: DeliveryLog, key: string, budgetMs: number, log: Logger): Promise<boolean> {
  const claim = deliveries.claim(key);
  const outcome = await Promise.race([claim.then((first) => ({ first })), sleep(budgetMs, undefined, { ref: false })]).catch((error: unknown) => ({ error }));
  if (outcome && 'first' in outcome) return outcome.first;
  log.warn({ key, err: outcome && 'error' in outcome ? outcome.error : undefined }, outcome ? 'recording the Slack delivery failed; handling it anyway' : 'recording the Slack delivery is slow; handling it anyway');
  claim.catch(() => undefined);
  return true;
}

/** The query and offset a find button carries; anything malformed reads as the first page of nothing. */
function findPageValue(value: string): FindPageValue {
  const parsed = JSON.parse(value || '{}') as Partial<FindPageValue>;
  return { q: typeof parsed.q === 'string' ? parsed.q : '', offset: Math.max(0, Math.floor(Number(parsed.offset)) || 0), ...(parsed.shared === true ? { shared: true as const } : {}) };
}
