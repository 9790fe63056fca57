import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/catalog/model/entity.js';
import { workloadQueryOf } from '../../../src/kubernetes/entity-workloads.js';

const entity = (annotations: Record<string, string>): Entity => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments-api', namespace: 'default', annotations }, spec: {} });

describe("an entity's workloads, as Backstage's Kubernetes plugin finds them", () => {
  it('selects by the kubernetes-id label, or by the label selector as written, in the namespace when one is named', () => {
    expect(workloadQueryOf(entity({ 'backstage.io/kubernetes-id': 'payments-api' }))).toEqual({ labelSelector: 'backstage.io/kubernetes-id=payments-api' });
    expect(workloadQueryOf(entity({ 'backstage.io/kubernetes-id': 'payments-api', 'backstage.io/kubernetes-label-selector': 'app=payments,tier in (api, worker)', 'backstage.io/kubernetes-namespace': 'payments' }))).toEqual({
      labelSelector: 'app=payments,tier in (api, worker)',
      namespace: 'payments',
    });
  });

  it('refuses a selector that would match everything, and says which annotation to add when there is none', () => {
    for (const selector of ['', '!legacy', 'tier!=batch', 'env notin (dev)', 'app=x,', 'app', 'app.kubernetes.io/name']) {
      expect(workloadQueryOf(entity({ 'backstage.io/kubernetes-label-selector': selector }))).toEqual(expect.stringContaining('backstage.io/kubernetes-label-selector'));
    }
    expect(workloadQueryOf(entity({ 'backstage.io/kubernetes-label-selector': 'app=payments,!legacy' }))).toEqual({ labelSelector: 'app=payments,!legacy' });
    expect(workloadQueryOf(entity({}))).toBe('no Kubernetes annotation: add backstage.io/kubernetes-id: payments-api (and that label on its workloads and pods), or backstage.io/kubernetes-label-selector');
    expect(workloadQueryOf(entity({ 'backstage.io/kubernetes-id': 'a b' }))).toContain('is not a label value');
    expect(workloadQueryOf(entity({ 'backstage.io/kubernetes-id': 'x', 'backstage.io/kubernetes-namespace': 'Not_A_Namespace' }))).toContain('is not a namespace name');
  });
});
