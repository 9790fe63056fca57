import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A slash command as Slack posts it: the fields the answer needs. */
export interface SlashCommandDelivery {
  command: string;
  text: string;
  user_id: string;
  trigger_id?: string;
}

/** The acknowledgement: the answer itself, or nothing when the answer follows through response_url. */
export type CommandAck = (message?: Record<string, unknown>) => Promise<void>;
/** A message to the command's response_url. */
export type CommandRespond = (message: Record<string, unknown>) => Promise<unknown>;
export type CommandAnswerer = (delivery: SlashCommandDelivery, ack: CommandAck, respond: CommandRespond) => Promise<void>;

/** response_url calls give up rather than hold an answer forever. */
const RESPOND_TIMEOUT_MS = 10_000;

/**
 * Slash commands over HTTP, answered without going through Bolt. They are most of the traffic,
 * and Bolt's per-request work (its receiver and every listener's middleware) costs more than
 * the answer: past a few hundred commands a second on one core it is the queue every answer
 * waits in. The signature is checked here exactly as Bolt checks it (HMAC-SHA256 of
 * `v0:<timestamp>:<body>`, compared in constant time; the timestamp window was checked before).
 * Anything that is not a signed slash command goes to Bolt with the body already read, which
 * Bolt's receiver accepts as it is (`rawBody`).
 */
export function routeSlashCommands(signingSecret: string, toBolt: (request: IncomingMessage, response: ServerResponse) => void) {
  return async (request: IncomingMessage, response: ServerResponse, answer: CommandAnswerer): Promise<void> => {
    const timestamp = request.headers['x-slack-request-timestamp'];
    const signature = request.headers['x-slack-signature'];
    if (request.headers['content-type'] !== 'application/x-www-form-urlencoded' || typeof timestamp !== 'string' || typeof signature !== 'string') return toBolt(request, response);
    const body = await readBody(request);
    const fields = new URLSearchParams(body.toString('utf8'));
    const command = fields.get('command');
    if (command === null || fields.has('ssl_check')) return toBolt(request, response);
    if (!signatureMatches(signingSecret, timestamp, body, signature)) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'invalid signature' }));
      return;
    }
    let acked = false;
    const ack: CommandAck = async (message) => {
      if (acked) return;
      acked = true;
      response.writeHead(200, message ? { 'content-type': 'application/json' } : {});
      response.end(message ? JSON.stringify(message) : '');
    };
    const responseUrl = fields.get('response_url');
    const respond: CommandRespond = async (message) => {
      if (!responseUrl) throw new Error('the slash command carried no response_url');
      const posted = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message), signal: AbortSignal.timeout(RESPOND_TIMEOUT_MS) });
      if (!posted.ok) throw new Error(`response_url answered ${posted.status}`);
      return posted.body?.cancel();
    };
    await answer({ command, text: fields.get('text') ?? '', user_id: fields.get('user_id') ?? '', trigger_id: fields.get('trigger_id') ?? undefined }, ack, respond);
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  // Where Bolt's receiver looks for a body someone has read already.
  (request as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
  return body;
}

export function signatureMatches(signingSecret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
