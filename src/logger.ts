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
  'secret',
  '*.secret',
  'signingSecret',
  '*.signingSecret',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'connectionString',
  '*.connectionString',
  'databaseUrl',
  '*.databaseUrl',
];

export function createLogger(config: LogConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { app: 'callboard' },
    },
    destination ?? pino.destination(2),
  );
}
