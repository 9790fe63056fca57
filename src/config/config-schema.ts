/**
 * The configuration file has the shape of Backstage's app-config.yaml: Backstage's own keys where
 * one exists, Callboard's under `callboard:`. Unknown top-level keys are ignored so a full Backstage
 * app-config can be passed as it is.
 */
export interface CatalogRule {
  allow: string[];
}

export interface ConfiguredLocation {
  type: 'file' | 'url';
  target: string;
  rules?: CatalogRule[];
}

export interface GithubProviderConfig {
  organization: string;
  host?: string;
  catalogPath?: string;
  filters?: { repository?: string };
}

export interface GithubIntegrationConfig {
  host: string;
  apiBaseUrl?: string;
  token?: string;
}

export interface Config {
  app?: { baseUrl?: string };
  /** Backstage's Opsgenie plugin key: the account's web address, which on-call links point into. */
  opsgenie?: { domain?: string };
  catalog: {
    locations: ConfiguredLocation[];
    rules?: CatalogRule[];
    providers?: { github?: Record<string, GithubProviderConfig> };
  };
  integrations: { github: GithubIntegrationConfig[] };
  callboard: {
    database: { url?: string; dataDir: string; statementTimeoutMs: number; poolSize: number };
    catalog: { refreshIntervalMinutes: number; maxFileBytes: number };
    /**
     * `localRepositories`: where publish:local creates repositories (`template run --out` overrides it).
     * `publisher`: where publish:github steps publish: `github`, `local` (as publish:local), or `auto`:
     * GitHub when its host has a token configured, else local, so a fresh clone runs templates too.
     */
    scaffolder: {
      localRepositories: string;
      publisher: 'auto' | 'github' | 'local';
      /** The Slack channel (id) notification:send's `broadcast` posts to; without it, broadcasts reach nobody and the step's log says so. */
      broadcastChannel?: string;
      /** Templates whose runs a group approves before they start, beside those annotated callboard.dev/approvers. */
      approvals: { templates: string[]; approvers: string }[];
    };
    /**
     * `paths`: folders of scorecard files, added to the shipped scorecards (relative to the working
     * directory). `evaluateSchedule`: when every entity is scored and the results stored (cron, in `timezone`).
     */
    scorecards: { paths: string[]; evaluateSchedule: string; timezone: string; nudges: NudgeConfig };
    /** Plugins to load: an installed package, or a module's path (relative to the working directory), each with its own config. */
    plugins: { package?: string; path?: string; with?: Record<string, unknown> }[];
    log: { level: string };
    slack: SlackConfig;
  };
  kubernetes?: unknown;
  techdocs?: unknown;
  techInsights?: unknown;
}

/** When nudges are sent (`schedule`, cron in UTC) and under which rules (see NudgeSettings). */
export interface NudgeConfig {
  schedule: string;
  intervalDays: number;
  workingHours: { days: number[]; start: string; end: string };
  platformChannel?: string;
  timezones: Record<string, string>;
}

export interface SlackConfig {
  /** `xoxb-…`: with it and an app token or signing secret, `start` runs the Slack app instead of the console. */
  botToken?: string;
  /** HTTP mode: checks the signature of every request to `/slack/events`. */
  signingSecret?: string;
  /** `xapp-…`: Socket Mode (no public URL needed), chosen over HTTP whenever it is set. */
  appToken?: string;
  /** The Web API base URL, `apps.connections.open` included: GovSlack (`https://slack-gov.com/api/`) or a test server. */
  apiUrl?: string;
  /** `/healthz` and `/readyz` in either mode, and `/slack/events` in HTTP mode, are served on it. */
  port: number;
  /** Each Web API call gives up after this long, and is tried again at most `webApiRetries` times. */
  webApiTimeoutMs: number;
  webApiRetries: number;
}

const rulesSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['allow'],
    properties: { allow: { type: 'array', items: { type: 'string', minLength: 1 } } },
    additionalProperties: false,
  },
} as const;

