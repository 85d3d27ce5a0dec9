/**
 * The proxy examples of examples/experiments/more/ against the real demo system (supervisor, gateway,
 * providers), run through the CLI: the verdicts are the ones their annotations expect.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { ROOT, runCli, tempDir, tempHome } from './support/cli.js';
import { freePort, portOpen, waitFor } from './support/processes.js';

const MORE = join(ROOT, 'examples', 'experiments', 'more');
let supervisor: ChildProcess;
let env: Record<string, string>;

beforeAll(async () => {
  const [gateway, a, b, tenant, proxyA] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  env = {
    DEMO_STATE_DIR: tempDir('faultline-demo-state-'),
    DEMO_GATEWAY_PORT: String(gateway),
    DEMO_PROVIDER_A_PORT: String(a),
    DEMO_PROVIDER_B_PORT: String(b),
    DEMO_TENANT_PORT: String(tenant),
    DEMO_PROVIDER_A_PROXY_PORT: String(proxyA),
    DEMO_RESTART_DELAY_MS: '500',
    DEMO_SIGNING_KEY: 'demo-signing-key',
  };
  supervisor = spawn(process.execPath, [join(ROOT, 'examples', 'demo', 'supervisor.mjs')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  supervisor.stdout?.on('data', (d) => (out += d));
  await waitFor(() => out.includes('ready'), 20_000, 'the demo system');
});

afterAll(async () => {
  supervisor.kill('SIGTERM');
  await new Promise((r) => supervisor.once('exit', r));
});

async function runExample(file: string): Promise<{ code: number | null; report: RunReport; expected: string }> {
  const dir = tempDir();
  const result = await runCli(['run', join(MORE, file), '--report-dir', dir], { home: tempHome(), env });
  const json = readdirSync(dir).find((f) => f.endsWith('.json')) as string;
  const report = JSON.parse(readFileSync(join(dir, json), 'utf8')) as RunReport;
  const expected = /demo-expected-verdict: (\w+)/.exec(readFileSync(join(MORE, file), 'utf8'))?.[1] as string;
  return { code: result.code, report, expected };
}

describe('proxy examples on the demo system', () => {
  it('provider-latency: the gateway times out the slow provider and serves checkout from B', async () => {
    const { code, report, expected } = await runExample('provider-latency.yaml');
    expect(report.verdict, report.reason).toBe(expected);
    expect(code).toBe(0);
    const byB = report.probes.find((p) => p.name === 'served-by-b-after-timeout');
    expect(byB?.samples).toBeGreaterThan(5);
    expect(byB?.failed).toBeLessThanOrEqual(1); // the first sample may start before the latency reached a request
    expect(report.measurements.latencyMs.during.p50 as number).toBeGreaterThanOrEqual(250);
    expect(await portOpen(Number(env.DEMO_PROVIDER_A_PROXY_PORT))).toBe(false);
  });

  it('provider-503-storm: the gateway absorbs a 50% 503 storm from provider A', async () => {
    const { code, report, expected } = await runExample('provider-503-storm.yaml');
    expect(report.verdict, report.reason).toBe(expected);
    expect(code).toBe(0);
    expect(report.faults[0]?.description).toMatch(/answer 50% of GET \/pay requests with 503/);
  });

  it('tampered-payment-answers: the gateway rejects answers whose signature does not match, and pays through B', async () => {
    const { code, report, expected } = await runExample('tampered-payment-answers.yaml');
    expect(report.verdict, report.reason).toBe(expected);
    expect(code).toBe(0);
    const byB = report.probes.find((p) => p.name === 'paid-by-b');
    expect(byB?.samples).toBeGreaterThan(5);
    expect(byB?.failed).toBeLessThanOrEqual(1);
    expect(report.faults[0]?.description).toMatch(/tamper with downstream http messages \(module .*tamper-payment\.mjs\)/);
  });
});
