import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/slack/blocks/action-ids.js';
import { messageProblems } from '../../../src/slack/blocks/limits.js';
import { startFakeKubernetes } from '../../support/fake-kubernetes.js';
import { startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { makeTestCertificates } from '../../support/test-certificates.js';

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations: { backstage.io/kubernetes-id: ledger }
spec: { type: service, lifecycle: production, owner: payments }
`;
const labels = { 'backstage.io/kubernetes-id': 'ledger' };

describe('/health over HTTP', () => {
  let harness: SlackHarness;
  let cluster: Awaited<ReturnType<typeof startFakeKubernetes>>;

  beforeAll(async () => {
    const certs = makeTestCertificates();
    cluster = await startFakeKubernetes({ key: certs.key, cert: certs.cert }, 'answer', {
      deployments: [{ metadata: { name: 'ledger', namespace: 'payments', labels }, spec: { replicas: 2, selector: {}, template: {} }, status: { readyReplicas: 0, conditions: [{ type: 'Available', status: 'False', message: 'minimum availability <!channel>' }] } }],
      events: [{ metadata: { name: 'e1', namespace: 'payments' }, involvedObject: { kind: 'Deployment', name: 'ledger', namespace: 'payments' }, type: 'Warning', reason: 'FailedCreate', message: 'quota exceeded <@U0ADMIN>', count: 3, lastTimestamp: '2026-12-01T10:00:00Z' }],
    });
    harness = await startSlackHarness('pglite', { catalogYaml: CATALOG, clusters: [{ name: 'prod', source: 'config', server: cluster.url, token: 't', caData: Buffer.from(certs.ca).toString('base64') }] });
  });
  afterAll(async () => {
    await harness?.stop();
    await cluster?.close();
  });

  it("answers with the status, the worst reasons, each cluster's workloads and its last warnings, cluster text escaped", async () => {
    // In the acknowledgement, or at response_url when the clusters take longer (the first TLS handshakes).
    const response = await harness.slashCommand('/health', 'ledger', { trigger_id: 'health-first' });
    const acknowledged = await response.text();
    const message = (acknowledged ? JSON.parse(acknowledged) : (await harness.responses('health-first'))[0]!.body) as { text: string; blocks: KnownBlock[] };
    expect(messageProblems(message)).toEqual([]);
    expect(message.text).toBe('component:default/ledger: down');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Deployment payments/ledger: no replica ready of 2');
    expect(text).toContain('minimum availability &lt;!channel&gt;');
    expect(text).toContain('*prod*: answered');
    expect(text).toContain('Deployment/ledger FailedCreate (×3): quota exceeded &lt;@U0ADMIN&gt;');
  });

  it('offers a Health button on the ownership card that posts the same answer', async () => {
    const card = (await (await harness.slashCommand('/whoowns', 'ledger')).json()) as { blocks: KnownBlock[] };
    const button = card.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : [])).find((element) => 'action_id' in element && element.action_id === ACTIONS.health) as { value: string } | undefined;
    expect(button?.value).toBe('component:default/ledger');
    await harness.interaction({ type: 'block_actions', response_url: harness.responseUrl('health'), actions: [{ action_id: ACTIONS.health, block_id: 'b', value: button!.value, type: 'button' }] });
    expect(String((await harness.responses('health'))[0]!.body.text)).toBe('component:default/ledger: down');
  });
});
