/**
 * The engines' contract: how Chaos Mesh and LitmusChaos really report and bound a fault, each behaviour
 * stated with the engine source it comes from, played by the fake API server
 * (test/support/fake-kube-apiserver.ts) and met by backend kubernetes. No cluster runs here: when one
 * does, deploy/kubernetes/check-cluster.sh runs the same steps on it (docs/kubernetes.md).
 *
 * Sources: chaos-mesh/chaos-mesh at 608b61e7, litmuschaos/litmus-go at 1b3603fc.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { runExperiment } from '../src/engine/run.js';
import { renderHtml, renderMarkdown } from '../src/report/index.js';
import { parseExperiments } from '../src/spec/load.js';
import { runCli, startCli, tempDir, tempHome } from './support/cli.js';
import { FakeKubeApiServer, type FakeKubeOptions, type KObject } from './support/fake-kube-apiserver.js';
import { killRunnerAndGuardian } from './support/guardian.js';
import { waitFor } from './support/processes.js';

let fake: FakeKubeApiServer;
let dir: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, FAULTLINE_HOME: process.env.FAULTLINE_HOME };

async function startFake(options: FakeKubeOptions = {}): Promise<FakeKubeApiServer> {
  fake = await FakeKubeApiServer.start(options);
  fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 3, labels: { app: 'web' } });
  process.env.KUBECONFIG = fake.writeKubeconfig(dir, { namespace: 'shop' });
  return fake;
}

beforeEach(() => {
  dir = tempDir('faultline-engines-');
  process.env.FAULTLINE_HOME = tempHome();
});

afterEach(async () => {
  await fake?.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function experimentText(kubernetes: string, method: string): string {
  return `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: engines }
spec:
  hypothesis: the shop survives
  backend: kubernetes
  kubernetes: ${kubernetes}
  method:
${method}
`;
}

function experiment(kubernetes: string, method: string) {
  const file = join(dir, 'experiment.yaml');
  writeFileSync(file, experimentText(kubernetes, method));
  const [e] = parseExperiments(readFileSync(file, 'utf8'), file, {});
  if (!e) throw new Error('no experiment');
  return e;
}

const CPU = `    - fault: stress.cpu
      selector: { labels: { app: web } }
      mode: fixed
      value: 2
      params: { workers: 1, load: 50 }
      duration: 800ms`;

/** Snapshots of every ChaosResult, taken while a run goes on (bounded by the run). */
function watchResults(): { stop(): KObject[] } {
  const seen: KObject[] = [];
  const timer = setInterval(() => {
    for (const r of fake.list('chaosresults')) seen.push(structuredClone(r));
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return seen;
    },
  };
}

