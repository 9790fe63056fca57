import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  path: string;
  body: Record<string, unknown>;
  /** The Authorization header: which token made the call. */
  authorization?: string;
  /** When it arrived (Date.now()), so tests can check retries waited. */
  at: number;
}

/**
 * A loopback Slack: the Web API methods the app calls (answering like Slack does) and the
 * response_url endpoint, recording every call so tests can assert on what was posted.
 */
export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  /** The workspace's people (email → Slack user id): users.list lists them, users.lookupByEmail finds them (anyone else is users_not_found), users.info tells. */
  readonly usersByEmail = new Map<string, string>();
  /** Canned failures, taken in order, for calls to a path: an HTTP status and headers (429 with Retry-After), or no answer at all. */
  readonly failures = new Map<string, ({ status: number; headers?: Record<string, string> } | 'hang')[]>();
  /** Time zones by Slack user id, in users.lookupByEmail's and users.list's answers. */
  readonly timezones = new Map<string, string>();
  /** Channels by name (id as value): chat.postMessage to a name posts in that id, conversations.list lists them. */
  readonly channels = new Map<string, string>();
  /** Every message posted, with its metadata, newest last: conversations.history reads them back. */
  readonly messages: { channel: string; ts: string; text: unknown; blocks: unknown; metadata?: unknown }[] = [];
  /** Posts to these channels (name or id) are refused with this error, as Slack refuses them. */
  readonly refusedChannels = new Map<string, string>();
  /**
   * Hooks for chat.postMessage, taken in order, one per post: 'post-then-hang' posts the message
   * and never answers (the sender dies after Slack posted); 'hang' answers nothing and posts nothing.
   */
  readonly postBehaviours: ('answer' | 'hang' | 'post-then-hang')[] = [];
  /** The WebSocket URL apps.connections.open hands out (a FakeSocketMode's); unset, it answers like any method. */
  socketModeUrl: string | undefined;
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
        this.calls.push({ path, body, authorization: request.headers.authorization, at: Date.now() });
        for (const wake of this.waiters.splice(0)) wake();
        const refusal = path === '/api/chat.postMessage' ? this.refusedChannels.get(String(body.channel ?? '')) : undefined;
        if (refusal) {
          response.writeHead(200, { 'content-type': 'application/json' });
          return void response.end(JSON.stringify({ ok: false, error: refusal }));
        }
        const failure = this.failures.get(path)?.shift();
        if (failure === 'hang') return;
        if (failure) {
          response.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
          response.end(JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'fatal_error' }));
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        const tz = (id: string) => (this.timezones.has(id) ? { tz: this.timezones.get(id) } : {});
        if (path === '/api/users.list') {
          const everyone = [...this.usersByEmail].map(([email, id]) => ({ id, deleted: false, is_bot: false, profile: { email }, ...tz(id) }));
          const offset = Number(body.cursor ?? 0);
          const limit = Number(body.limit ?? 100);
          const next = offset + limit < everyone.length ? String(offset + limit) : '';
          response.end(JSON.stringify({ ok: true, members: everyone.slice(offset, offset + limit), response_metadata: { next_cursor: next } }));
        } else if (path === '/api/users.info') {
          const email = [...this.usersByEmail].find(([, id]) => id === body.user)?.[0];
          response.end(JSON.stringify(email ? { ok: true, user: { id: body.user, profile: { email }, ...tz(String(body.user)) } } : { ok: false, error: 'user_not_found' }));
        } else if (path === '/api/users.lookupByEmail') {
          const userId = this.usersByEmail.get(String(body.email));
          response.end(JSON.stringify(userId ? { ok: true, user: { id: userId, ...tz(userId) } } : { ok: false, error: 'users_not_found' }));
        } else if (path === '/api/apps.connections.open' && this.socketModeUrl) response.end(JSON.stringify({ ok: true, url: this.socketModeUrl }));
        else if (path === '/api/chat.postMessage') {
          const named = String(body.channel ?? '');
          const behaviour = this.postBehaviours.shift() ?? 'answer';
          if (behaviour === 'hang') return;
          // Posting to a user id posts in the app's direct messages with them: a D channel.
          const channel = this.channels.get(named.replace(/^#/, '')) ?? named.replace(/^U/, 'D');
          const ts = `${Math.floor(Date.now() / 1000)}.${String(this.calls.length).padStart(6, '0')}`;
          const metadata = typeof body.metadata === 'string' ? (JSON.parse(body.metadata) as unknown) : body.metadata;
          this.messages.push({ channel, ts, text: body.text, blocks: typeof body.blocks === 'string' ? JSON.parse(body.blocks) : body.blocks, ...(metadata ? { metadata } : {}) });
          if (behaviour === 'post-then-hang') return;
          response.end(JSON.stringify({ ok: true, channel, ts }));
        } else if (path === '/api/conversations.history') {
          // Newest first, between oldest and latest, a page of `limit` at a time with an offset for a cursor, as Slack pages.
          const inChannel = this.messages.filter((message) => message.channel === body.channel && (!body.oldest || Number(message.ts) >= Number(body.oldest)) && (!body.latest || Number(message.ts) <= Number(body.latest))).reverse();
          const offset = Number(body.cursor ?? 0);
          const limit = Number(body.limit ?? 100);
          const page = inChannel.slice(offset, offset + limit);
          const more = offset + limit < inChannel.length;
          const withMetadata = String(body.include_all_metadata) === 'true';
          response.end(JSON.stringify({ ok: true, has_more: more, response_metadata: { next_cursor: more ? String(offset + limit) : '' }, messages: page.map(({ metadata, ...message }) => ({ type: 'message', ...message, ...(withMetadata && metadata ? { metadata } : {}) })) }));
        } else if (path === '/api/conversations.open') {
          response.end(JSON.stringify({ ok: true, channel: { id: String(body.users ?? '').replace(/^U/, 'D') } }));
        } else if (path === '/api/conversations.list') {
          response.end(JSON.stringify({ ok: true, channels: [...this.channels].map(([name, id]) => ({ id, name })), response_metadata: { next_cursor: '' } }));
        } else if (path === '/api/views.open' || path === '/api/views.update' || path === '/api/views.push') {
          response.end(JSON.stringify({ ok: true, view: { id: typeof body.view_id === 'string' ? body.view_id : `V${this.calls.length}`, hash: `hash-${this.calls.length}` } }));
        } else if (path === '/api/auth.test') response.end(JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0001', user: 'callboard' }));
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
    // Calls left hanging on purpose would otherwise hold the server open.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Headers Slack sends with a request: its timestamp and the v0 HMAC-SHA256 signature over `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}
