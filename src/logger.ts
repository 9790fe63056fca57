import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LogConfig {
  level: string;
}

/**
 * Paths pino blanks out wherever they appear in a log object, so tokens from config, HTTP
 * headers or Slack payloads never reach the log stream.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'signingSecret',
  '*.signingSecret',
  '*.*.signingSecret',
  'botToken',
  '*.botToken',
  '*.*.botToken',
  'appToken',
  '*.appToken',
  '*.*.appToken',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'connectionString',
  '*.connectionString',
  'databaseUrl',
  '*.databaseUrl',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
];

/**
 * A failed database query as drizzle reports it carries every parameter in its message and in
 * `params` (entity content, a template run's values, secrets included): logged, it keeps the
 * statement and the database's own error, never the parameters.
 */
function withoutQueryParameters(error: unknown): unknown {
  const query = (error as { query?: unknown }).query;
  if (!(error instanceof Error) || !('params' in error) || typeof query !== 'string') return error;
  const safe = new Error(`Failed query: ${query}`, { cause: error.cause });
  safe.name = error.name;
  safe.stack = `${safe.name}: ${safe.message}\n${(error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).join('\n')}`;
  return safe;
}

export function createLogger(config: LogConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: (error: unknown) => pino.stdSerializers.err(withoutQueryParameters(error) as Error) },
      base: { app: 'callboard' },
    },
    destination ?? pino.destination(2),
  );
}
