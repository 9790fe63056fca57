/**
 * The few error kinds Callboard throws. Domain code throws them; the edges (CLI, Slack, jobs)
 * translate them into exit codes, ephemeral messages or log lines.
 */
export type ErrorCode = 'NOT_FOUND' | 'EXTERNAL' | 'CONFIG';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Something named (a file, a repository, an entity) does not exist. */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/**
 * A call to GitHub, Kubernetes or Slack failed. `transient` marks failures worth retrying later
 * (5xx, rate limits, timeouts) so a refresh keeps what it had instead of deleting it.
 */
export class ExternalServiceError extends AppError {
  constructor(
    readonly service: 'github' | 'kubernetes' | 'slack',
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown; status?: number; retryAt?: Date },
  ) {
    super('EXTERNAL', message, options);
    this.status = options?.status;
    this.retryAt = options?.retryAt;
  }
  readonly status: number | undefined;
  /** A rate limit's end, when the service said when calls may resume. */
  readonly retryAt: Date | undefined;
}

/** Start-up configuration is wrong; `problems` lists every one of them, each with what to set. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('CONFIG', `Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