export const configSchema = {
  type: 'object',
  properties: {
    app: { type: 'object', properties: { baseUrl: { type: 'string', pattern: '^https?://' } } },
    opsgenie: { type: 'object', properties: { domain: { type: 'string', pattern: '^https://' } } },
    catalog: {
      type: 'object',
      properties: {
        locations: {
          type: 'array',
          items: {
            type: 'object',
            required: ['type', 'target'],
            properties: {
              type: { enum: ['file', 'url'] },
              target: { type: 'string', minLength: 1 },
              rules: rulesSchema,
            },
            additionalProperties: false,
          },
        },
        rules: rulesSchema,
        providers: {
          type: 'object',
          properties: {
            github: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                required: ['organization'],
                properties: {
                  organization: { type: 'string', minLength: 1 },
                  host: { type: 'string', minLength: 1 },
                  catalogPath: { type: 'string', minLength: 1 },
                  filters: {
                    type: 'object',
                    properties: { repository: { type: 'string', minLength: 1 } },
                  },
                },
              },
            },
          },
        },
      },
    },
    integrations: {
      type: 'object',
      properties: {
        github: {
          type: 'array',
          items: {
            type: 'object',
            required: ['host'],
            properties: {
              host: { type: 'string', minLength: 1 },
              apiBaseUrl: { type: 'string', pattern: '^https?://' },
              token: { type: 'string' },
            },
          },
        },
      },
    },
    callboard: {
      type: 'object',
      properties: {
        database: {
          type: 'object',
          properties: {
            url: { type: 'string', minLength: 1 },
            dataDir: { type: 'string', minLength: 1 },
            statementTimeoutMs: { type: 'integer', minimum: 100 },
            poolSize: { type: 'integer', minimum: 1, maximum: 100 },
          },
          additionalProperties: false,
        },
        catalog: {
          type: 'object',
          properties: {
            refreshIntervalMinutes: { type: 'number', minimum: 0 },
            maxFileBytes: { type: 'integer', minimum: 1024 },
          },
          additionalProperties: false,
        },
        scaffolder: {
          type: 'object',
          properties: {
            localRepositories: { type: 'string', minLength: 1 },
            publisher: { enum: ['auto', 'github', 'local'] },
            broadcastChannel: { type: 'string', pattern: '^[CG][A-Z0-9]+$' },
            approvals: {
              type: 'array',
              items: {
                type: 'object',
                required: ['templates', 'approvers'],
                properties: { templates: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, approvers: { type: 'string', minLength: 1 } },
                additionalProperties: false,
              },
            },
          },
          additionalProperties: false,
        },
        scorecards: {
          type: 'object',
          properties: {
            paths: { type: 'array', items: { type: 'string', minLength: 1 } },
            evaluateSchedule: { type: 'string', minLength: 9 },
            timezone: { type: 'string', minLength: 1 },
            nudges: {
              type: 'object',
              properties: {
                schedule: { type: 'string', minLength: 9 },
                intervalDays: { type: 'number', minimum: 0 },
                workingHours: {
                  type: 'object',
                  required: ['days', 'start', 'end'],
                  properties: { days: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: 7 } }, start: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }, end: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' } },
                  additionalProperties: false,
                },
                platformChannel: { type: 'string', pattern: '^[CG][A-Z0-9]+$' },
                timezones: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
              },
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
        plugins: {
          type: 'array',
          items: {
            type: 'object',
            properties: { package: { type: 'string', minLength: 1 }, path: { type: 'string', minLength: 1 }, with: { type: 'object' } },
            oneOf: [{ required: ['package'], not: { required: ['path'] } }, { required: ['path'], not: { required: ['package'] } }],
            additionalProperties: false,
          },
        },
        log: {
          type: 'object',
          properties: { level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] } },
          additionalProperties: false,
        },
        slack: {
          type: 'object',
          properties: {
            botToken: { type: 'string', pattern: '^xoxb-' },
            signingSecret: { type: 'string', minLength: 1 },
            appToken: { type: 'string', pattern: '^xapp-' },
            apiUrl: { type: 'string', pattern: '^https?://' },
            port: { type: 'integer', minimum: 0, maximum: 65535 },
            webApiTimeoutMs: { type: 'integer', minimum: 100, maximum: 120_000 },
            webApiRetries: { type: 'integer', minimum: 0, maximum: 10 },
          },
          additionalProperties: false,
        },
      },
    },
  },
} as const;
