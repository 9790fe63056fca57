import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../support/capture-logger.js';

describe('the log', () => {
  it("keeps a failed query's statement and the database's error, never its parameters", () => {
    const { logger, lines } = captureLogger();
    logger.error({ err: new DrizzleQueryError('insert into scaffolder_runs values ($1)', ['{"token":"hunter22"}'], new Error('connection refused')) }, 'recording the run failed');
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain('hunter22');
    expect(lines[0]!.err).toMatchObject({ message: 'Failed query: insert into scaffolder_runs values ($1): connection refused' });
  });

  it('blanks tokens and secrets wherever they sit', () => {
    const { logger, lines } = captureLogger();
    logger.info({ config: { botToken: 'xoxb-1', slack: { signingSecret: 's' } }, headers: { authorization: 'Bearer x' } }, 'settings');
    expect(JSON.stringify(lines)).not.toMatch(/xoxb-1|"s"|Bearer x/);
  });
});
