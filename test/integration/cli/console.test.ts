import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** `callboard start` as the quick start runs it with no Slack tokens, questions piped on stdin. */
function startWithInput(input: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--catalog', 'examples', ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('the local console (start without Slack tokens)', () => {
  it('answers the Slack commands with the same messages as text, and exits cleanly at end of input', async () => {
    const { code, stdout, stderr } = await startWithInput('/whoowns payments-api\nfind geocoding kind:api\nwhoowns paymnts\nwho is on the payments team?\nhelp\n');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(code).toBe(0);
    const [, card = '', results = '', suggestions = '', members = '', help = ''] = stdout.split('\n\n');
    expect(card).toContain('Payments API');
    expect(card).toMatch(/^Owner: Payments \(payments@northwind\.example\)/m);
    expect(card).toMatch(/Repository \(https:\/\/github\.com\/northwind\/payments-api/);
    expect(card).toContain('In Slack: [Share in channel]');
    expect(card).not.toMatch(/[*<>]|&amp;/);
    expect(results).toMatch(/^1 result for geocoding kind:api/);
    expect(results).toContain('Geocoding API (geocoding-api) · API · owned by maps-team');
    expect(suggestions).toContain('No entity named paymnts.');
    expect(suggestions).toMatch(/In Slack: \[payments-api\]/);
    expect(members).toMatch(/Payments/);
    expect(members).toContain('Priya Raman');
    expect(help).toContain('/whoowns payments-api');
  }, 60_000);

  it('answers /docs and how-to questions from the example catalog\'s docs', async () => {
    const { code, stdout } = await startWithInput('/docs payments-api\nhow do I hand over the pager?\n');
    expect(code).toBe(0);
    expect(stdout).toContain('Docs for component:default/payments-api');
    expect(stdout).toContain('How to rotate the API keys (https://github.com/northwind/payments-api/blob/main/docs/api-keys.md#how-to-rotate-the-api-keys)');
    expect(stdout).toMatch(/How to hand over the pager \(https:\/\/github\.com\/northwind\/engineering-handbook\/blob\/main\/docs\/practices\/on-call\.md#how-to-hand-over-the-pager\) · On-call/);
  }, 60_000);

  it('runs /create-service as a form of questions, publishes locally, and /whoowns answers for the new service', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'callboard-console-'));
    try {
      // The bad name fails the page, which is asked again with what was entered shown: Enter keeps it.
      const answers = ['/create-service typescript-service', 'Not A Name', 'A demo made in the console', 'payments', '', '', 'console-demo', '', '', '', '', 'northwind', 'console-demo', '', '/whoowns console-demo'];
      const { code, stdout } = await startWithInput(`${answers.join('\n')}\n`, ['--out', out]);
      expect(code).toBe(0);
      // The page is checked as in Slack.
      expect(stdout).toMatch(/name: must be 1 to 63 letters/);
      expect(stdout).toContain('Description [A demo made in the console]: ');
      expect(stdout).toContain('Owner: payments\n  → group:default/payments-team');
      expect(stdout).toContain('✓ Register in the catalog');
      expect(stdout).toContain('TypeScript HTTP service: done');
      expect(existsSync(path.join(out, 'northwind', 'console-demo', '.git'))).toBe(true);
      const card = stdout.slice(stdout.lastIndexOf('console-demo\nComponent'));
      expect(card).toContain('A demo made in the console');
      expect(card).toMatch(/^Owner: Payments/m);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
