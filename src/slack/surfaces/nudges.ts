import type { App, BlockAction, ViewSubmitAction } from '@slack/bolt';
import { isUndecided, type NudgeStanding } from '../../scorecards/nudge-standing.js';
import { ACTIONS, VIEWS, WONT_FIX_INPUTS } from '../blocks/action-ids.js';
import { section } from '../blocks/block-parts.js';
import { nudgeMessage, wontFixModal, type NudgeButtonValue } from '../blocks/nudge-message.js';
import type { Surface, SurfaceContext } from './surface.js';

function buttonValue(raw: string): NudgeButtonValue | undefined {
  try {
    const value = JSON.parse(raw) as Partial<NudgeButtonValue>;
    return typeof value.delivery === 'string' && typeof value.entity === 'string' ? { delivery: value.delivery, entity: value.entity } : undefined;
  } catch {
    return undefined;
  }
}

/** The won't-fix form's private_metadata (the app wrote it; Slack returns it in a signed request): anything unreadable is nothing. */
function parsedMetadata(raw: string | undefined): Partial<NudgeButtonValue & { channel: string; ts: string }> {
  try {
    return JSON.parse(raw || '{}') as Partial<NudgeButtonValue & { channel: string; ts: string }>;
  } catch {
    return {};
  }
}

/** The nudge's message, redrawn in place with each check as it stands now. */
async function redraw(client: App['client'], standing: NudgeStanding, where: { channel?: string; ts?: string }): Promise<void> {
  const channel = standing.channel ?? where.channel;
  const ts = standing.messageTs ?? where.ts;
  if (channel && ts) await client.chat.update({ channel, ts, ...nudgeMessage(standing) });
}

/**
 * The buttons of a scorecard nudge: Snooze 1 week and Won't fix (asking why) for the owning team's
 * members only, and Recheck now for anyone; each redraws the message in place.
 */
