/**
 * minHealthy for every controller, and pod eviction through the Eviction API (engine native), against the
 * fake API server: a pod's controller is found by following ownerReferences (ReplicaSet up to its
 * Deployment; StatefulSet; DaemonSet counted by numberReady); a controller whose ready pods cannot be
 * counted refuses the step, naming its kind, instead of being skipped; `kubernetes.method: evict` asks the
 * Eviction API, and a PodDisruptionBudget that allows no disruption now (429) fails the step with nothing
 * deleted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { runExperiment } from '../src/engine/run.js';
import { parseExperiments } from '../src/spec/load.js';
import { tempDir, tempHome } from './support/cli.js';
import { FakeKubeApiServer } from './support/fake-kube-apiserver.js';

let fake: FakeKubeApiServer;
let dir: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, FAULTLINE_HOME: process.env.FAULTLINE_HOME };

beforeEach(async () => {
  dir = tempDir('faultline-workloads-');
  process.env.FAULTLINE_HOME = tempHome();
  fake = await FakeKubeApiServer.start();
  process.env.KUBECONFIG = fake.writeKubeconfig(dir, { namespace: 'shop' });
});

afterEach(async () => {
  await fake.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function run(kubernetes: string, step: string) {
  const file = join(dir, 'e.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: workloads }\nspec:\n  hypothesis: h\n  backend: kubernetes\n  kubernetes: ${kubernetes}\n  method:\n    - fault: process.kill\n${step}\n`,
  );
  const [e] = parseExperiments(readFileSync(file, 'utf8'), file, {});
  if (!e) throw new Error('no experiment');
  return runExperiment(e, { seed: 1 });
}

function seedDaemonSet(ready: number): void {
  const ds = fake.seedObject({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'agent' } } },
    status: { numberReady: ready, desiredNumberScheduled: ready },
  });
  for (let i = 0; i < ready; i++) {
    fake.seedPod({
      namespace: 'shop',
      name: `agent-${i}`,
      labels: { app: 'agent' },
      owner: { kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid },
    });
  }
}

describe('minHealthy follows ownerReferences to any controller', () => {
  it('a DaemonSet is counted by numberReady: refused when the kill would leave too few, allowed otherwise', async () => {
    seedDaemonSet(2);
    const refused = await run('{ engine: native }', '      selector: { labels: { app: agent } }\n      kubernetes: { minHealthy: 2 }');
    expect(refused.report.verdict).toBe('aborted');
    expect(refused.report.reason).toMatch(
      /DaemonSet shop\/agent has 2 of 2 replicas ready; taking down agent-\d would leave 1, fewer than 2/,
    );
    expect(fake.podDeletions).toEqual([]);
    const allowed = await run('{ engine: native }', '      selector: { labels: { app: agent } }\n      kubernetes: { minHealthy: 1 }');
    expect(allowed.report.verdict, allowed.report.reason).toBe('passed');
    expect(fake.podDeletions).toHaveLength(1);
  });

  it('a controller whose ready pods cannot be read (here a CloneSet the cluster does not serve) refuses the step, naming its kind', async () => {
    fake.seedPod({
      namespace: 'shop',
      name: 'cache-0',
      labels: { app: 'cache' },
      owner: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'cache', uid: 'c1' },
    });
    const { report } = await run('{ engine: native }', '      selector: { labels: { app: cache } }\n      kubernetes: { minHealthy: 1 }');
    expect(report.verdict).toBe('aborted');
    expect(report.reason).toMatch(
      /pod cache-0 is kept by CloneSet shop\/cache \(apps\.kruise\.io\/v1alpha1\), whose ready pods faultline cannot count/,
    );
    expect(fake.podDeletions).toEqual([]);
  });
});

describe('kubernetes.method: evict (engine native) honours PodDisruptionBudgets', () => {
  function seedBudget(minAvailable: number): void {
    fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 3, labels: { app: 'web' } });
    fake.seedObject({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web-pdb', namespace: 'shop' },
      spec: { minAvailable, selector: { matchLabels: { app: 'web' } } },
    });
  }
  const EVICT = '      selector: { labels: { app: web } }\n      kubernetes: { method: evict }';

  it('a budget that allows the disruption: the pod is evicted, not deleted', async () => {
    seedBudget(2);
    const { report } = await run('{ engine: native }', EVICT);
    expect(report.verdict, report.reason).toBe('passed');
    expect(fake.evictions).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('a budget that allows none now (429): the step fails saying so, and nothing is deleted', async () => {
    seedBudget(3);
    const { report } = await run('{ engine: native }', EVICT);
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(
      /the Eviction API refused to evict pod shop\/web-\S+ now: a PodDisruptionBudget allows no disruption .*would violate the pod's disruption budget/,
    );
    expect(fake.podDeletions).toEqual([]);
    expect(fake.list('pods', 'shop')).toHaveLength(3);
  });

  it('RBAC without create on pods/eviction is refused before any harm', async () => {
    seedBudget(1);
    fake.forbid('create', 'pods/eviction', 'shop');
    const { report } = await run('{ engine: native }', EVICT);
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/RBAC forbids faultline to create pods\/eviction in namespace shop/);
    expect(fake.evictions).toEqual([]);
  });

  it('evict with an engine that kills pods itself is refused', async () => {
    seedBudget(1);
    const { report } = await run('{ engine: chaos-mesh }', EVICT);
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/kubernetes\.method: evict is for engine native/);
  });
});
