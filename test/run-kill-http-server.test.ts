/**
 * Done-when of the core issue: an experiment kills a real HTTP server (python3 -m http.server) while
 * a Continuous http probe watches it; the run ends `failed` (exit 1) with a JSON report whose
 * measured MTTD is within one probe interval of the kill.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { freePort, isGone, killStarted, portOpen, startPythonHttpServer, startSlowPythonHttpServer, waitFor } from './support/processes.js';

const INTERVAL_MS = 200;

/** Runs an experiment that kills the server `pid` while a Continuous http probe watches `port`. */
async function runKillExperiment(
  dir: string,
  pid: number,
  port: number,
): Promise<{ code: number | null; stdout: string; report: RunReport }> {
  const file = join(dir, 'kill-web.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: kill-web-server }
spec:
  hypothesis: The web server keeps answering when its process is killed.
  targets:
    - name: web
      process: { pid: ${pid} }
  probes:
    - name: home
      type: http
      http: { url: "http://127.0.0.1:${port}/", timeout: 1s }
      interval: ${INTERVAL_MS}ms
  steadyState:
    probes: [ home ]
    tolerance: { availability: { gte: 0.99 } }
    recoveryTimeout: 1s
  method:
    - fault: process.kill
      selector: { names: [ web ] }
      duration: 2s
`,
  );
  const result = await runCli(['run', file, '--report-dir', join(dir, 'reports')], { home: tempHome() });
  const jsonFile = readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.json')) as string;
  const report = JSON.parse(readFileSync(join(dir, 'reports', jsonFile), 'utf8'));
  return { code: result.code, stdout: result.stdout, report };
}

describe('killing a real HTTP server', () => {
  let report: RunReport;
  let code: number | null;
  let stdout: string;
  let serverPid: number;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir();
    const port = await freePort();
    const server = startPythonHttpServer(port, dir);
    serverPid = server.pid as number;
    await waitFor(() => portOpen(port), 10_000, 'python http.server to listen');
    ({ code, stdout, report } = await runKillExperiment(dir, serverPid, port));
  });

  afterAll(() => killStarted());

  it('ends failed with exit code 1', () => {
    expect(code).toBe(1);
    expect(report.verdict).toBe('failed');
    expect(report.reason).toMatch(/availability/);
    expect(stdout).toMatch(/FAILED kill-web-server/);
  });

  it('really killed the server', () => {
    expect(isGone(serverPid)).toBe(true);
    expect(report.faults).toHaveLength(1);
    expect(report.faults[0]).toMatchObject({ fault: 'process.kill', target: `web (pid ${serverPid})`, error: null });
  });

  it('measures MTTD within one probe interval of the kill', () => {
    expect(report.measurements.mttdMs).not.toBeNull();
    // The first sample that starts after the kill fails: it starts at most one interval later.
    expect(report.measurements.mttdMs as number).toBeGreaterThanOrEqual(0);
    expect(report.measurements.mttdMs as number).toBeLessThanOrEqual(INTERVAL_MS + 50);
    expect(report.measurements.probeIntervalMs).toBe(INTERVAL_MS);
  });

  it('reports no recovery, since nothing restarts the server', () => {
    expect(report.measurements.mttrMs).toBeNull();
    expect(report.measurements.availabilityByPhase.before).toBe(1);
    expect(report.measurements.availabilityByPhase.during as number).toBeLessThan(0.5);
  });

  it('writes a JSON report with the public keys', () => {
    for (const key of [
      'schemaVersion',
      'runId',
      'experiment',
      'hypothesis',
      'verdict',
      'reason',
      'startedAt',
      'endedAt',
      'seed',
      'targets',
      'faults',
      'probes',
      'measurements',
      'timeline',
    ]) {
      expect(report).toHaveProperty(key);
    }
    expect(report.experiment.file).toMatch(/kill-web\.yaml$/);
    expect(report.measurements.latencyMs.before.n).toBeGreaterThan(0);
    expect(report.probes[0]).toMatchObject({ name: 'home', mode: 'Continuous' });
    expect(report.probes[0]?.failed).toBeGreaterThan(0);
  });
});

describe('killing a server while a probe request is in flight', () => {
  afterAll(() => killStarted());

  it('counts the request cut short by the kill in the chaos window, not in the baseline', async () => {
    const dir = tempDir();
    const port = await freePort();
    // each answer takes 300ms and the probe asks every 200ms: a request is in flight when the kill lands
    const server = startSlowPythonHttpServer(port, 300);
    await waitFor(() => portOpen(port), 10_000, 'the slow server to listen');
    const { report } = await runKillExperiment(dir, server.pid as number, port);
    expect(report.faults[0]).toMatchObject({ fault: 'process.kill', error: null });
    expect(report.measurements.samplesByPhase.before).toBeGreaterThan(0);
    // the baseline holds only what the server did untouched: every one of those answers came
    expect(report.measurements.availabilityByPhase.before).toBe(1);
    expect(report.measurements.availabilityByPhase.during as number).toBeLessThan(0.5);
  });
});
