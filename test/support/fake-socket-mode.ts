import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

/** One delivery as Slack sends it over the socket. */
export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  /** What HTTP mode would have POSTed: the command's fields, the event callback, the interaction. */
  payload: Record<string, unknown>;
  /** True where the acknowledgement may carry an answer (slash commands, some interactions). */
  accepts_response_payload: boolean;
  /** events_api only: 0 on the first delivery, then 1, 2, 3 as Slack retries. */
  retry_attempt?: number;
  /** events_api only: '' on the first delivery, e.g. 'timeout' on a retry. */
  retry_reason?: string;
}

/** The app's acknowledgement of an envelope; a slash command's answer rides in `payload`. */
export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

const APP_ID = 'A0CALLBOARD';

/**
 * A loopback Socket Mode endpoint speaking Slack's envelope protocol: a `hello` to each
 * connection, envelopes to the newest one, acknowledgements recorded by envelope id, and the
 * `disconnect` Slack sends when it recycles a connection.
 */
export class FakeSocketMode {
  readonly acks: Ack[] = [];
  /** Every connection that was greeted, oldest first. */
  readonly connections: WebSocket[] = [];
  private server: WebSocketServer | undefined;
  private waiters: (() => void)[] = [];

  /** Listens on a loopback port; returns the URL apps.connections.open should hand out. */
  async start(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.server = server;
    server.on('connection', (socket) => {
      this.connections.push(socket);
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as Partial<Ack>;
        if (typeof message.envelope_id === 'string') this.acks.push({ envelope_id: message.envelope_id, payload: message.payload });
        this.wake();
      });
      socket.on('close', () => this.wake());
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: this.open,
          connection_info: { app_id: APP_ID },
          debug_info: { host: 'fake-socket-mode', build_number: 1, approximate_connection_time: 18060 },
        }),
      );
      this.wake();
    });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link/?ticket=${randomUUID()}&app_id=${APP_ID}`;
  }

  /** Connections still open. */
  get open(): number {
    return this.connections.filter((socket) => socket.readyState === socket.OPEN).length;
  }

  /** Sends an envelope on the newest open connection; returns its envelope id. */
  send(envelope: Omit<Envelope, 'envelope_id'> & { envelope_id?: string }): string {
    const socket = this.connections.findLast((candidate) => candidate.readyState === candidate.OPEN);
    if (!socket) throw new Error('no open Socket Mode connection to send on');
    const full: Envelope = { envelope_id: randomUUID(), ...envelope };
    socket.send(JSON.stringify(full));
    return full.envelope_id;
  }

  /** Asks the app to reconnect, as Slack does before recycling the connection it is on. */
  requestRefresh(): void {
    for (const socket of this.connections) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-socket-mode' } }));
    }
  }

  /** The acknowledgements of an envelope, once there are `count` of them. */
  async acksFor(envelopeId: string, count = 1): Promise<Ack[]> {
    let found: Ack[] = [];
    await this.until(() => (found = this.acks.filter((ack) => ack.envelope_id === envelopeId)).length >= count, `${count} ack(s) of envelope ${envelopeId}`);
    return found;
  }

  /** Resolves once `condition` holds, re-checking whenever the socket traffic changes. */
  async until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Socket Mode fake: no ${what} within ${timeoutMs} ms (${this.connections.length} connection(s), ${this.acks.length} ack(s))`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.connections) socket.terminate();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
