// @ts-check
/**
 * Who is on call in Opsgenie: the entity's `opsgenie.com/team` names the team (or its
 * `opsgenie.com/component-selector`, an alert query, finds the team its alerts go to), whose
 * schedules say who is on call now and next.
 *
 *   callboard:
 *     plugins:
 *       - path: ./plugins/opsgenie/index.js
 *         with: { apiKey: ${OPSGENIE_API_KEY}, domain: https://acme.app.opsgenie.com }   # apiUrl: https://api.eu.opsgenie.com in the EU
 */

const TEAM = 'opsgenie.com/team';
const COMPONENT_SELECTOR = 'opsgenie.com/component-selector';

/** @param {import('callboard/plugin').Entity} entity @param {string} name */
const annotation = (entity, name) => entity.metadata.annotations?.[name]?.trim() || undefined;

/** @type {import('callboard/plugin').CallboardPlugin<{ apiKey: string; apiUrl?: string; domain?: string }>} */
export default {
  id: 'opsgenie',
  configSchema: {
    type: 'object',
    required: ['apiKey'],
    properties: { apiKey: { type: 'string', pattern: '^\\S+$' }, apiUrl: { type: 'string', pattern: '^https?://' }, domain: { type: 'string', pattern: '^https?://' } },
    additionalProperties: false,
  },
  register(api) {
    const base = (api.config.apiUrl ?? 'https://api.opsgenie.com').replace(/\/+$/, '');
    const domain = api.config.domain?.replace(/\/+$/, '');

    /** One REST call; a 429 is waited out once for its Retry-After, within the caller's deadline. @param {string} path @param {AbortSignal} signal @returns {Promise<any>} */
    const get = async (path, signal, retried = false) => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `GenieKey ${api.config.apiKey}` }, signal });
      if (response.status === 429 && !retried) {
        const said = Number(response.headers.get('retry-after'));
        const seconds = Number.isFinite(said) && said >= 0 ? said : 1;
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, Math.max(0, seconds) * 1000);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error(`Opsgenie is rate limiting: retry after ${seconds} s`))), { once: true });
        });
        return get(path, signal, true);
      }
      if (response.status === 401 || response.status === 403) throw new Error(`Opsgenie refused the API key (${response.status}): check the opsgenie plugin’s apiKey`);
      if (response.status === 429) throw new Error('Opsgenie is rate limiting: try again shortly');
      if (!response.ok) throw new Error(`Opsgenie answered ${response.status}`);
      return response.json();
    };

    /** The team the entity names, or the one its alerts go to. @param {import('callboard/plugin').Entity} entity @param {AbortSignal} signal @returns {Promise<{ name?: string; id?: string } | undefined>} */
    const teamOf = async (entity, signal) => {
      const name = annotation(entity, TEAM);
      if (name) return { name };
      const { data } = await get(`/v2/alerts?limit=1&sort=createdAt&order=desc&query=${encodeURIComponent(annotation(entity, COMPONENT_SELECTOR) ?? '')}`, signal);
      const responder = data[0]?.responders?.find((/** @type {any} */ item) => item.type === 'team');
      return responder ? { id: responder.id } : undefined;
    };

    api.addOnCallProvider({
      id: 'opsgenie',
      title: 'Opsgenie',
      appliesTo: (entity) => Boolean(annotation(entity, TEAM) || annotation(entity, COMPONENT_SELECTOR)),
      async whoIsOnCall(entity, { signal }) {
        const link = domain ? `${domain}/schedule/whoIsOnCall` : undefined;
        const team = await teamOf(entity, signal);
        if (!team) return { oncall: [], ...(link ? { link } : {}), message: 'no alert matching opsgenie.com/component-selector names a team' };
        const { data: schedules } = await get('/v2/schedules', signal);
        const owned = schedules.filter((/** @type {any} */ schedule) => schedule.enabled !== false && (team.name ? schedule.ownerTeam?.name === team.name : schedule.ownerTeam?.id === team.id));
        if (owned.length === 0) return { oncall: [], ...(link ? { link } : {}), message: `the team ${team.name ?? team.id} has no schedule` };
        /** @type {import('callboard/plugin').OnCallPerson[]} */
        const people = [];
        for (const schedule of owned) {
          const id = encodeURIComponent(schedule.id);
          const [now, next] = await Promise.all([get(`/v2/schedules/${id}/on-calls?flat=true`, signal), get(`/v2/schedules/${id}/next-on-calls?flat=true`, signal)]);
          for (const email of now.data.onCallRecipients ?? []) people.push({ name: email, email, when: 'now' });
          const upcoming = next.data.exactNextOnCallRecipients?.length ? next.data.exactNextOnCallRecipients : (next.data.nextOnCallRecipients ?? []);
          for (const email of upcoming) people.push({ name: email, email, when: 'next' });
        }
        return { oncall: people, ...(link ? { link } : {}), ...(people.every((person) => person.when !== 'now') ? { message: 'nobody is on call in its schedules now' } : {}) };
      },
    });
  },
};
