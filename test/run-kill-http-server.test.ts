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
import { freePort, isGone, killStarted, portOpen, startPythonHttpServer, waitFor } from './support/processes.js';

const INTERVAL_MS = 200;

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
      process: { pid: ${serverPid} }
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
    code = result.code;
    stdout = result.stdout;
    const jsonFile = readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.json')) as string;
    report = JSON.parse(readFileSync(join(dir, 'reports', jsonFile), 'utf8'));
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
