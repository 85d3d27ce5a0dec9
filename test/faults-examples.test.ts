/**
 * The resource, clock and file examples (examples/experiments/more/) run against the demo system, with the
 * tenant API under `faultline wrap` (DEMO_CLOCK_WRAP), and pass; nothing they started is left running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProcesses } from '../src/util/processes.js';
import { BIN, ROOT, runCli, tempHome } from './support/cli.js';
import { freePort, isGone, waitFor } from './support/processes.js';

const MORE = join(ROOT, 'examples', 'experiments', 'more');

describe('examples/experiments/more against the demo system', () => {
  let supervisor: ChildProcess | undefined;
  let stateDir = '';
  let env: Record<string, string> = {};
  let log = '';
  const home = tempHome();

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'faultline-examples-'));
    const [gateway, a, b, tenant] = [await freePort(), await freePort(), await freePort(), await freePort()];
    env = {
      DEMO_STATE_DIR: stateDir,
      DEMO_GATEWAY_PORT: String(gateway),
      DEMO_PROVIDER_A_PORT: String(a),
      DEMO_PROVIDER_B_PORT: String(b),
      DEMO_TENANT_PORT: String(tenant),
      DEMO_CLOCK_WRAP: BIN,
    };
    const child = spawn(process.execPath, [join(ROOT, 'examples', 'demo', 'supervisor.mjs')], {
      env: { ...process.env, ...env, FAULTLINE_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervisor = child;
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-5000)));
    await waitFor(() => out.includes('ready'), 20_000, 'the demo system to be ready');
  }, 30_000);

  afterAll(async () => {
    if (supervisor && supervisor.exitCode === null) {
      supervisor.kill('SIGTERM');
      await new Promise((resolve) => supervisor?.once('exit', resolve));
    }
    await waitFor(
      () => listProcesses().every((p) => !p.command.includes(stateDir) && !p.command.includes(`--port=${env.DEMO_TENANT_PORT}`)),
      5000,
      'the demo to stop',
    ).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }, 15_000);

  const run = async (file: string) => {
    const result = await runCli(['run', join(MORE, file)], { home, env });
    return { ...result, output: `${result.stdout}${result.stderr}\n--- demo log ---\n${log}` };
  };

  /** The samples a probe took in the run just finished (from its JSON report): not a vacuous pass. */
  const probeSummary = async (stdout: string, probe: string) => {
    const runId = / run (\S+)/.exec(stdout)?.[1] as string;
    const report = await runCli(['report', runId, '--format', 'json'], { home });
    return (JSON.parse(report.stdout) as { probes: { name: string; samples: number; failed: number }[] }).probes.find(
      (p) => p.name === probe,
    );
  };

  it('runs the tenant API under faultline wrap (its pid file names the wrapper)', () => {
    const pid = Number(readFileSync(join(stateDir, 'tenant-api.pid'), 'utf8'));
    const wrapper = listProcesses().find((p) => p.pid === pid);
    expect(wrapper?.command).toBe('faultline-wrap');
    expect(listProcesses().some((p) => p.ppid === pid && p.command.includes('tenant-api.mjs'))).toBe(true);
  });

  it('cpu-stress-provider: checkout stays fast beside a CPU hog', async () => {
    const result = await run('cpu-stress-provider.yaml');
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/PASSED checkout-stays-fast-under-provider-cpu-stress/);
  });

  it('memory-hog-provider: provider A survives 256Mi more in its cgroup', async () => {
    const result = await run('memory-hog-provider.yaml');
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/PASSED provider-survives-memory-near-its-limit/);
  });

  it('clock-skew-sessions: sessions are rejected an hour ahead, and accepted again after the revert', async () => {
    const result = await run('clock-skew-sessions.yaml');
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/PASSED tenant-api-rejects-sessions-an-hour-ahead/);
    const rejected = await probeSummary(result.stdout, 'expired-session-rejected');
    expect(rejected?.samples).toBeGreaterThanOrEqual(3);
    // a sample in flight while the clock was moved, and one while it was put back, may see it unmoved:
    // counted, never judged (docs/probes-and-measurements.md); the others all saw the session rejected
    expect(rejected?.failed).toBeLessThanOrEqual(2);
    expect((rejected?.samples ?? 0) - (rejected?.failed ?? 0)).toBeGreaterThanOrEqual(3);
  });

  it('corrupt-provider-data: provider A rejects the corrupted file, and the bytes come back', async () => {
    const file = join(stateDir, 'provider-a-data.json');
    const before = readFileSync(file);
    const result = await run('corrupt-provider-data.yaml');
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/PASSED provider-rejects-corrupted-data-file/);
    const detected = await probeSummary(result.stdout, 'corruption-detected');
    expect(detected?.samples).toBeGreaterThanOrEqual(3);
    expect(detected?.failed).toBe(0);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(log).toMatch(/data file .* rejected/);
  });

  it('left no stress worker behind', () => {
    expect(listProcesses().filter((p) => p.command.includes('faultline-stress-worker') && !isGone(p.pid))).toEqual([]);
  });
});