describe('LitmusChaos (litmus-go pkg/result/chaosresult.go)', () => {
  it('injection is seen from the pod/NAME annotations while history.targets stays empty until the experiment ends', async () => {
    await startFake();
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog');
    const e = experiment('{ engine: litmus, injectTimeout: 3s, recoverTimeout: 5s }', CPU);
    const watch = watchResults();
    const { report } = await runExperiment(e, { seed: 3 });
    const seen = watch.stop();
    expect(report.verdict, report.reason).toBe('passed');
    // InitializeChaosResult: Running, Awaited, no targets; the helpers' annotations while it runs
    const running = seen.filter((r) => r.status.experimentStatus.phase === 'Running');
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((r) => r.status.history.targets.length === 0)).toBe(true);
    const annotated = running.find((r) => Object.keys(r.metadata.annotations ?? {}).length === 2);
    expect(Object.values(annotated?.metadata.annotations ?? {})).toEqual(['injected', 'injected']);
    // engineState stop: GetChaosStatus folds the annotations into history.targets and removes them
    const [final] = fake.list('chaosresults');
    expect(final?.status.experimentStatus).toMatchObject({ phase: 'Stopped', verdict: 'Stopped' });
    expect(final?.metadata.annotations ?? {}).toEqual({});
    expect(final?.status.history.targets.map((t: KObject) => t.chaosStatus)).toEqual(['reverted', 'reverted']);
    // litmus-go's own verdict is kept in the report beside faultline's: stopped by the revert, no Litmus probe
    expect(report.faults[0]?.engine).toEqual({
      engine: 'litmus',
      result: `shop/${final?.metadata.name}`,
      phase: 'Stopped',
      verdict: 'Stopped',
      probeSuccessPercentage: 0,
      probes: [],
    });
    const line = `Litmus ChaosResult shop/${final?.metadata.name}: Stopped, verdict Stopped, probe success 0%`;
    expect(renderMarkdown(report)).toContain(line);
    expect(renderHtml(report)).toContain(line);
  });

  it('TOTAL_CHAOS_DURATION is the dead-man bound: step + inject timeout + margin, so an engine left alone ends the fault itself', async () => {
    await startFake({ litmusSecondMs: 100 });
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog');
    const e = experiment('{ engine: litmus, injectTimeout: 2s, deadManMargin: 3s }', CPU);
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict, report.reason).toBe('passed');
    const body = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/chaosengines'))?.body as KObject;
    const env = Object.fromEntries(body.spec.experiments[0].spec.components.env.map((v: KObject) => [v.name, v.value]));
    expect(env.TOTAL_CHAOS_DURATION).toBe(String(Math.ceil(0.8 + 2 + 3))); // seconds, whole (the CRD takes strings)
    // the engine ended the experiment by itself before the revert: its Pass is what the report keeps
    expect(report.faults[0]?.engine).toMatchObject({ phase: 'Completed', verdict: 'Pass', probeSuccessPercentage: 100 });
  });

  it('pod-delete reports its targets only at the end: the kill is seen by the pod going away, in time', async () => {
    await startFake({ litmusSecondMs: 1000 });
    fake.seedLitmusExperiment('shop', 'pod-delete');
    // CHAOS_INTERVAL = TOTAL_CHAOS_DURATION = 2s + 30s: waiting for Completed would take 32s
    const e = experiment(
      '{ engine: litmus, injectTimeout: 2s }',
      `    - fault: process.kill
      selector: { labels: { app: web } }`,
    );
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict, report.reason).toBe('passed');
    expect(fake.podDeletions).toHaveLength(1);
    const [result] = fake.list('chaosresults');
    // seen injected, then stopped, long before the experiment would have completed by itself
    expect(result?.status.experimentStatus.phase).toBe('Stopped');
    expect(result?.status.history.targets).toEqual([{ name: fake.podDeletions[0]?.name, kind: 'pod', chaosStatus: 'targeted' }]);
  });

  it('RAMP_TIME is added to the inject timeout (litmus-go sleeps it before any chaos)', async () => {
    await startFake({ litmusAnnotateDelayMs: 1500 });
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog');
    const e = experiment('{ engine: litmus, injectTimeout: 1s, env: { RAMP_TIME: "1" } }', CPU);
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict, report.reason).toBe('passed');
  });

  it("an experiment that errs ends the step with litmus-go's errorOutput (reason and errorCode)", async () => {
    await startFake();
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog');
    fake.failInjection('ChaosEngine', 'helper pod failed: CrashLoopBackOff');
    const e = experiment('{ engine: litmus, injectTimeout: 3s, recoverTimeout: 3s }', CPU);
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/phase Error, verdict Error\): helper pod failed: CrashLoopBackOff \(CHAOS_INJECT_ERROR\)/);
    expect(report.faults[0]?.engine).toMatchObject({ phase: 'Error', verdict: 'Error', reason: 'helper pod failed: CrashLoopBackOff' });
    expect(fake.list('chaosengines')).toEqual([]);
  });
});

describe('preflight refuses before any harm, naming what is missing', () => {
  const posts = () => fake.requests.filter((r) => r.method === 'POST' && !r.path.includes('selfsubjectaccessreviews'));

  it('the Litmus chaos service account (chaos-operator could not start the runner: only a timeout would tell)', async () => {
    await startFake();
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog', null);
    const e = experiment('{ engine: litmus }', CPU);
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/the Litmus chaos service account pod-cpu-hog-sa does not exist in namespace shop; create it/);
    expect(posts()).toEqual([]);
  });

  it('a permission the run will use (SelfSubjectAccessReview), here watching ChaosResults', async () => {
    await startFake();
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog');
    fake.forbid('watch', 'chaosresults', 'shop');
    const e = experiment('{ engine: litmus }', CPU);
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/RBAC forbids faultline to watch chaosresults\.litmuschaos\.io in namespace shop/);
    expect(posts()).toEqual([]);
  });

  it("Chaos Mesh's auth webhook: create on the chaos kind in every namespace the object touches", async () => {
    await startFake();
    fake.seedPod({ namespace: 'billing', name: 'ledger-0', labels: { app: 'ledger' } });
    fake.forbid('create', 'stresschaos', 'billing');
    const e = experiment(
      '{ engine: chaos-mesh }',
      `    - fault: stress.cpu
      selector: { namespaces: [billing], labels: { app: ledger } }
      duration: 500ms`,
    );
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/RBAC forbids faultline to create stresschaos\.chaos-mesh\.org in namespace billing/);
    expect(posts()).toEqual([]);
  });

  it("DNSChaos without Chaos Mesh's DNS server (controllers/chaosimpl/dnschaos/types.go reads its Service)", async () => {
    await startFake();
    const e = experiment(
      '{ engine: chaos-mesh }',
      `    - fault: dns.error
      selector: { labels: { app: web } }
      duration: 500ms`,
    );
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(
      /DNSChaos needs Chaos Mesh's DNS server, and there is no Service chaos-mesh-dns-server in namespace chaos-mesh/,
    );
    expect(posts()).toEqual([]);
    fake.seedNamespace('chaos-mesh');
    fake.seedObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'chaos-mesh-dns-server', namespace: 'chaos-mesh' } });
    const again = await runExperiment(e, { seed: 3 });
    expect(again.report.verdict, again.report.reason).toBe('passed');
  });
});

