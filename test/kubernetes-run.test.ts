/**
 * Backend kubernetes against the fake API server (test/support/fake-kube-apiserver.ts), through the
 * library: objects are created for the pods faultline selected, followed until the engine reports them
 * injected, deleted on revert and followed until gone; probes, stop conditions and halts work as on the
 * local backend; bad input is refused before anything is created; API errors (403, 404, 409, an
 * admission webhook, a dropped watch, a controller that fails or never lets go) end the run cleanly.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { dryRun } from '../src/engine/dry-run.js';
import { runExperiment } from '../src/engine/run.js';
import { Journal } from '../src/journal/journal.js';
import { recoverJournal } from '../src/journal/recover.js';
import { openControlDb } from '../src/safety/control-db.js';
import { halt } from '../src/safety/halt.js';
import { parseExperiments } from '../src/spec/load.js';
import { tempDir, tempHome } from './support/cli.js';
import { FakeKubeApiServer, type KObject } from './support/fake-kube-apiserver.js';

let fake: FakeKubeApiServer;
let dir: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, FAULTLINE_HOME: process.env.FAULTLINE_HOME, HOME: process.env.HOME };

async function startFake(options: Parameters<typeof FakeKubeApiServer.start>[0] = {}): Promise<FakeKubeApiServer> {
  fake = await FakeKubeApiServer.start(options);
  fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 3, labels: { app: 'web' } });
  process.env.KUBECONFIG = fake.writeKubeconfig(dir, { namespace: 'shop' });
  return fake;
}

beforeEach(() => {
  dir = tempDir('faultline-k8s-');
  process.env.FAULTLINE_HOME = tempHome();
});

afterEach(async () => {
  await fake?.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function experiment(spec: string, project?: string) {
  const file = join(dir, 'experiment.yaml');
  const indented = spec
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: k8s-test }\nspec:\n  hypothesis: the shop survives\n  backend: kubernetes\n${indented}\n`,
  );
  let projectFile: string | null = null;
  if (project) {
    projectFile = join(dir, 'faultline.yaml');
    writeFileSync(projectFile, `apiVersion: faultline.dev/v1\nkind: Project\nspec:\n${project}\n`);
  }
  const [e] = parseExperiments(readFileSync(file, 'utf8'), file, { project: projectFile });
  if (!e) throw new Error('no experiment');
  return e;
}

const writes = () => fake.requests.filter((r) => r.method !== 'GET' && !r.path.includes('selfsubjectaccessreviews'));
const created = (plural: string) => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${plural}`));
const openEntries = () => {
  const journal = new Journal();
  try {
    return journal.open();
  } finally {
    journal.close();
  }
};

const READY_PROBE = `
probes:
  - name: ready-web
    type: k8s
    k8s: { kind: Pod, namespace: shop, labelSelector: app=web, count: ready }
    expect: { count: { gte: 3 } }
    interval: 100ms`;

describe('engine chaos-mesh', () => {
  it('creates a NetworkChaos for the selected pods, waits for AllInjected, deletes it on revert and waits until it is gone', async () => {
    await startFake();
    const e = experiment(`
kubernetes: { engine: chaos-mesh, injectTimeout: 5s, recoverTimeout: 5s }
${READY_PROBE}
steadyState: { probes: [ready-web], tolerance: { availability: { gte: 0.9 } } }
method:
  - name: slow-web
    fault: network.latency
    selector: { labels: { app: web } }
    mode: fixed
    value: 2
    params: { latency: 300ms, jitter: 20ms }
    duration: 600ms`);
    const { report } = await runExperiment(e, { seed: 7 });
    expect(report.verdict, report.reason).toBe('passed');
    const [post] = created('networkchaos');
    const body = post?.body as KObject;
    expect(body.spec).toMatchObject({ action: 'delay', mode: 'all', delay: { latency: '300ms', jitter: '20ms' } });
    // faultline owns the duration; the object's own is the dead-man bound: step 600ms + inject timeout 5s + 30s
    expect(body.spec.duration).toBe('35600ms');
    expect(body.spec.selector.pods.shop).toHaveLength(2);
    expect(body.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'faultline', 'faultline.dev/experiment': 'k8s-test' });
    // the report names the object and its pods; the fault was held, then reverted
    expect(report.faults).toHaveLength(1);
    expect(report.faults[0]?.target).toMatch(/^NetworkChaos shop\/fl-k8s-test-slow-web-[0-9a-f]{5}$/);
    expect(report.faults[0]?.description).toMatch(
      /NetworkChaos delay 300ms ±20ms: create NetworkChaos .* on 2 pod\(s\) \(shop\/web-\d, shop\/web-\d\) for 600ms/,
    );
    expect(report.probes.find((p) => p.name === 'ready-web')?.ok).toBeGreaterThan(3);
    // paused the engine's way, then deleted; gone; the journal is closed
    const name = body.metadata.name;
    const order = writes().map((r) => `${r.method} ${r.path.split('/').pop()}`);
    expect(order).toEqual(['POST networkchaos', `PATCH ${name}`, `DELETE ${name}`]);
    expect(writes()[1]?.body).toEqual({
      metadata: { annotations: { 'experiment.chaos-mesh.org/pause': 'true' }, name, namespace: 'shop' },
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
    });
    expect(fake.list('networkchaos')).toEqual([]);
    expect(openEntries()).toEqual([]);
  });

  it('PodChaos pod-kill is one-shot: deleted once injected; the pod is killed and MTTR comes from the k8s probe', async () => {
    await startFake({ replaceDeletedPods: true, podStartMs: 700 });
    const e = experiment(`
${READY_PROBE}
steadyState: { probes: [ready-web], tolerance: { availability: { gte: 0 } }, recoveryTimeout: 10s }
method:
  - fault: process.kill
    selector: { labels: { app: web } }
    duration: 2s`);
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict, report.reason).toBe('passed');
    expect(fake.podDeletions).toHaveLength(1);
    expect(fake.podDeletions[0]?.gracePeriodSeconds).toBe(0); // SIGKILL: no grace
    expect(fake.list('podchaos')).toEqual([]);
    expect(report.faults[0]?.revertedAt).not.toBeNull(); // one-shot: closed as soon as it was injected
    expect(report.measurements.mttdMs).not.toBeNull();
    expect(report.measurements.mttrMs).toBeGreaterThan(300);
  });

  it('a dry run lists the chosen pods and creates nothing', async () => {
    await startFake();
    const e = experiment(`
method:
  - fault: stress.cpu
    selector: { namespaces: [shop], labelSelectors: { app: web } }
    mode: all
    params: { workers: 2, load: 50 }
    duration: 10s`);
    const result = await dryRun(e, 1, openControlDb());
    expect(result.plan[0]?.selected.map((t) => t.name).sort()).toEqual(['shop/web-0', 'shop/web-1', 'shop/web-2']);
    expect(result.plan[0]?.actions[0]).toMatch(
      /StressChaos cpu 2 worker\(s\) at 50% on pod shop\/web-\d \(one StressChaos in namespace shop for the step\)/,
    );
    // the engine's controller, seen before any harm
    expect(result.plan[0]?.actions.at(-1)).toBe(
      "Chaos Mesh's chaos-controller-manager: Deployment chaos-mesh/chaos-controller-manager, 1 of 1 replicas available",
    );
    expect(writes()).toEqual([]);
  });

  it('a controller faultline may not look at is said to be not checked, and the run goes on', async () => {
    await startFake();
    fake.forbid('list', 'deployments', 'chaos-mesh');
    const e = experiment(`
method:
  - fault: stress.cpu
    selector: { namespaces: [shop], labelSelectors: { app: web } }
    mode: all
    params: { workers: 1, load: 50 }
    duration: 10s`);
    const result = await dryRun(e, 1, openControlDb());
    expect(result.plan[0]?.actions.at(-1)).toMatch(
      /^Chaos Mesh's chaos-controller-manager not checked: faultline may not list deployments in namespace chaos-mesh \(grant "list" on "deployments" there/,
    );
  });

  it('a watch that drops while the engine injects is resumed from a fresh read', async () => {
    await startFake({ injectDelayMs: 900 });
    const e = experiment(`
kubernetes: { injectTimeout: 10s }
method:
  - fault: network.loss
    selector: { labels: { app: web } }
    params: { percent: "20" }
    duration: 200ms`);
    const timer = setInterval(() => fake.dropWatches(), 250);
    try {
      const { report } = await runExperiment(e, { seed: 1 });
      expect(report.verdict, report.reason).toBe('passed');
    } finally {
      clearInterval(timer);
    }
    const watches = fake.requests.filter((r) => r.query.includes('watch=true') && r.path.endsWith('/networkchaos'));
    expect(watches.length).toBeGreaterThan(2);
    expect(fake.list('networkchaos')).toEqual([]);
  });

  it('a stop condition on a k8s probe aborts the run and deletes the object', async () => {
    await startFake();
    const e = experiment(`
${READY_PROBE}
guards:
  stopWhen:
    - { probe: ready-web, consecutiveFailures: 2 }
method:
  - fault: network.partition
    selector: { labels: { app: web } }
    duration: 20s`);
    setTimeout(() => fake.setPodReady('shop', 'web-1', false), 800);
    const { report } = await runExperiment(e, { seed: 1 });
    expect(report.verdict).toBe('aborted');
    expect(report.reason).toMatch(/stop condition tripped: ready-web/);
    expect(fake.list('networkchaos')).toEqual([]);
    expect(openEntries()).toEqual([]);
  });

  it('the halt switch pauses the chaos (pause annotation), deletes it, and ends the run aborted', async () => {
    await startFake();
    const e = experiment(`
method:
  - fault: time.skew
    selector: { labels: { app: web } }
    params: { timeOffset: -1h }
    duration: 30s`);
    const control = openControlDb();
    const started = Date.now();
    const timer = setInterval(() => {
      if (fake.list('timechaos')[0]?.status) {
        clearInterval(timer);
        halt(control, 'game day over');
      }
    }, 50);
    const { report } = await runExperiment(e, { seed: 1, control });
    clearInterval(timer);
    control.close();
    expect(report.verdict).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(10_000);
    const patch = writes().find((r) => r.method === 'PATCH');
    expect((patch?.body as KObject)?.metadata?.annotations).toEqual({ 'experiment.chaos-mesh.org/pause': 'true' });
    expect(fake.list('timechaos')).toEqual([]);
  });
});

describe('engine litmus', () => {
  it('creates a ChaosEngine for the selected pods, follows its ChaosResult, stops it and deletes it', async () => {
    await startFake();
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog', 'litmus-admin');
    const e = experiment(`
kubernetes: { engine: litmus, serviceAccount: litmus-admin, env: { CONTAINER_RUNTIME: containerd }, injectTimeout: 5s, recoverTimeout: 5s }
method:
  - fault: stress.cpu
    selector: { labels: { app: web } }
    mode: fixed
    value: 2
    params: { workers: 1, load: 90 }
    duration: 500ms`);
    const { report } = await runExperiment(e, { seed: 2 });
    expect(report.verdict, report.reason).toBe('passed');
    const body = created('chaosengines')[0]?.body as KObject;
    expect(body.spec.chaosServiceAccount).toBe('litmus-admin');
    expect(body.spec.selectors.pods[0].names.split(',')).toHaveLength(2);
    const env = Object.fromEntries(body.spec.experiments[0].spec.components.env.map((v: KObject) => [v.name, v.value]));
    expect(env).toMatchObject({ CPU_CORES: '1', CPU_LOAD: '90', PODS_AFFECTED_PERC: '100', CONTAINER_RUNTIME: 'containerd' });
    expect(Number(env.TOTAL_CHAOS_DURATION)).toBeGreaterThan(1); // over-set: faultline stops it
    const patch = writes().find((r) => r.method === 'PATCH');
    expect((patch?.body as KObject | undefined)?.spec).toEqual({ engineState: 'stop' });
    expect(fake.list('chaosengines')).toEqual([]);
    expect(fake.list('chaosresults')[0]?.status.experimentStatus.verdict).toBe('Stopped');
  });

  it('pod-delete runs one iteration and kills the selected pod', async () => {
    await startFake();
    fake.seedLitmusExperiment('shop', 'pod-delete');
    const e = experiment(`
kubernetes: { engine: litmus }
method:
  - fault: process.kill
    selector: { labels: { app: web } }
    duration: 100ms`);
    const { report } = await runExperiment(e, { seed: 2 });
    expect(report.verdict, report.reason).toBe('passed');
    expect(fake.podDeletions).toHaveLength(1);
    const env = ((created('chaosengines')[0]?.body ?? {}) as KObject).spec.experiments[0].spec.components.env as KObject[];
    const value = (n: string) => env.find((v) => v.name === n)?.value;
    expect(value('CHAOS_INTERVAL')).toBe(value('TOTAL_CHAOS_DURATION'));
    expect(value('FORCE')).toBe('true');
  });
});

describe('engine native', () => {
  it('deletes the chosen pods through the API with the grace period asked', async () => {
    await startFake();
    const e = experiment(`
kubernetes: { engine: native }
method:
  - fault: process.kill
    selector: { labels: { app: web } }
    kubernetes: { gracePeriod: 10s, minHealthy: 2 }
    duration: 100ms`);
    const { report } = await runExperiment(e, { seed: 4 });
    expect(report.verdict, report.reason).toBe('passed');
    expect(fake.podDeletions).toEqual([{ namespace: 'shop', name: expect.stringMatching(/^web-\d$/), gracePeriodSeconds: 10 }]);
    expect(report.faults[0]?.fault).toBe('kubernetes.pod-delete');
    const del = fake.requests.find((r) => r.method === 'DELETE');
    expect((del?.body as KObject | undefined)?.preconditions?.uid).toBeTruthy(); // never a replacement pod of the same name
  });

  it('refuses before any harm when minHealthy (policy or step) would be broken', async () => {
    await startFake();
    const e = experiment(
      `
kubernetes: { engine: native }
method:
  - fault: process.kill
    selector: { labels: { app: web } }
    mode: fixed
    value: 2`,
      `  policy:
    minHealthy:
      - { name: web, selector: { labels: { app: web } }, min: 2 }`,
    );
    const { report } = await runExperiment(e, { seed: 4 });
    expect(report.verdict).toBe('aborted');
    expect(report.reason).toMatch(
      /policy minHealthy web: Deployment shop\/web has 3 of 3 replicas ready; taking down web-\d, web-\d would leave 1, fewer than 2/,
    );
    expect(fake.podDeletions).toEqual([]);
  });

  it('checks minHealthy again right before each delete', async () => {
    await startFake();
    const e = experiment(`
kubernetes: { engine: native }
method:
  - pause: 3s
  - fault: process.kill
    selector: { labels: { app: web } }
    kubernetes: { minHealthy: 2 }`);
    setTimeout(() => {
      fake.setPodReady('shop', 'web-0', false);
      fake.setPodReady('shop', 'web-1', false);
    }, 1500); // during the pause, after the plan (and its guards) of a loaded machine
    const { report } = await runExperiment(e, { seed: 4 });
    expect(report.verdict, report.reason).toBe('error');
    expect(report.reason).toMatch(
      /refusing to delete pod shop\/web-\d: Deployment shop\/web has 1 ready replica\(s\) now; deleting it would leave [01], fewer than 2/,
    );
    expect(fake.podDeletions).toEqual([]);
  });
});

describe('bad input is refused before anything is created', () => {
  const nothingCreated = () =>
    expect(fake.requests.filter((r) => r.method === 'POST' && !r.path.includes('selfsubjectaccessreviews'))).toEqual([]);

  it.each([
    [
      'the engine CRDs are not installed',
      () => fake.setInstalled('chaos-mesh', false),
      '',
      /Chaos Mesh is not installed in the cluster at http:\/\/127\.0\.0\.1:\d+: the API server does not serve networkchaos\.chaos-mesh\.org\/v1alpha1; install Chaos Mesh \(helm repo add chaos-mesh/,
    ],
    [
      'Litmus is not installed',
      () => fake.setInstalled('litmus', false),
      'kubernetes: { engine: litmus }',
      /LitmusChaos is not installed .*helm install litmus-core/,
    ],
    [
      'the Litmus ChaosExperiment is missing',
      () => {},
      'kubernetes: { engine: litmus }',
      /the Litmus ChaosExperiment pod-network-latency is not installed in namespace shop; install it from ChaosHub/,
    ],
    [
      'RBAC forbids the create',
      () => fake.forbid('create', 'networkchaos', 'shop'),
      '',
      /RBAC forbids faultline to create networkchaos\.chaos-mesh\.org in namespace shop \(checked with a SelfSubjectAccessReview before creating anything\); grant "create" on "networkchaos"/,
    ],
    [
      'RBAC forbids the delete a revert needs',
      () => fake.forbid('delete', 'networkchaos'),
      '',
      /RBAC forbids faultline to delete networkchaos\.chaos-mesh\.org in namespace shop/,
    ],
    [
      'RBAC forbids listing pods',
      () => fake.forbid('list', 'pods', 'shop'),
      '',
      /RBAC forbids faultline to list pods in namespace shop \(403 Forbidden/,
    ],
    [
      "Chaos Mesh's controller has no available replica",
      () => fake.controllerUnavailable('chaos-mesh'),
      '',
      /Chaos Mesh's chaos-controller-manager \(Deployment chaos-mesh\/chaos-controller-manager\) has no available replica \(0 of 1\), so nothing would inject the fault/,
    ],
    [
      "Litmus's chaos-operator is not in the namespace the settings name",
      () => {},
      'kubernetes: { engine: litmus, litmusNamespace: litmus-system }',
      /Litmus's chaos-operator is not running in namespace litmus-system \(no Deployment there runs it\), so nothing would inject the fault; install .* or set spec\.kubernetes\.litmusNamespace/,
    ],
    [
      'the engine cannot do the fault',
      () => {},
      'kubernetes: { engine: native }',
      /network\.latency cannot run on engine native .*; use engine chaos-mesh \(NetworkChaos delay\)/,
    ],
  ])('%s', async (_name, arrange, kubernetes, message) => {
    await startFake();
    arrange();
    const e = experiment(`
${kubernetes}
method:
  - fault: network.latency
    selector: { labels: { app: web } }
    params: { latency: 100ms }
    duration: 1s`);
    const { report } = await runExperiment(e, { seed: 1 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(message);
    nothingCreated();
  });

  it('a namespace outside the policy allowlist', async () => {
    await startFake();
    const e = experiment(
      `
method:
  - fault: network.latency
    selector: { namespaces: [prod], labelSelectors: { app: web } }
    params: { latency: 100ms }`,
      `  policy:
    namespaces: { allow: [shop, staging] }`,
    );
    const { report } = await runExperiment(e, { seed: 1 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/namespace prod is not in policy namespaces\.allow \(shop, staging\); nothing was created/);
    nothingCreated();
  });

  it('a selector that matches no pod (protected pods are never chosen)', async () => {
    await startFake();
    fake.seedPod({ namespace: 'shop', name: 'db-0', labels: { app: 'db', 'faultline.dev/protected': 'true' } });
    const e = experiment(`
method:
  - fault: network.latency
    selector: { labels: { app: db } }
    params: { latency: 100ms }`);
    const { report } = await runExperiment(e, { seed: 1 });
    expect(report.reason).toMatch(/selector labels app=db in namespace shop matches no pod/);
    nothingCreated();
  });

  it('no kubeconfig, an unknown context, an unreachable API server', async () => {
    await startFake();
    const spec = (extra: string) => `
${extra}
method:
  - fault: network.latency
    selector: { labels: { app: web } }
    params: { latency: 100ms }`;
    const emptyHome = tempDir('faultline-nohome-');
    delete process.env.KUBECONFIG;
    process.env.HOME = emptyHome;
    let { report } = await runExperiment(experiment(spec('')), { seed: 1 });
    expect(report.reason).toMatch(/no kubeconfig found: set KUBECONFIG, create ~\/\.kube\/config/);

    process.env.KUBECONFIG = fake.writeKubeconfig(dir, { namespace: 'shop' });
    ({ report } = await runExperiment(experiment(spec('kubernetes: { context: staging }')), { seed: 1 }));
    expect(report.reason).toMatch(/kubeconfig context "staging" does not exist; known contexts: fake/);

    mkdirSync(join(dir, 'dead'), { recursive: true });
    process.env.KUBECONFIG = fake.writeKubeconfig(join(dir, 'dead'), { server: 'http://127.0.0.1:9' });
    ({ report } = await runExperiment(experiment(spec('')), { seed: 1 }));
    expect(report.reason).toMatch(
      /cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:9 .*ECONNREFUSED.*; check that the cluster is up/,
    );
  });
});

describe('API errors during a run leave nothing behind', () => {
  const spec = (extra = '') => `
kubernetes: { injectTimeout: 1s, recoverTimeout: 1s }
method:
  - fault: network.latency
    selector: { labels: { app: web } }
    params: { latency: 100ms }
    duration: 300ms
    ${extra}`;

  it('an admission webhook denial', async () => {
    await startFake();
    fake.denyAdmission('NetworkChaos', 'the target pods run with hostNetwork');
    const { report } = await runExperiment(experiment(spec()), { seed: 1 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(
      /create networkchaos\.chaos-mesh\.org fl-k8s-test-.* was denied by an admission webhook: admission webhook "vnetworkchaos\.kb\.io" denied the request: the target pods run with hostNetwork/,
    );
    expect(fake.list('networkchaos')).toEqual([]);
    expect(openEntries()).toEqual([]);
  });

  it('409 AlreadyExists on create', async () => {
    await startFake();
    fake.failNext({
      method: 'POST',
      pathIncludes: '/networkchaos',
      status: 409,
      reason: 'AlreadyExists',
      message: 'networkchaos.chaos-mesh.org "x" already exists',
    });
    const { report } = await runExperiment(experiment(spec()), { seed: 1 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/conflict \(409 AlreadyExists\)/);
    expect(openEntries()).toEqual([]);
  });

  it('an engine that fails to inject: the failure is reported and the object deleted', async () => {
    await startFake();
    fake.failInjection('NetworkChaos', 'chaos-daemon is not privileged');
    const { report } = await runExperiment(experiment(spec()), { seed: 1 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(
      /was not injected within 1s: Selected True, AllInjected False.*last failure: shop\/web-\d: Apply failed: chaos-daemon is not privileged/,
    );
    expect(fake.list('networkchaos')).toEqual([]);
    expect(openEntries()).toEqual([]);
  });

  it('an object deleted by someone else during the step (404 on revert is success)', async () => {
    await startFake();
    const timer = setInterval(async () => {
      const object = fake.list('networkchaos')[0];
      if (!object?.status) return;
      clearInterval(timer);
      await fetch(`${fake.url}/apis/chaos-mesh.org/v1alpha1/namespaces/shop/networkchaos/${object.metadata.name}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${fake.token}` },
      });
    }, 20);
    const { report } = await runExperiment(experiment(spec().replace('300ms', '1500ms')), { seed: 1 });
    clearInterval(timer);
    expect(report.verdict, report.reason).toBe('passed');
    expect(openEntries()).toEqual([]);
  });

  it('a controller that never lets go: the revert fails without touching the finalizer; recover finishes later', async () => {
    await startFake();
    fake.keepFinalizer('NetworkChaos');
    const { report } = await runExperiment(experiment(spec()), { seed: 1 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(
      /NetworkChaos shop\/fl-k8s-test-.* is still there 1s after its deletion was asked .*finalizers chaos-mesh\/records.*faultline never removes an engine's finalizer by force/,
    );
    const [left] = fake.list('networkchaos');
    expect(left?.metadata.finalizers).toEqual(['chaos-mesh/records']); // untouched
    expect(fake.requests.some((r) => r.method === 'PUT' || (r.method === 'PATCH' && JSON.stringify(r.body).includes('finalizers')))).toBe(
      false,
    );
    expect(openEntries().map((o) => o.status)).toEqual(['revert-failed']);

    fake.keepFinalizer('NetworkChaos', false);
    const journal = new Journal();
    const outcomes = await recoverJournal(journal, { includeLiveRuns: true }); // this test process wrote the entry
    journal.close();
    expect(outcomes.map((o) => o.action)).toEqual(['reverted']);
    expect(fake.list('networkchaos')).toEqual([]);
  });
});