export const nudgesSurface: Surface = {
  manifest: {
    scopes: {
      'im:write': 'conversations.open: the direct message a nudge was sent in, to find one a stop cut short',
      'channels:read': "conversations.list: the id of a team's public channel named by slack.com/channel, to find a nudge a stop cut short",
      'groups:read': "conversations.list: the same for a team's private channel",
      'channels:history': 'conversations.history: whether a nudge cut short by a stop reached a public channel, so it is not sent twice',
      'groups:history': 'conversations.history: the same for a private channel',
    },
  },
  register(app, context) {
    const { scorecards } = context;
    if (!scorecards) return;
    const refuse = (respond: (message: Record<string, unknown>) => Promise<unknown>, text: string) => respond({ response_type: 'ephemeral', replace_original: false, text, blocks: [section(text)] });

    /** A nudge button: acknowledged at once; the value and the delivery are checked, failures apologised for. */
    const onNudgeButton = (actionId: string, handle: (input: { value: NudgeButtonValue; body: BlockAction; respond: (message: Record<string, unknown>) => Promise<unknown>; client: App['client'] }) => Promise<void>) =>
      app.action<BlockAction>(actionId, async ({ body, action, ack, respond, client }) => {
        await ack();
        try {
          const value = buttonValue('value' in action ? String(action.value ?? '') : '');
          if (!value) return void (await refuse(respond, 'This button is from a message Callboard can no longer read.'));
          await handle({ value, body, respond, client });
        } catch (error) {
          await context.apologise((message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }), error);
        }
      });
    const whereFrom = (body: BlockAction) => ({ ...(body.channel?.id ? { channel: body.channel.id } : {}), ...(body.message?.ts ? { ts: body.message.ts } : {}) });
    /** The clicking person's catalog user, when they may set the entity's checks aside; else they are told why not. */
    const decider = async (context: SurfaceContext, slackUserId: string, entity: string, respond: (message: Record<string, unknown>) => Promise<unknown>) => {
      const userRef = await context.userRefOf(slackUserId);
      const decision = scorecards.mayDecide(userRef, entity);
      if (!decision.allowed) {
        await refuse(respond, `${decision.reason}.`);
        return undefined;
      }
      return userRef;
    };

    onNudgeButton(ACTIONS.nudgeSnooze, async ({ value, body, respond, client }) => {
      const userRef = await decider(context, body.user.id, value.entity, respond);
      if (!userRef) return;
      const standing = await scorecards.setAside(value.delivery, value.entity, { kind: 'snooze' }, userRef);
      if (!standing) return void (await refuse(respond, 'This nudge is no longer on record.'));
      await redraw(client, standing, whereFrom(body));
    });

    onNudgeButton(ACTIONS.nudgeWontFix, async ({ value, body, respond, client }) => {
      if (!(await decider(context, body.user.id, value.entity, respond))) return;
      const standing = await scorecards.nudgeStanding(value.delivery);
      if (!standing) return void (await refuse(respond, 'This nudge is no longer on record.'));
      const open = standing.entities.find((entity) => entity.ref === value.entity)?.checks.some((check) => isUndecided(check.status));
      if (!open) return void (await refuse(respond, `No check of ${value.entity} in this nudge is failing any more.`));
      const metadata = JSON.stringify({ ...value, ...whereFrom(body) });
      await client.views.open({ trigger_id: body.trigger_id, view: wontFixModal(standing, value.entity, metadata) });
    });

    onNudgeButton(ACTIONS.nudgeRecheck, async ({ value, body, respond, client }) => {
      const standing = await scorecards.recheck(value.delivery, value.entity);
      if (!standing) return void (await refuse(respond, 'This nudge is no longer on record.'));
      await redraw(client, standing, whereFrom(body));
    });

    app.view<ViewSubmitAction>(VIEWS.nudgeWontFix, async ({ body, view, ack, client }) => {
      const values = view.state.values;
      const reason = values[WONT_FIX_INPUTS.reason.block]?.[WONT_FIX_INPUTS.reason.action]?.value?.trim() ?? '';
      const checks = (values[WONT_FIX_INPUTS.checks.block]?.[WONT_FIX_INPUTS.checks.action]?.selected_options ?? []).map((option) => option.value);
      const errors: Record<string, string> = {};
      if (!reason) errors[WONT_FIX_INPUTS.reason.block] = 'Say why: everyone sees the reason in /scorecard.';
      if (checks.length === 0) errors[WONT_FIX_INPUTS.checks.block] = 'Choose at least one check.';
      if (Object.keys(errors).length > 0) return void (await ack({ response_action: 'errors', errors }));
      const metadata = parsedMetadata(view.private_metadata);
      const value = buttonValue(JSON.stringify(metadata));
      const userRef = await context.userRefOf(body.user.id);
      const decision = value ? scorecards.mayDecide(userRef, value.entity) : { allowed: false as const, reason: 'this form is from a nudge Callboard can no longer read' };
      if (!value || !userRef || !decision.allowed) return void (await ack({ response_action: 'errors', errors: { [WONT_FIX_INPUTS.reason.block]: decision.allowed ? 'The catalog has no User entity for you.' : `${decision.reason}.` } }));
      // Saved before the form closes, so a failure is said in the form rather than lost.
      let standing: NudgeStanding | undefined;
      try {
        standing = await scorecards.setAside(value.delivery, value.entity, { kind: 'wontfix', reason, checks }, userRef);
      } catch (error) {
        await context.apologise((message) => ack({ response_action: 'errors', errors: { [WONT_FIX_INPUTS.reason.block]: message.text } }), error);
        return;
      }
      await ack();
      if (standing) await redraw(client, standing, { ...(metadata.channel ? { channel: metadata.channel } : {}), ...(metadata.ts ? { ts: metadata.ts } : {}) }).catch((error: unknown) => context.log.warn({ err: error }, "redrawing a nudge after won't fix failed"));
    });
  },
};
