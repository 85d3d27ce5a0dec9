/** The k8s probe against the fake API server: fields of one object, counts of (Ready) objects, presence. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { findProbeType } from '../src/probes/registry.js';
import { parseExperiments } from '../src/spec/load.js';
import { tempDir } from './support/cli.js';
import { FakeKubeApiServer } from './support/fake-kube-apiserver.js';

let fake: FakeKubeApiServer;
const savedKubeconfig = process.env.KUBECONFIG;

beforeAll(async () => {
  fake = await FakeKubeApiServer.start();
  fake.seedDeployment({ namespace: 'shop', name: 'checkout', replicas: 3, labels: { app: 'checkout' } });
  process.env.KUBECONFIG = fake.writeKubeconfig(tempDir('faultline-k8s-probe-'), { namespace: 'shop' });
});

afterAll(async () => {
  await fake.close();
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});

/** Parses the probe the way an experiment file does, then checks it once. */
async function check(block: string, expectation = '{}') {
  const [experiment] = parseExperiments(
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: probe }
spec:
  hypothesis: x
  backend: kubernetes
  probes:
    - name: p
      type: k8s
      k8s: ${block}
      expect: ${expectation}
  method:
    - pause: 1s
`,
    null,
    { project: null },
  );
  const probe = experiment?.probes[0];
  if (!probe) throw new Error('no probe');
  const type = findProbeType('k8s');
  await type?.preflight?.(probe.config);
  return type?.check(probe.config, probe.expect, { timeoutMs: 5000, signal: new AbortController().signal });
}

describe('k8s probe', () => {
  it("compares a Deployment's field", async () => {
    const deployment = '{ apiVersion: apps/v1, kind: Deployment, name: checkout, field: status.availableReplicas }';
    expect(await check(deployment, '{ value: { gte: 2 } }')).toMatchObject({
      ok: true,
      detail: 'Deployment shop/checkout status.availableReplicas 3',
    });
    fake.setPodReady('shop', 'checkout-0', false);
    fake.setPodReady('shop', 'checkout-1', false);
    expect(await check(deployment, '{ value: { gte: 2 } }')).toMatchObject({
      ok: false,
      detail: 'Deployment shop/checkout: status.availableReplicas 1, expected >= 2',
    });
    expect(await check('{ apiVersion: apps/v1, kind: deployments, name: checkout, field: spec.replicas }', '{ value: 3 }')).toMatchObject({
      ok: true,
    });
    fake.setPodReady('shop', 'checkout-0', true);
    fake.setPodReady('shop', 'checkout-1', true);
  });

  it('counts the Ready pods of a selector', async () => {
    expect(await check('{ kind: Pod, labelSelector: app=checkout, count: ready }', '{ count: { gte: 3 } }')).toMatchObject({
      ok: true,
      detail: '3 ready pods (app=checkout) in shop',
    });
    fake.setPodReady('shop', 'checkout-2', false);
    expect(await check('{ kind: Pod, labelSelector: app=checkout, count: ready }', '{ count: { gte: 3 } }')).toMatchObject({
      ok: false,
      detail: '2 ready pods (app=checkout) in shop: count 2, expected >= 3',
    });
    expect(await check('{ kind: pods, labelSelector: app=checkout }', '{ count: 3 }')).toMatchObject({ ok: true }); // all, Ready or not
    fake.setPodReady('shop', 'checkout-2', true);
  });

  it('reads string fields, presence and absence', async () => {
    expect(await check('{ kind: Pod, name: checkout-0, field: "status.conditions[0].status" }', '{ text: "True" }')).toMatchObject({
      ok: true,
    });
    expect(await check('{ kind: Pod, name: checkout-0, field: status.phase }', '{ text: { oneOf: [Running, Succeeded] } }')).toMatchObject({
      ok: true,
    });
    expect(await check('{ kind: Pod, name: gone-0 }')).toMatchObject({ ok: false, detail: 'Pod shop/gone-0 not found' });
    expect(await check('{ kind: Pod, name: gone-0 }', '{ present: false }')).toMatchObject({
      ok: true,
      detail: 'Pod shop/gone-0 is absent',
    });
    expect(await check('{ kind: Pod, name: checkout-0, field: status.nothing }')).toMatchObject({
      ok: false,
      detail: 'Pod shop/checkout-0 has no status.nothing',
    });
    expect(await check('{ kind: Pod, namespace: default, labelSelector: app=checkout }', '{ present: false }')).toMatchObject({ ok: true });
  });

  it('fails a sample (never throws) when the API refuses; refuses an unknown kind before any harm', async () => {
    fake.forbid('get', 'deployments', 'shop');
    expect(await check('{ apiVersion: apps/v1, kind: Deployment, name: checkout }')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/RBAC forbids faultline to get deployments\.apps in namespace shop/),
    });
    await expect(check('{ apiVersion: apps/v1, kind: Deploymnt, name: checkout }')).rejects.toThrow(
      /apps\/v1 has no resource "Deploymnt" in the cluster at http:\/\/127\.0\.0\.1:\d+; known: /,
    );
  });

  it('checks its config when the file is validated', () => {
    expect(() =>
      parseExperiments(
        `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: probe }
spec:
  hypothesis: x
  probes:
    - { name: p, type: k8s, k8s: { kind: Pod, labelSelector: app=x, field: status.phase } }
  method:
    - pause: 1s
`,
        null,
        { project: null },
      ),
    ).toThrow(/spec\.probes\[0\]\.k8s\.field: field needs name: it reads one object/);
  });
});