describe('Chaos Mesh (controllers/common, api/v1alpha1/*_webhook.go)', () => {
  it('a controller that is down when the object is created and restarts mid-injection: the step waits and goes on', async () => {
    await startFake();
    fake.controllerDown('chaos-mesh');
    const e = experiment('{ engine: chaos-mesh, injectTimeout: 4s, recoverTimeout: 4s }', CPU);
    const back = setTimeout(() => fake.controllerUp('chaos-mesh'), 700);
    const { report } = await runExperiment(e, { seed: 3 });
    clearTimeout(back);
    expect(report.verdict, report.reason).toBe('passed');
    expect(fake.list('stresschaos')).toEqual([]);
  });

  it('a controller that stays down: "not injected" with the conditions seen, and the object deleted', async () => {
    await startFake();
    fake.controllerDown('chaos-mesh');
    const e = experiment('{ engine: chaos-mesh, injectTimeout: 1s, recoverTimeout: 2s }', CPU);
    const { report } = await runExperiment(e, { seed: 3 });
    expect(report.verdict).toBe('error');
    expect(report.reason).toMatch(/StressChaos shop\/\S+ was not injected within 1s: Selected unknown, AllInjected unknown/);
    expect(fake.list('stresschaos')).toEqual([]);
  });

  it('rates are written in the units chaos-daemon reads (1024-based bytes, 1000-based bits); fractions are refused before creation', async () => {
    await startFake();
    const bandwidth = (rate: string) =>
      experiment(
        '{ engine: chaos-mesh, injectTimeout: 3s }',
        `    - fault: network.bandwidth
      selector: { labels: { app: web } }
      params: { rate: ${rate} }
      duration: 300ms`,
      );
    const { report } = await runExperiment(bandwidth('1mbps'), { seed: 3 });
    expect(report.verdict, report.reason).toBe('passed');
    const body = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/networkchaos'))?.body as KObject;
    // faultline's 1mbps is 1,000,000 bytes/s; Chaos Mesh's 1mbps would be 1,048,576
    expect(body.spec.bandwidth.rate).toBe('1000000bps');
    const refused = await runExperiment(bandwidth('0.0001kbit'), { seed: 3 });
    expect(refused.report.verdict).toBe('error');
    expect(refused.report.reason).toMatch(
      /spec\.method\[0\].*params\.rate "0\.0000125 KB\/s" cannot be expressed: expected a whole number/,
    );
  });
});

describe('the dead-man switch after a SIGKILL (controllers/common/desiredphase/controller.go)', () => {
  it('the object carries spec.duration, and the engine recovers the fault by itself at that time; recover then deletes it', async () => {
    fake = await FakeKubeApiServer.start();
    fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 2, labels: { app: 'web' } });
    const kubeconfig = fake.writeKubeconfig(dir, { namespace: 'shop' });
    const home = tempHome();
    const file = join(dir, 'long.yaml');
    writeFileSync(
      file,
      experimentText(
        '{ engine: chaos-mesh, injectTimeout: 1s, deadManMargin: 1s }',
        `    - fault: network.latency
      selector: { labels: { app: web } }
      params: { latency: 300ms }
      duration: 1s`,
      ),
    );
    const run = startCli(['run', file], { home, env: { KUBECONFIG: kubeconfig } });
    const server = fake;
    const injected = (o: KObject | undefined) =>
      o?.status?.conditions?.some((c: KObject) => c.type === 'AllInjected' && c.status === 'True') === true;
    await waitFor(() => injected(server.list('networkchaos')[0]), 20_000, 'the run to create the NetworkChaos and the engine to inject it');
    // faultline and its guardian both gone (the Job's pod evicted): only the engine's own bound is left
    await killRunnerAndGuardian(run, home);
    const [left] = fake.list('networkchaos');
    expect(left?.spec.duration).toBe('3s'); // step 1s + inject timeout 1s + margin 1s
    // nobody deletes it: the engine's own clock ends the fault
    await waitFor(
      () =>
        server.list('networkchaos')[0]?.status?.conditions?.some((c: KObject) => c.type === 'AllRecovered' && c.status === 'True') === true,
      10_000,
      'Chaos Mesh to recover the fault at its duration',
    );
    const recovered = fake.list('networkchaos')[0];
    expect(recovered?.status.experiment.desiredPhase).toBe('Stop');
    expect(recovered?.status.experiment.containerRecords.every((r: KObject) => r.phase === 'Not Injected')).toBe(true);
    expect(Date.parse(new Date().toISOString()) - Date.parse(recovered?.metadata.creationTimestamp)).toBeGreaterThanOrEqual(3000);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    // the object itself stays (Chaos Mesh keeps a finished chaos) until recover deletes it
    const done = await runCli(['recover'], { home, env: { KUBECONFIG: kubeconfig } });
    expect(done.code, done.stderr).toBe(0);
    expect(fake.list('networkchaos')).toEqual([]);
  });
});
