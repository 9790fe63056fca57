/**
 * Slack's side of the Slack benchmark, in a worker thread of bench/slack-bench.ts so that its work
 * does not share the app's event loop: the loopback Web API and response_url endpoint
 * (test/support/fake-slack.ts), and the load: correctly signed `/whoowns` slash commands, each
 * with its own trigger_id, kept a fixed number in flight over keep-alive connections.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { SlackMessage } from '../src/slack/blocks/limits.js';
import { FakeSlack, slackSignature } from '../test/support/fake-slack.js';

export interface LoadSettings {
  signingSecret: string;
  /** Components to ask about; the warm-up asks about others than the measured run. */
  warmUpNames: string[];
  names: string[];
  warmUpRequests: number;
  requests: number;
  concurrency: number;
  /** A User entity's email: the Slack user U0001 has it, so /create-service finds who asks. */
  askerEmail: string;
  /** How many /create-service commands to time, one at a time, after the load. */
  modalRequests: number;
}

/** Posted back once per phase: one latency per command, and how the answers came. */
export interface LoadResult {
  latenciesMs: number[];
  elapsedMs: number;
  /** Commands the app answered through response_url rather than in its acknowledgement. */
  deferred: number;
  /** Web API calls the app made meanwhile (users.lookupByEmail for people it has not looked up yet). */
  webApiCalls: number;
}

/** Posted back last: for each /create-service, from its signed request to the modal's views.open reaching Slack. */
export interface ModalResult {
  pickerMs: number[];
  firstPageMs: number[];
}

/** The main thread sends the app's port once the app is listening on the URL this worker posted. */
export interface StartLoad {
  port: number;
}

const settings = workerData as LoadSettings;
const slack = new FakeSlack();
slack.usersByEmail.set(settings.askerEmail, 'U0001');
const slackUrl = await slack.start();
parentPort!.postMessage(slackUrl);
const { port } = await new Promise<StartLoad>((resolve) => parentPort!.once('message', resolve));
const agent = new Agent({ keepAlive: true, maxSockets: settings.concurrency });
let triggers = 0;

await run(settings.warmUpNames, settings.warmUpRequests);
parentPort!.postMessage(await run(settings.names, settings.requests));
parentPort!.postMessage({ pickerMs: await timeModals('', settings.modalRequests), firstPageMs: await timeModals('typescript-service', settings.modalRequests) } satisfies ModalResult);
agent.destroy();
await slack.stop();

/** `requests` commands, never more than `concurrency` in flight, each timed to its answer. */
async function run(names: string[], requests: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let sent = 0;
  let deferred = 0;
  const webApiCallsBefore = webApiCalls();
  const started = performance.now();
  const client = async () => {
    while (sent < requests) {
      const name = names[sent++ % names.length]!;
      const commandStarted = performance.now();
      const { card, inAck } = await whoOwns(name);
      latenciesMs.push(performance.now() - commandStarted);
      if (!inAck) deferred++;
      if (!isOwnershipCard(card, name)) throw new Error(`/whoowns ${name} was not answered with its ownership card: ${JSON.stringify(card).slice(0, 500)}`);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, client));
  return { latenciesMs, elapsedMs: performance.now() - started, deferred, webApiCalls: webApiCalls() - webApiCallsBefore };
}

/**
 * `/create-service TEXT` one at a time, each timed from sending it to the app's views.open arriving
 * here: the picker for no text, the template's first form page for a name. The first few warm up.
 */
async function timeModals(text: string, requests: number): Promise<number[]> {
  const timings: number[] = [];
  for (let index = -5; index < requests; index++) {
    const trigger = `bench-modal-${++triggers}`;
    const opened = slack.calls.filter((call) => call.path === '/api/views.open').length;
    // The loopback Slack stamps each call with Date.now().
    const sentAt = Date.now();
    const acknowledgement = await post(commandBody('/create-service', text, trigger));
    const [call] = (await slack.next('/api/views.open', opened + 1)).slice(opened);
    if (call!.body.trigger_id !== trigger) throw new Error(`views.open came for ${String(call!.body.trigger_id)}, not ${trigger}; the command answered ${acknowledgement.slice(0, 300)}`);
    if (index >= 0) timings.push(call!.at - sentAt);
  }
  return timings;
}

function webApiCalls(): number {
  return slack.calls.filter((call) => call.path.startsWith('/api/')).length;
}

/** One `/whoowns` as Slack sends it; the answer is the acknowledgement's body or, when that is empty, what the app posts to response_url. */
async function whoOwns(name: string): Promise<{ card: SlackMessage; inAck: boolean }> {
  const trigger = `bench-${++triggers}`;
  const responsePath = `/response/${trigger}`;
  const acknowledgement = await post(commandBody('/whoowns', name, trigger));
  if (acknowledgement) return { card: JSON.parse(acknowledgement) as SlackMessage, inAck: true };
  const [posted] = await slack.next(responsePath);
  return { card: posted!.body as unknown as SlackMessage, inAck: false };
}

/** A slash command's form body as Slack sends it, from user U0001, answering to response_url /response/TRIGGER. */
function commandBody(command: string, text: string, trigger: string): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0001',
    team_domain: 'bench',
    channel_id: 'C0001',
    channel_name: 'general',
    user_id: 'U0001',
    user_name: 'bench',
    command,
    text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: `${slackUrl}/response/${trigger}`,
    trigger_id: trigger,
  }).toString();
}

function post(body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/slack/events',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...slackSignature(settings.signingSecret, body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode === 200) resolve(text);
          else reject(new Error(`the app answered ${response.statusCode}: ${text.slice(0, 200)}`));
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The card for `name` itself, so a failure (an apology, "no entity named") cannot pass for a fast answer. */
function isOwnershipCard(card: SlackMessage, name: string): boolean {
  return (
    typeof card.text === 'string' &&
    card.text.startsWith(`${name} is owned by `) &&
    card.blocks[0]?.type === 'header' &&
    card.blocks.some((block) => block.type === 'section' && block.text?.text.startsWith('*Owner:*'))
  );
}
