// Kubernetes YAML read for validation against the reference CRDs (test/support/fake-kube-apiserver.ts):
// merge keys applied as kubectl applies them, and every other value of the type YAML gives it.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubernetesYaml, referenceKinds, validateAgainstCrd } from './support/fake-kube-apiserver.js';

// A NetworkChaos as teams write them: the target's selector merged from the source's (`<<: *payments`).
const networkChaos = `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata:
  name: payments-slow-to-db
  namespace: shop
  annotations:
    example.com/reviewed: 2026-03-01
spec:
  action: delay
  mode: all
  selector: &payments
    namespaces: [shop]
    labelSelectors: { app: payments }
  delay: { latency: 300ms, jitter: 20ms, correlation: "25" }
  direction: to
  target:
    mode: all
    selector:
      <<: *payments
      labelSelectors: { app: payments-db }
  duration: 60s
`;

type Doc = { metadata: { annotations: Record<string, unknown> }; spec: { target: { selector: Record<string, unknown> } } };

describe('Kubernetes YAML as read for CRD validation', () => {
  it('the CRDs of the reference folder are read', () => {
    expect(referenceKinds()).toEqual(
      expect.arrayContaining(['chaos-mesh.org/v1alpha1/NetworkChaos', 'litmuschaos.io/v1alpha1/ChaosEngine']),
    );
  });

  it('merge keys are applied: the merged object passes its CRD, with the merged and the overriding fields', () => {
    const [doc] = kubernetesYaml(networkChaos) as Doc[];
    expect(validateAgainstCrd(doc as never)).toEqual([]);
    expect(doc?.spec.target.selector).toEqual({ namespaces: ['shop'], labelSelectors: { app: 'payments-db' } });
    // read without merge keys, "<<" would be a field of its own, which the CRD refuses
    const literal = parseAllDocuments(networkChaos)[0]?.toJS();
    expect(validateAgainstCrd(literal).join('\n')).toMatch(/<<|additional/);
  });

  it('values keep their YAML 1.2 types: a date stays the text written, a quoted number a string', () => {
    const [doc] = kubernetesYaml(networkChaos) as Doc[];
    expect(doc?.metadata.annotations['example.com/reviewed']).toBe('2026-03-01');
    expect((doc as unknown as { spec: { delay: { correlation: unknown } } }).spec.delay.correlation).toBe('25');
  });
});
