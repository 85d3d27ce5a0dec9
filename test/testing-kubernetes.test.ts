/**
 * faultline/testing's inject() on Kubernetes, against the fake API server (there is no cluster here):
 * the fault goes through the same backend as a run's (a Chaos Mesh object for the selected pods, followed
 * until injected), is journaled, and is deleted by revert(), by the end of an `await using` block, and by
 * `faultline recover` after the test process and its guardian were SIGKILLed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeChaosSession, inject } from '../src/testing/index.js';
import { ROOT, runCli, tempDir, tempHome } from './support/cli.js';
import { FakeKubeApiServer } from './support/fake-kube-apiserver.js';
import { killRunnerAndGuardian } from './support/guardian.js';
import { openJournalEntries } from './support/journal.js';
import { waitFor } from './support/processes.js';

const home = tempHome();
const saved = { KUBECONFIG: process.env.KUBECONFIG, FAULTLINE_HOME: process.env.FAULTLINE_HOME };
let fake: FakeKubeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  process.env.FAULTLINE_HOME = home;
  fake = await FakeKubeApiServer.start();
  fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 3, labels: { app: 'web' } });
  kubeconfig = fake.writeKubeconfig(tempDir('faultline-inject-k8s-'), { namespace: 'shop' });
  process.env.KUBECONFIG = kubeconfig;
});

afterEach(() => {
  fake.requests.length = 0;
});

afterAll(async () => {
  await closeChaosSession();
  await fake.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const openEntries = (journalHome = home) => openJournalEntries(journalHome);

const slowTwoPods = {
  fault: 'network.latency',
  backend: 'kubernetes' as const,
  kubernetes: { engine: 'chaos-mesh', injectTimeout: '5s', recoverTimeout: '5s' },
  selector: { labels: { app: 'web' } },
  mode: 'fixed' as const,
  value: 2,
  params: { latency: '300ms' },
};

describe('inject() with backend kubernetes', () => {
  it('creates the Chaos Mesh object for the selected pods, journals it, and revert() deletes it', async () => {
    const slow = await inject(slowTwoPods);
    expect(slow.active).toBe(true);
    const [object] = fake.list('networkchaos');
    expect(object?.spec).toMatchObject({ action: 'delay', mode: 'all', delay: { latency: '300ms' } });
    expect(object?.spec.selector.pods.shop).toHaveLength(2);
    expect(object?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'faultline' });
    expect(slow.targets).toEqual([expect.stringMatching(/^NetworkChaos shop\/fl-/)]);
    expect(openEntries().map((e) => e.fault)).toEqual(['kubernetes.object']);
    await slow.revert();
    expect(slow.active).toBe(false);
    expect(fake.list('networkchaos')).toEqual([]);
    expect(openEntries()).toEqual([]);
  });

  it('is deleted at the end of an `await using` block that throws', async () => {
    const body = async () => {
      await using _kill = await inject({ ...slowTwoPods, fault: 'network.partition', params: {} });
      expect(fake.list('networkchaos')).toHaveLength(1);
      throw new Error('the test failed');
    };
    await expect(body()).rejects.toThrow('the test failed');
    expect(fake.list('networkchaos')).toEqual([]);
    expect(openEntries()).toEqual([]);
  });

  it('is deleted by faultline recover after the test process and its guardian are SIGKILLed', async () => {
    const childHome = tempHome();
    const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/testing/hold-fault.mjs'), JSON.stringify(slowTwoPods)], {
      cwd: ROOT,
      env: { ...process.env, FAULTLINE_HOME: childHome, KUBECONFIG: kubeconfig },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const done = new Promise((resolve) => child.on('close', resolve));
    await waitFor(() => out.includes('\n'), 20_000, 'the test process to hold the fault');
    expect(out.trim()).toBe('held');
    await killRunnerAndGuardian({ child, done }, childHome);
    const [left] = fake.list('networkchaos');
    expect(left?.metadata.name).toMatch(/^fl-/); // the fault outlived its process...
    const recovered = await runCli(['recover'], { home: childHome, env: { KUBECONFIG: kubeconfig } });
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/reverted #\d+ kubernetes\.object on NetworkChaos shop\/fl-/);
    expect(fake.list('networkchaos')).toEqual([]); // ...until recover
    expect(openEntries(childHome)).toEqual([]);
  });
});
