/**
 * Transparent interception (`endpoint: { upstream, transparent: true }`): the real CLI runs INSIDE a
 * test namespace (`ip netns exec`), so its nftables redirect lives there and never in the host's own
 * namespace; clients in that namespace reach the proxy without any change. SIGKILL, then `faultline
 * recover` (run from the host's namespace: the journal names the namespace) removes the table; SIGKILL of
 * the runner alone, and its guardian removes it within a second.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nftTables } from '../src/kernel/commands.js';
import { createTestHosts, type TestHosts } from '../src/kernel/netns.js';
import { BIN, type CliResult, ROOT, runCli, tempDir, tempHome } from './support/cli.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { waitFor } from './support/processes.js';

const canRun = process.platform === 'linux' && process.getuid?.() === 0;
let hosts: TestHosts | undefined;

afterEach(async () => {
  await hosts?.destroy();
  hosts = undefined;
});

function experiment(name: string, upstream = '127.0.0.1:7001'): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  hypothesis: Clients reach the service through the proxy without any change.
  targets:
    - name: svc
      endpoint: { upstream: "${upstream}", transparent: true }
  method:
    - fault: network.latency
      selector: { names: [ svc ] }
      params: { latency: 1ms }
      duration: 10m
`,
  );
  chmodSync(file, 0o644);
  return file;
}

/** `faultline run FILE` inside the host's namespace. */
function runInside(h: TestHosts, host: string, file: string, home: string): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn('ip', ['netns', 'exec', h.netns(host), process.execPath, BIN, 'run', file], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', FAULTLINE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const tables = async (h: TestHosts) => (await nftTables(h.netns('app'))).filter((t) => t.name.startsWith('faultline'));

describe.skipIf(!canRun)('transparent interception', () => {
  it('redirects clients into the proxy, exempts the proxy itself, and removes the redirect at the end', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['app'] }));
    await h.startTcpServer('app', 7001);
    expect(await h.tcpGreeting('app', '127.0.0.1', 7001)).toBe('from 127.0.0.1'); // direct
    const run = runInside(h, 'app', experiment('transparent-live'), tempHome());
    await waitFor(async () => (await tables(h)).length === 1, 15_000, 'the redirect');
    // the same client, unchanged, now reaches the upstream through the proxy (its source address 127.0.0.2)
    await waitFor(async () => (await h.tcpGreeting('app', '127.0.0.1', 7001)) === 'from 127.0.0.2', 10_000, 'the proxy to answer');
    run.child.kill('SIGINT');
    expect((await run.done).code).toBe(130);
    expect(await tables(h)).toEqual([]);
    expect(await h.tcpGreeting('app', '127.0.0.1', 7001)).toBe('from 127.0.0.1');
  });

  it('after SIGKILL of the runner alone, its guardian removes the redirect within a second, with nobody running recover', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['app'] }));
    await h.startTcpServer('app', 7001);
    const home = tempHome();
    const run = runInside(h, 'app', experiment('transparent-guardian'), home);
    await waitFor(async () => (await h.tcpGreeting('app', '127.0.0.1', 7001)) === 'from 127.0.0.2', 15_000, 'the interception');
    // reverted: no redirect left, and the same client reaches the service directly again (no ECONNREFUSED)
    const reverted = async () => (await tables(h)).length === 0 && (await h.tcpGreeting('app', '127.0.0.1', 7001)) === 'from 127.0.0.1';
    await expectGuardianReverts(run, home, reverted, 'the redirect of the killed runner');
  });

  it('after SIGKILL, faultline recover removes the redirect and clients reach the service again', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['app'] }));
    await h.startTcpServer('app', 7001);
    const home = tempHome();
    const run = runInside(h, 'app', experiment('transparent-crash'), home);
    await waitFor(async () => (await h.tcpGreeting('app', '127.0.0.1', 7001)) === 'from 127.0.0.2', 15_000, 'the interception');
    await killRunnerAndGuardian(run, home); // a lost host: runner and guardian gone (alone, the guardian removes it)
    expect(await tables(h)).toHaveLength(1); // the redirect outlived its runner: clients are sent to a dead proxy
    expect(await h.tcpCheck('app', '127.0.0.1', 7001)).toBe('refused');
    const recovered = await runCli(['recover'], { home }); // from the host's namespace: the journal names the namespace
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(/reverted #\d+ network\.intercept on svc/);
    expect(await tables(h)).toEqual([]);
    expect(await h.tcpGreeting('app', '127.0.0.1', 7001)).toBe('from 127.0.0.1');
  });

  it('refuses, with one clear line and nothing changed, when not root or the upstream is not loopback', async () => {
    const home = tempDir('faultline-nobody-home-');
    chmodSync(home, 0o777);
    const notRoot = await runCli(['run', experiment('transparent-nobody')], { home, uid: 65534 });
    expect(notRoot.code).toBe(3);
    expect(notRoot.stdout + notRoot.stderr).toMatch(/transparent interception needs root .*run faultline as root/);
    const h = (hosts = await createTestHosts({ hosts: ['app'] }));
    const remote = runInside(h, 'app', experiment('transparent-remote', '10.9.9.9:80'), tempHome());
    const result = await remote.done;
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).toMatch(/endpoint.upstream must be an IPv4 loopback address/);
    expect(await tables(h)).toEqual([]);
  });
});
