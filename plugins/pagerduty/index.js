// @ts-check
/**
 * Who is on call for a PagerDuty service: the entity's `pagerduty.com/service-id` (or its
 * `pagerduty.com/integration-key`, looked up among the account's services) gives the service and
 * its escalation policy, whose on-call entries for the next week say who is on call now and next.
 *
 *   callboard:
 *     plugins:
 *       - path: ./plugins/pagerduty/index.js
 *         with: { token: ${PAGERDUTY_TOKEN} }   # apiUrl: https://api.eu.pagerduty.com for EU accounts
 */

const SERVICE_ID = 'pagerduty.com/service-id';
const INTEGRATION_KEY = 'pagerduty.com/integration-key';
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** @param {import('callboard/plugin').Entity} entity @param {string} name */
const annotation = (entity, name) => entity.metadata.annotations?.[name]?.trim() || undefined;

/** @type {import('callboard/plugin').CallboardPlugin<{ token: string; apiUrl?: string }>} */
export default {
  id: 'pagerduty',
  configSchema: {
    type: 'object',
    required: ['token'],
    properties: { token: { type: 'string', pattern: '^\\S+$' }, apiUrl: { type: 'string', pattern: '^https?://' } },
    additionalProperties: false,
  },
  register(api) {
    const base = (api.config.apiUrl ?? 'https://api.pagerduty.com').replace(/\/+$/, '');

    /** One REST call; a 429 is waited out once for its Retry-After, within the caller's deadline. @param {string} path @param {AbortSignal} signal @returns {Promise<any>} */
    const get = async (path, signal, retried = false) => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Token token=${api.config.token}`, accept: 'application/vnd.pagerduty+json;version=2' }, signal });
      if (response.status === 429 && !retried) {
        // PagerDuty says when its limit resets in ratelimit-reset; Retry-After where a proxy sets it.
        const said = Number(response.headers.get('retry-after') ?? response.headers.get('ratelimit-reset'));
        const seconds = Number.isFinite(said) && said >= 0 ? said : 1;
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, Math.max(0, seconds) * 1000);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error(`PagerDuty is rate limiting: retry after ${seconds} s`))), { once: true });
        });
        return get(path, signal, true);
      }
      if (response.status === 401) throw new Error('PagerDuty refused the token (401): check the pagerduty plugin’s token');
      if (response.status === 429) throw new Error('PagerDuty is rate limiting: try again shortly');
      if (response.status === 404) throw new Error(`PagerDuty has nothing at ${path.split('?')[0]}`);
      if (!response.ok) throw new Error(`PagerDuty answered ${response.status}`);
      return response.json();
    };

    /** Services by integration key, found by listing the account's services: remembered an hour, since a listing is many calls. @type {Map<string, { service: any; until: number }>} */
    const byKey = new Map();

    /** Every page of a listing (PagerDuty pages at 100 at most, with `more`). @param {string} path @param {string} field @param {AbortSignal} signal */
    const all = async (path, field, signal) => {
      const items = [];
      for (let offset = 0; ; offset += 100) {
        const page = await get(`${path}&limit=100&offset=${offset}`, signal);
        items.push(...(page[field] ?? []));
        if (!page.more) return items;
      }
    };

    /** @param {import('callboard/plugin').Entity} entity @param {AbortSignal} signal */
    const serviceOf = async (entity, signal) => {
      const id = annotation(entity, SERVICE_ID);
      if (id) return (await get(`/services/${encodeURIComponent(id)}`, signal)).service;
      const key = annotation(entity, INTEGRATION_KEY) ?? '';
      const known = byKey.get(key);
      if (known && known.until > Date.now()) return known.service;
      const services = await all('/services?include[]=integrations', 'services', signal);
      for (const service of services) for (const integration of service.integrations ?? []) if (integration.integration_key) byKey.set(integration.integration_key, { service, until: Date.now() + 3_600_000 });
      const found = byKey.get(key);
      if (!found) throw new Error('no PagerDuty service has the integration key in pagerduty.com/integration-key');
      return found.service;
    };

    api.addOnCallProvider({
      id: 'pagerduty',
      title: 'PagerDuty',
      appliesTo: (entity) => Boolean(annotation(entity, SERVICE_ID) || annotation(entity, INTEGRATION_KEY)),
      async whoIsOnCall(entity, { signal }) {
        const service = await serviceOf(entity, signal);
        const policy = service.escalation_policy?.id;
        if (!policy) return { oncall: [], link: service.html_url, message: 'the service has no escalation policy' };
        const now = Date.now();
        const window = `since=${new Date(now).toISOString()}&until=${new Date(now + WEEK_MS).toISOString()}`;
        const oncalls = await all(`/oncalls?escalation_policy_ids[]=${encodeURIComponent(policy)}&include[]=users&${window}`, 'oncalls', signal);
        /** @param {any} entry @param {'now' | 'next'} when @returns {import('callboard/plugin').OnCallPerson} */
        const person = (entry, when) => ({ name: entry.user?.name ?? entry.user?.summary ?? 'someone', ...(entry.user?.email ? { email: entry.user.email } : {}), ...(entry.start ? { start: entry.start } : {}), ...(entry.end ? { end: entry.end } : {}), level: entry.escalation_level, when });
        const current = oncalls.filter((/** @type {any} */ entry) => (!entry.start || Date.parse(entry.start) <= now) && (!entry.end || Date.parse(entry.end) > now));
        // Next: for each level, the first shift that starts later.
        const later = oncalls.filter((/** @type {any} */ entry) => entry.start && Date.parse(entry.start) > now).sort((/** @type {any} */ a, /** @type {any} */ b) => Date.parse(a.start) - Date.parse(b.start));
        const next = later.filter((/** @type {any} */ entry, /** @type {number} */ index) => later.findIndex((/** @type {any} */ other) => other.escalation_level === entry.escalation_level) === index);
        const people = [...current.map((/** @type {any} */ entry) => person(entry, 'now')), ...next.map((/** @type {any} */ entry) => person(entry, 'next'))].sort((a, b) => (a.when === b.when ? (a.level ?? 0) - (b.level ?? 0) : a.when === 'now' ? -1 : 1));
        return { oncall: people, link: service.html_url, ...(current.length === 0 ? { message: 'nobody is on call for its escalation policy now' } : {}) };
      },
    });
  },
};
