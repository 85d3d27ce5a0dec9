/**
 * Backend kubernetes through the real CLI (bin/faultline.js over dist/) against the fake API server:
 * SIGKILL the runner while a Chaos Mesh object exists, and `faultline recover` deletes it from the
 * journal alone (same kubeconfig and context, whatever the environment of the recovering shell); bad
 * input is one line and exit 3, never a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, tempHome } from './support/cli.js';
import { FakeKubeApiServer } from './support/fake-kube-apiserver.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { waitFor } from './support/processes.js';

let fake: FakeKubeApiServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function experimentFile(dir: string, method: string, kubernetes = '{ engine: chaos-mesh }'): string {
  const file = join(dir, 'slow-web.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: slow-web }
spec:
  hypothesis: The shop survives a slow web tier.
  backend: kubernetes
  kubernetes: ${kubernetes}
  method:
${method}
`,
  );
  return file;
}

const LONG_LATENCY = `    - fault: network.latency
      selector: { labels: { app: web } }
      params: { latency: 300ms }
      duration: 10m`;

describe('faultline recover after the runner is SIGKILLed', () => {
  it("the runner's guardian deletes the Chaos Mesh object within a second, with nobody running recover", async () => {
    fake = await FakeKubeApiServer.start();
    fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 2, labels: { app: 'web' } });
    const dir = tempDir('faultline-k8s-crash-');
    const kubeconfig = fake.writeKubeconfig(dir, { namespace: 'shop' });
    const home = tempHome();
    const run = startCli(['run', experimentFile(dir, LONG_LATENCY)], { home, env: { KUBECONFIG: kubeconfig } });
    const server = fake;
    // the first moment the fault exists: the guardian has its revert loaded already
    await waitFor(() => server.list('networkchaos').length === 1, 20_000, 'the run to create the NetworkChaos');
    await expectGuardianReverts(run, home, () => server.list('networkchaos').length === 0, 'the NetworkChaos object');
  });

  it("the runner's guardian stops and deletes the Litmus ChaosEngine within a second, with nobody running recover", async () => {
    fake = await FakeKubeApiServer.start();
    fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 2, labels: { app: 'web' } });
    fake.seedLitmusExperiment('shop', 'pod-cpu-hog', 'litmus-admin');
    const dir = tempDir('faultline-k8s-crash-');
    const kubeconfig = fake.writeKubeconfig(dir, { namespace: 'shop' });
    const home = tempHome();
    const cpuHog = `    - fault: stress.cpu
      selector: { labels: { app: web } }
      params: { workers: 1, load: 90 }
      duration: 10m`;
    const run = startCli(['run', experimentFile(dir, cpuHog, '{ engine: litmus, serviceAccount: litmus-admin }')], {
      home,
      env: { KUBECONFIG: kubeconfig },
    });
    const server = fake;
    await waitFor(
      () => server.list('chaosengines').length === 1, // before the operator takes it up: no engineStatus ever comes
      20_000,
      () => `the run to create the ChaosEngine (${run.output()})`,
    );
    await expectGuardianReverts(run, home, () => server.list('chaosengines').length === 0, 'the ChaosEngine');
  });

  it('deletes the Chaos Mesh object the dead run left, from the journal alone', async () => {
    fake = await FakeKubeApiServer.start();
    fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 2, labels: { app: 'web' } });
    const dir = tempDir('faultline-k8s-crash-');
    const kubeconfig = fake.writeKubeconfig(dir, { namespace: 'shop' });
    const home = tempHome();
    const run = startCli(['run', experimentFile(dir, LONG_LATENCY)], { home, env: { KUBECONFIG: kubeconfig } });
    const server = fake;
    await waitFor(
      () =>
        server
          .list('networkchaos')[0]
          ?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'AllInjected' && c.status === 'True') === true,
      20_000,
      'the run to create the NetworkChaos and the engine to inject it',
    );
    await killRunnerAndGuardian(run, home);
    const [left] = fake.list('networkchaos');
    expect(left?.metadata.name).toMatch(/^fl-slow-web-network-latency-[0-9a-f]{5}$/); // the fault outlived its runner...
    const deletesBefore = fake.requests.filter((r) => r.method === 'DELETE').length;
    expect(deletesBefore).toBe(0);

    // ...until recover, run from a shell with no KUBECONFIG and no ~/.kube: the journal names the cluster
    const recovered = await runCli(['recover'], { home, env: { KUBECONFIG: '', HOME: tempDir('faultline-empty-home-') } });
    expect(recovered.stderr).toBe('');
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(
      /reverted #\d+ kubernetes\.object on NetworkChaos shop\/fl-slow-web-network-latency-[0-9a-f]{5} \(run /,
    );
    expect(fake.list('networkchaos')).toEqual([]);
    const writes = fake.requests
      .filter((r) => r.method === 'PATCH' || r.method === 'DELETE')
      .map((r) => `${r.method} ${r.path.split('/').pop()}`);
    expect(writes).toEqual([`PATCH ${left?.metadata.name}`, `DELETE ${left?.metadata.name}`]);

    const again = await runCli(['recover'], { home, env: { KUBECONFIG: kubeconfig } });
    expect(again.stdout).toMatch(/nothing to recover/);
  });

  it('the next run deletes it before doing anything else', async () => {
    fake = await FakeKubeApiServer.start();
    fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 2, labels: { app: 'web' } });
    const dir = tempDir('faultline-k8s-crash-');
    const kubeconfig = fake.writeKubeconfig(dir, { namespace: 'shop' });
    const home = tempHome();
    const first = startCli(['run', experimentFile(dir, LONG_LATENCY)], { home, env: { KUBECONFIG: kubeconfig } });
    const server = fake;
    await waitFor(() => server.list('networkchaos')[0]?.status !== undefined, 20_000, 'the first run to inject');
    await killRunnerAndGuardian(first, home);
    const leftName = fake.list('networkchaos')[0]?.metadata.name;

    const second = await runCli(
      [
        'run',
        experimentFile(
          dir,
          `    - fault: stress.cpu
      selector: { labels: { app: web } }
      duration: 200ms`,
        ),
      ],
      { home, env: { KUBECONFIG: kubeconfig } },
    );
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(fake.list('networkchaos')).toEqual([]);
    const order = fake.requests
      .filter((r) => r.method === 'DELETE' || r.method === 'POST')
      .map((r) => `${r.method} ${r.path.split('/').pop()}`);
    expect(order.filter((o) => !o.endsWith('selfsubjectaccessreviews'))).toEqual([
      'POST networkchaos',
      `DELETE ${leftName}`,
      'POST stresschaos',
      expect.stringMatching(/^DELETE fl-slow-web-stress-cpu-/),
    ]);
  });
});

describe('bad input on the command line', () => {
  it('no kubeconfig: one line naming the fix, exit 3', async () => {
    const dir = tempDir('faultline-k8s-cli-');
    const result = await runCli(['run', experimentFile(dir, LONG_LATENCY)], {
      home: tempHome(),
      env: { KUBECONFIG: '', HOME: tempDir('faultline-empty-home-'), KUBERNETES_SERVICE_HOST: '' },
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/ERROR slow-web/);
    expect(result.stdout).toMatch(/no kubeconfig found: set KUBECONFIG, create ~\/\.kube\/config/);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('validate checks the Kubernetes fields with positions', async () => {
    const dir = tempDir('faultline-k8s-cli-');
    const file = experimentFile(
      dir,
      `    - fault: network.latency
      selector: { namespaces: [Shop], podPhaseSelectors: [Runing] }
      params: { latency: 300ms }
      kubernetes: { direction: sideways }`,
      '{ engine: chaos-monkey }',
    );
    const result = await runCli(['validate', file], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/slow-web\.yaml:\d+:\d+: spec\.kubernetes\.engine: /);
    expect(result.stderr).toMatch(/slow-web\.yaml:\d+:\d+: spec\.method\[0\]\.selector\.namespaces\[0\]: expected a namespace name/);
    expect(result.stderr).toMatch(/podPhaseSelectors\[0\]/);
    expect(result.stderr).toMatch(/spec\.method\[0\]\.kubernetes\.direction/);
  });

  it('a Kubernetes selector on backend local is an error that says so', async () => {
    const dir = tempDir('faultline-k8s-cli-');
    const file = join(dir, 'local.yaml');
    writeFileSync(
      file,
      `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: local-with-namespaces }
spec:
  hypothesis: x
  targets: [ { name: web, labels: { app: web }, process: { match: nothing-matches-this } } ]
  method:
    - fault: process.kill
      selector: { namespaces: [shop], labels: { app: web } }
`,
    );
    const result = await runCli(['validate', file], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /local\.yaml:\d+:\d+: spec\.method\[0\]\.selector\.namespaces: namespaces selects pods: it needs backend: kubernetes/,
    );
  });
});
