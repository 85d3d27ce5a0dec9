/**
 * The run lifecycle against real processes and servers on loopback: verdicts and exit codes, stop
 * conditions, guards, start/end-of-test probes, rollbacks, selection, interrupts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { freePort, killStarted, portOpen, processState, startPythonHttpServer, startSleeper, waitFor } from './support/processes.js';

afterEach(() => killStarted());

async function runAndReport(file: string, extra: string[] = [], home = tempHome()) {
  const reports = tempDir('faultline-reports-');
  const result = await runCli(['run', file, '--report-dir', reports, ...extra], { home });
  const json = readdirSync(reports).find((f) => f.endsWith('.json'));
  const report = json ? (JSON.parse(readFileSync(join(reports, json), 'utf8')) as RunReport) : undefined;
  return { ...result, report, home };
}

async function httpServer(): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  const server = startPythonHttpServer(port, tempDir());
  await waitFor(() => portOpen(port), 10_000, 'the http server');
  return { port, pid: server.pid as number };
}

const at = (iso: string | null | undefined) => Date.parse(iso as string);

describe('a hypothesis that holds', () => {
  it('passes with exit 0, and the paused process is resumed', async () => {
    const server = await httpServer();
    const worker = startSleeper('lifecycle-pass');
    const file = writeExperiment(
      'pause-unrelated-worker',
      `
hypothesis: Pausing a worker does not affect the web server.
targets:
  - { name: worker, process: { pid: ${worker.pid} } }
probes:
  - name: web
    type: http
    http: { url: "http://127.0.0.1:${server.port}/" }
    expect: { status: 200, latencyMs: { lt: 1000 } }
    interval: 100ms
steadyState:
  probes: [ web ]
  tolerance: { availability: { gte: 0.99 }, latencyP95Ms: { lt: 1000 } }
method:
  - fault: process.pause
    selector: { names: [ worker ] }
    duration: 1s
`,
    );
    const { code, report, stdout } = await runAndReport(file);
    expect(code).toBe(0);
    expect(stdout).toMatch(/PASSED pause-unrelated-worker/);
    expect(report?.verdict).toBe('passed');
    const fault = report?.faults[0];
    const held = at(fault?.revertedAt) - at(fault?.injectedAt);
    expect(held).toBeGreaterThanOrEqual(1000);
    expect(held).toBeLessThan(1500);
    expect(processState(worker.pid as number)).not.toBe('T');
    expect(report?.measurements.availability).toBe(1);
    expect(report?.measurements.mttdMs).toBeNull();
    // nothing failed, so there was nothing to recover from: MTTR is not applicable, not 0ms
    expect(report?.measurements.mttrMs).toBeNull();
    expect(report?.measurements.mttrReason).toMatch(/^not applicable/);
    expect(stdout).toMatch(/MTTR not applicable/);
    expect(report?.measurements.samplesByPhase.during).toBeGreaterThanOrEqual(8);
    expect(report?.tolerances.map((t) => t.name)).toEqual(['availability', 'latencyP95Ms']);
  });
});

describe('a stop condition', () => {
  it('reverts every fault within one probe interval of the sample that trips it, and ends aborted (exit 2)', async () => {
    const server = await httpServer();
    const file = writeExperiment(
      'pause-the-web-server',
      `
hypothesis: The web server survives being paused for a minute.
targets:
  - { name: web, process: { pid: ${server.pid} } }
probes:
  - name: web
    type: http
    http: { url: "http://127.0.0.1:${server.port}/", timeout: 100ms }
    interval: 100ms
steadyState:
  probes: [ web ]
method:
  - fault: process.pause
    selector: { names: [ web ] }
    duration: 60s
guards:
  stopWhen:
    - { probe: web, consecutiveFailures: 3 }
`,
    );
    const started = Date.now();
    const { code, report } = await runAndReport(file);
    expect(code).toBe(2);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report?.verdict).toBe('aborted');
    expect(report?.reason).toMatch(/stop condition tripped: web 3 consecutive failures/);
    const trip = report?.timeline.find((e) => e.event === 'stop-condition');
    const reverted = report?.timeline.find((e) => e.event === 'reverted');
    expect(trip).toBeDefined();
    expect(at(reverted?.t) - at(trip?.t)).toBeLessThanOrEqual(100);
    expect(processState(server.pid)).not.toBe('T');
    // the server recovered once resumed, and the run measured it
    expect(report?.measurements.mttrMs).not.toBeNull();
  });

  it('trips on a failure rate over a window', async () => {
    const server = await httpServer();
    const file = writeExperiment(
      'failure-rate-trip',
      `
hypothesis: Pausing the server is harmless.
targets:
  - { name: web, process: { pid: ${server.pid} } }
probes:
  - { name: web, type: http, http: { url: "http://127.0.0.1:${server.port}/", timeout: 100ms }, interval: 100ms }
steadyState: { probes: [ web ] }
method:
  - { fault: process.pause, selector: { names: [ web ] }, duration: 60s }
guards:
  stopWhen:
    - { probe: web, failureRate: { gte: 0.5 }, window: 1s, minSamples: 4 }
`,
    );
    const { code, report } = await runAndReport(file);
    expect(code).toBe(2);
    expect(report?.reason).toMatch(/failureRate >= 0.5/);
    expect(processState(server.pid)).not.toBe('T');
  });
});

describe('guards and start/end-of-test probes', () => {
  it('a failed guard aborts before any harm (exit 2), and rollbacks still run', async () => {
    const worker = startSleeper('guard');
    const closed = await freePort();
    const marker = join(tempDir(), 'rolled-back');
    const file = writeExperiment(
      'guarded',
      `
hypothesis: n/a
targets: [ { name: worker, process: { pid: ${worker.pid} } } ]
probes:
  - { name: dependency-up, type: tcp, tcp: { address: "127.0.0.1:${closed}" }, mode: SOT }
method:
  - { fault: process.kill, selector: { names: [ worker ] } }
guards: { before: [ dependency-up ] }
rollbacks:
  - cmd: [ touch, ${marker} ]
`,
    );
    const { code, report } = await runAndReport(file);
    expect(code).toBe(2);
    expect(report?.verdict).toBe('aborted');
    expect(report?.reason).toMatch(/guard probe dependency-up refused before any fault: connect ECONNREFUSED/);
    expect(report?.faults).toEqual([]);
    expect(processState(worker.pid as number)).toBeDefined();
    expect(existsSync(marker)).toBe(true);
  });

  it('a failing end-of-test probe fails the run (exit 1)', async () => {
    const worker = startSleeper('eot');
    const file = writeExperiment(
      'eot-fails',
      `
hypothesis: The worker is still there after the kill.
targets: [ { name: worker, process: { match: "--tag=eot$" } } ]
probes:
  - name: worker-alive
    type: cmd
    cmd: { command: [ kill, "-0", "${worker.pid}" ] }
    mode: EOT
method:
  - { fault: process.kill, selector: { names: [ worker ] } }
`,
    );
    const { code, report } = await runAndReport(file);
    expect(code).toBe(1);
    expect(report?.reason).toMatch(/end-of-test probe failed: worker-alive: exit code 1, expected == 0/);
    expect(report?.faults[0]?.target).toBe(`worker (pid ${worker.pid})`);
  });

  it('a probe with stopOnFailure ends the run failed at its first failure', async () => {
    const server = await httpServer();
    const file = writeExperiment(
      'stop-on-failure',
      `
hypothesis: The server answers while paused.
targets: [ { name: web, process: { pid: ${server.pid} } } ]
probes:
  - { name: web, type: http, http: { url: "http://127.0.0.1:${server.port}/", timeout: 150ms }, interval: 100ms, stopOnFailure: true }
steadyState: { probes: [ web ] }
method:
  - { fault: process.pause, selector: { names: [ web ] }, duration: 30s }
`,
    );
    const started = Date.now();
    const { code, report } = await runAndReport(file);
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(report?.reason).toMatch(/probe web failed \(stopOnFailure\)/);
    expect(processState(server.pid)).not.toBe('T');
  });

  it('stopOnFailure judges what was observed with the fault held, not a sample in flight while it went in or out', async () => {
    const worker = startSleeper('observed-before');
    const state = `awk '{print $3}' /proc/${worker.pid}/stat`;
    // reads the worker's state, then answers a second later: the sample started at the method's start
    // reports the running worker after the pause went in, as a request to a service whose clock is not
    // skewed yet would
    const readFirst = `s=$(${state}); sleep 1; [ "$s" = T ]`;
    // waits, then reads: the sample in flight when the pause is taken out reports the worker running again
    const readLast = `sleep 0.5; [ "$(${state})" = T ]`;
    const file = writeExperiment(
      'observed-before',
      `
hypothesis: The worker is seen paused while the pause holds.
targets: [ { name: worker, process: { pid: ${worker.pid} } } ]
probes:
  - { name: read-first, type: cmd, cmd: { command: [ sh, -c, ${JSON.stringify(readFirst)} ], timeout: 3s }, mode: OnChaos, interval: 100ms, stopOnFailure: true }
  - { name: read-last, type: cmd, cmd: { command: [ sh, -c, ${JSON.stringify(readLast)} ], timeout: 3s }, interval: 100ms, stopOnFailure: true }
  - { name: alive, type: cmd, cmd: { command: [ "true" ] }, interval: 200ms }
# the wait for recovery (5 good samples after the pause) keeps read-last sampling until its last one is in
steadyState: { probes: [ alive ], recoverySamples: 5 }
method:
  - pause: 500ms
  - { fault: process.pause, selector: { names: [ worker ] }, duration: 2500ms }
`,
    );
    const { code, report, stdout } = await runAndReport(file);
    expect(code, stdout).toBe(0);
    expect(report?.verdict).toBe('passed');
    const first = report?.probes.find((p) => p.name === 'read-first');
    expect(first?.failed).toBe(1); // the sample in flight when the pause went in, and no other
    expect(first?.ok).toBeGreaterThan(0);
    const last = report?.probes.find((p) => p.name === 'read-last');
    expect(last?.ok).toBeGreaterThan(0); // while paused
    // the one in flight when the pause was taken out, and the ones after it: none ended the run
    expect(last?.failed).toBeGreaterThan(0);
  });
});

describe('selection', () => {
  it('a selector that matches nothing is an error before any harm (exit 3)', async () => {
    const worker = startSleeper('nothing');
    const file = writeExperiment(
      'matches-nothing',
      `
hypothesis: n/a
targets:
  - { name: worker, process: { pid: ${worker.pid} }, labels: { app: worker } }
  - { name: db, process: { match: "this-matches-no-process-at-all" }, labels: { app: db } }
method:
  - { fault: process.kill, selector: { names: [ worker ] } }
  - { fault: process.kill, selector: { labels: { app: db } } }
`,
    );
    const { code, stdout, stderr, report } = await runAndReport(file);
    expect(code).toBe(3);
    expect(stdout).toMatch(/spec\.method\[1\] \(process\.kill\): selector labels app=db matches no running target/);
    expect(stdout + stderr).not.toMatch(/\n\s+at /);
    expect(report?.faults).toEqual([]);
    expect(processState(worker.pid as number)).toBeDefined();
  });

  it('allowEmpty skips a step whose selector matches nothing', async () => {
    const file = writeExperiment(
      'allow-empty',
      `
hypothesis: n/a
targets: [ { name: db, process: { match: "this-matches-no-process-at-all" } } ]
method:
  - { fault: process.kill, selector: { names: [ db ] }, allowEmpty: true }
`,
    );
    const { code, report } = await runAndReport(file);
    expect(code).toBe(0);
    expect(report?.timeline.some((e) => e.event === 'step-skipped')).toBe(true);
  });

  it('fixed-percent picks ceil(P% of the pool), never a protected target, and a seed replays the choice', async () => {
    const workers = [1, 2, 3, 4].map(() => startSleeper('fleet-member'));
    const guarded = startSleeper('fleet-protected');
    const spec = `
hypothesis: Half the fleet can pause.
targets:
  - { name: fleet, labels: { app: fleet }, process: { match: "--tag=fleet-member$" } }
  - { name: keeper, labels: { app: fleet }, process: { match: "--tag=fleet-protected$" }, protected: true }
method:
  - { fault: process.pause, selector: { labels: { app: fleet } }, mode: fixed-percent, value: "50", duration: 200ms }
`;
    const home = tempHome();
    const first = await runAndReport(writeExperiment('half-the-fleet', spec), ['--seed', '42'], home);
    const second = await runAndReport(writeExperiment('half-the-fleet', spec), ['--seed', '42'], home);
    const hit = (r: typeof first) => r.report?.faults.map((f) => f.target).sort();
    expect(first.code).toBe(0);
    expect(hit(first)).toHaveLength(2);
    expect(hit(second)).toEqual(hit(first));
    expect(first.report?.seed).toBe(42);
    expect(hit(first)?.some((t) => t.includes(String(guarded.pid)))).toBe(false);
    for (const w of workers) expect(processState(w.pid as number)).not.toBe('T');
  });
});

describe('steps', () => {
  it('runs pause and parallel steps in order, and a dry run harms nothing', async () => {
    const a = startSleeper('steps-a');
    const b = startSleeper('steps-b');
    const spec = `
hypothesis: n/a
targets:
  - { name: a, process: { pid: ${a.pid} } }
  - { name: b, process: { pid: ${b.pid} } }
method:
  - pause: 300ms
  - parallel:
      - { fault: process.pause, selector: { names: [ a ] }, duration: 400ms }
      - { fault: process.pause, selector: { names: [ b ] }, duration: 200ms }
guards:
  stopWhen: []
`;
    const dry = await runCli(['run', '--dry-run', writeExperiment('steps', spec)], { home: tempHome() });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`SIGSTOP a \\(pid ${a.pid}\\) for 400ms, then SIGCONT`));
    expect(dry.stdout).toMatch(/no stop condition watches this experiment/);
    expect(processState(a.pid as number)).not.toBe('T');

    const { code, report } = await runAndReport(writeExperiment('steps', spec));
    expect(code).toBe(0);
    const [fa, fb] = report?.faults ?? [];
    expect(at(fa?.injectedAt) - at(report?.startedAt)).toBeGreaterThanOrEqual(300);
    expect(Math.abs(at(fa?.injectedAt) - at(fb?.injectedAt))).toBeLessThan(100);
    expect(at(fb?.revertedAt) - at(fb?.injectedAt)).toBeLessThan(at(fa?.revertedAt) - at(fa?.injectedAt));
  });
});

describe('faultline runs and report', () => {
  it('lists stored runs and renders a stored run in every format', async () => {
    const home = tempHome();
    const file = writeExperiment(
      'stored',
      'hypothesis: n/a\nmethod:\n  - { fault: custom.action, params: { run: [ "true" ], revert: [ "true" ] } }',
    );
    const { report } = await runAndReport(file, [], home);
    const runs = await runCli(['runs'], { home });
    expect(runs.stdout).toContain(report?.runId);
    expect(runs.stdout).toMatch(/stored\s+PASSED/);
    const md = await runCli(['report', report?.runId.slice(0, 17) as string, '--format', 'md'], { home });
    expect(md.stdout).toMatch(/^# Chaos experiment: stored/);
    const junit = await runCli(['report', report?.runId as string, '--format', 'junit'], { home });
    expect(junit.stdout).toMatch(/<testsuites/);
    const json = await runCli(['report', report?.runId as string, '--format', 'json'], { home });
    expect(JSON.parse(json.stdout).runId).toBe(report?.runId);
    const missing = await runCli(['report', 'no-such-run'], { home });
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const badFormat = await runCli(['report', report?.runId as string, '--format', 'pdf'], { home });
    expect(badFormat.code).toBe(3);
    expect(badFormat.stderr).toMatch(/unknown report format "pdf"/);
  });
});
