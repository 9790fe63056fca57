import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  path: string;
  body: Record<string, unknown>;
}

/**
 * A loopback Slack: the Web API methods the app calls (answering like Slack does) and the
 * response_url endpoint, recording every call so tests can assert on what was posted.
 */
export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private waiters: (() => void)[] = [];

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const isJson = (request.headers['content-type'] ?? '').includes('json');
        const body = raw ? (isJson ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw))) : {};
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        this.calls.push({ path, body });
        for (const wake of this.waiters.splice(0)) wake();
        response.writeHead(200, { 'content-type': 'application/json' });
        if (path === '/api/auth.test') response.end(JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0001', user: 'callboard' }));
        else response.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Resolves once a call to `path` has been recorded (the app answers after its ack). */
  async next(path: string, count = 1): Promise<RecordedCall[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const matching = this.calls.filter((call) => call.path === path);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) throw new Error(`no call to ${path} within 5 s; calls: ${this.calls.map((call) => call.path).join(', ')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Headers Slack sends with a request: its timestamp and the v0 HMAC-SHA256 signature over `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}
