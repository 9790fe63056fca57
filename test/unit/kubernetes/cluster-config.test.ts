import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clustersFromConfig } from '../../../src/kubernetes/cluster-config.js';

describe("the clusters Callboard asks, from Backstage's kubernetes config", () => {
  it('takes config clusters with a service account token and CA, and the cluster it runs in when one has no url', () => {
    const { clusters, problems } = clustersFromConfig(
      {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [{ type: 'config', clusters: [{ name: 'prod', url: 'https://k8s.acme.test:6443', authProvider: 'serviceAccount', serviceAccountToken: 'token-1', caData: 'Q0E=' }, { name: 'here' }] }],
      },
      {},
    );
    expect(problems).toEqual([]);
    expect(clusters).toEqual([
      { name: 'prod', source: 'config', server: 'https://k8s.acme.test:6443', token: 'token-1', caData: 'Q0E=' },
      { name: 'here', source: 'in-cluster' },
    ]);
  });

  it('leaves out clusters whose TLS checks are off, auth it does not have and other locators, saying why', () => {
    const { clusters, problems } = clustersFromConfig(
      {
        clusterLocatorMethods: [
          { type: 'config', clusters: [{ name: 'lax', url: 'https://k8s.acme.test', skipTLSVerify: true }, { name: 'eks', url: 'https://eks.acme.test', authProvider: 'aws' }, { name: 'plain', url: 'http://k8s.acme.test' }, { name: 'ok', url: 'https://ok.acme.test' }, { name: 'ok', url: 'https://other.acme.test' }] },
          { type: 'gke', projectId: 'acme' },
        ],
      },
      { KUBECONFIG: '/ignored/when/the/config/names/clusters' },
    );
    expect(clusters.map((cluster) => cluster.name)).toEqual(['ok']);
    expect(problems).toEqual([
      expect.stringContaining('(lax): skipTLSVerify is true; Callboard always verifies TLS'),
      expect.stringContaining('(eks): authProvider aws is not supported'),
      expect.stringContaining('(plain): url must be an https URL'),
      'kubernetes.clusterLocatorMethods[1]: type gke is not supported; list the clusters with type: config',
      'two clusters are named ok; the first is used',
    ]);
  });

  it("makes every context of KUBECONFIG's files a cluster when the config names none", () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'callboard-kubeconfig-'));
    try {
      const file = path.join(folder, 'config');
      writeFileSync(
        file,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: { server: 'https://a.test' }\n- name: b\n  cluster: { server: 'https://b.test' }\n- name: lax\n  cluster: { server: 'https://lax.test', insecure-skip-tls-verify: true }\nusers:\n- name: u\n  user: { token: t }\ncontexts:\n- name: staging\n  context: { cluster: a, user: u }\n- name: production\n  context: { cluster: b, user: u }\n- name: careless\n  context: { cluster: lax, user: u }\ncurrent-context: staging\n`,
      );
      const { clusters, problems } = clustersFromConfig(undefined, { KUBECONFIG: `${file}:${path.join(folder, 'missing')}` });
      expect(clusters).toEqual([
        { name: 'staging', source: 'kubeconfig', kubeconfig: file, config: readFileSync(file, 'utf8'), context: 'staging' },
        { name: 'production', source: 'kubeconfig', kubeconfig: file, config: readFileSync(file, 'utf8'), context: 'production' },
      ]);
      expect(problems).toEqual([expect.stringContaining('context careless is left out: its cluster sets insecure-skip-tls-verify'), expect.stringContaining(`KUBECONFIG ${path.join(folder, 'missing')}`)]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
