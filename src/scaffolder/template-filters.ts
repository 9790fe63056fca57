import { parseEntityRef, type RefDefaults } from '../catalog/model/entity-ref.js';

/** A filter: `input | name(args...)`. It gets plain values and returns one; it throws on input it cannot take. */
export type TemplateFilter = (input: unknown, ...args: unknown[]) => unknown;
export type TemplateFilters = Readonly<Record<string, TemplateFilter>>;

/** A RepoUrlPicker value, `host?owner=o&repo=r`, taken apart as Backstage's `parseRepoUrl` does. */
export interface RepoUrl {
  host: string;
  repo: string;
  owner?: string;
  organization?: string;
  workspace?: string;
  project?: string;
}

export function parseRepoUrl(value: unknown): RepoUrl {
  if (typeof value !== 'string' || value === '') throw new TypeError('expected a repository URL such as github.com?owner=acme&repo=payments-api');
  let url: URL;
  try {
    url = new URL(`https://${value}`);
  } catch {
    throw new TypeError(`"${value}" is not a repository URL such as github.com?owner=acme&repo=payments-api`);
  }
  const parameter = (name: string) => url.searchParams.get(name) || undefined;
  const repo = parameter('repo');
  if (!repo) throw new TypeError(`"${value}" names no repository (repo=...)`);
  const parsed: RepoUrl = { host: url.host, repo };
  for (const name of ['owner', 'organization', 'workspace', 'project'] as const) {
    const found = parameter(name);
    if (found) parsed[name] = found;
  }
  return parsed;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function refDefaults(options: unknown): RefDefaults {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new TypeError('expected options such as { defaultKind: "group", defaultNamespace: "default" }');
  const { defaultKind, defaultNamespace } = options as Record<string, unknown>;
  return {
    ...(typeof defaultKind === 'string' ? { defaultKind } : {}),
    ...(typeof defaultNamespace === 'string' ? { defaultNamespace } : {}),
  };
}

/**
 * Backstage's own filters (parseRepoUrl, parseEntityRef, pick, projectSlug) and the nunjucks
 * built-ins templates use most. `dump` writes JSON, which is also valid YAML: a value placed with
 * it cannot add keys to the YAML file it lands in.
 */
export const BUILT_IN_FILTERS: TemplateFilters = {
  parseRepoUrl: (input) => parseRepoUrl(input),
  projectSlug: (input) => {
    const { owner, organization, repo } = parseRepoUrl(input);
    return `${owner ?? organization ?? ''}/${repo}`;
  },
  parseEntityRef: (input, options) => {
    if (typeof input !== 'string') throw new TypeError('expected an entity ref such as group:default/payments-team');
    return parseEntityRef(input, refDefaults(options));
  },
  pick: (input, key) => (input !== null && typeof input === 'object' && Object.hasOwn(input, String(key)) ? (input as Record<string, unknown>)[String(key)] : undefined),
  lower: (input) => text(input).toLowerCase(),
  upper: (input) => text(input).toUpperCase(),
  capitalize: (input) => {
    const value = text(input);
    return value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();
  },
  trim: (input) => text(input).trim(),
  replace: (input, from, to) => text(input).replaceAll(text(from), text(to)),
  default: (input, fallback, orFalsy) => (input === undefined || (orFalsy === true && !input) ? fallback : input),
  d: (input, fallback, orFalsy) => (input === undefined || (orFalsy === true && !input) ? fallback : input),
  dump: (input, spaces) => JSON.stringify(input, null, typeof spaces === 'number' ? spaces : undefined) ?? '',
  join: (input, separator) => (Array.isArray(input) ? input.map(text).join(separator === undefined ? '' : text(separator)) : text(input)),
  length: (input) => (Array.isArray(input) || typeof input === 'string' ? input.length : input && typeof input === 'object' ? Object.keys(input).length : 0),
  first: (input) => (Array.isArray(input) || typeof input === 'string' ? input[0] : undefined),
  last: (input) => (Array.isArray(input) || typeof input === 'string' ? input[input.length - 1] : undefined),
  string: (input) => text(input),
  int: (input) => {
    const parsed = Number.parseInt(text(input), 10);
    return Number.isNaN(parsed) ? 0 : parsed;
  },
  safe: (input) => input,
};
