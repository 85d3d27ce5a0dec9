/**
 * faultline's Prometheus metrics: scraped from `faultline run --metrics-port` by a real Prometheus while
 * the run goes, and pushed to a real Pushgateway at the end (`--pushgateway`).
 */
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultlineMetrics, METRIC_NAMES } from '../src/observe/metrics.js';
import type { RunReport } from '../src/report/types.js';
import { runCli, startCli, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { freePort, waitFor } from './support/processes.js';
import {
  type Daemon,
  type Exporter,
  queryPrometheus,
  startExporter,
  startPrometheus,
  startPushgateway,
  stopMonitoring,
} from './support/prometheus.js';

let exporter: Exporter;
let pushgateway: Daemon;

beforeAll(async () => {
  exporter = await startExporter({ web_up: 1 });
  pushgateway = await startPushgateway();
});
afterAll(() => stopMonitoring());

function experimentFile(name: string, seconds: number): string {
  return writeExperiment(
    name,
    `
hypothesis: The web endpoint keeps answering.
probes:
  - name: web
    type: http
    http: { url: "${exporter.url}/metrics" }
    interval: 200ms
  - name: web-before
    type: tcp
    tcp: { address: "${exporter.address}" }
    mode: SOT
steadyState: { probes: [ web ] }
method:
  - fault: custom.action
    params: { run: [ "true" ], revert: [ "true" ] }
    duration: ${seconds}s
`,
  );
}

async function value(prometheus: Daemon, query: string): Promise<number | undefined> {
  const [first] = await queryPrometheus(prometheus.url, query);
  return first ? Number(first.value[1]) : undefined;
}

describe('metrics', () => {
  it('a real Prometheus scrapes --metrics-port while the run goes and after it; a real Pushgateway gets the push', async () => {
    const metricsPort = await freePort();
    const prometheus = await startPrometheus({ scrape: [`127.0.0.1:${metricsPort}`] });
    const file = experimentFile('metrics-demo', 8); // long enough for a 1s scrape to see it even on a loaded machine
    const run = startCli(
      ['run', file, '--metrics-port', String(metricsPort), '--metrics-linger', '15s', '--pushgateway', pushgateway.url, '--no-progress'],
      { home: tempHome() },
    );
    // while the run goes: one active experiment, samples counted live
    await waitFor(async () => (await value(prometheus, 'faultline_experiments_active')) === 1, 15_000, 'an active run in Prometheus');
    await waitFor(
      async () => ((await value(prometheus, 'faultline_probe_samples_total{probe="web",ok="true"}')) ?? 0) > 0,
      10_000,
      'live samples',
    );
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(result.stderr).toContain(`serving Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`);
    // the CLI waited for the scrape after the run: the final numbers are in Prometheus
    expect(await value(prometheus, 'faultline_experiments_total{experiment="metrics-demo",verdict="passed"}')).toBe(1);
    expect(await value(prometheus, 'faultline_experiments_total{experiment="metrics-demo",verdict="failed"}')).toBe(0);
    expect(await value(prometheus, 'faultline_experiments_active')).toBe(0);
    expect(await value(prometheus, 'faultline_injections_total{fault="custom.action"}')).toBe(1);
    expect(await value(prometheus, 'faultline_experiment_duration_seconds_count{experiment="metrics-demo"}')).toBe(1);
    expect(await value(prometheus, 'faultline_probe_samples_total{probe="web-before",ok="true"}')).toBe(1);
    expect(await value(prometheus, 'faultline_probe_samples_total{probe="web",ok="true"}')).toBeGreaterThan(10);
    expect(await value(prometheus, 'faultline_mttd_seconds_count')).toBeUndefined(); // nothing failed: nothing detected
    expect(await value(prometheus, 'faultline_mttr_seconds_count')).toBeUndefined(); // nor recovered from: MTTR not applicable

    // the push: job faultline, grouped by experiment
    const pushed = await (await fetch(`${pushgateway.url}/metrics`)).text();
    expect(pushed).toContain('faultline_experiments_total{experiment="metrics-demo",instance="",job="faultline",verdict="passed"} 1');
    expect(pushed).toMatch(/faultline_injections_total\{experiment="metrics-demo",fault="custom.action",instance="",job="faultline"\} 1/);
    expect(pushed).toMatch(/push_time_seconds\{experiment="metrics-demo",instance="",job="faultline"\} \d/);
  });

  it('a second push of the same experiment replaces its group; another experiment gets its own', async () => {
    const first = await runCli(['run', experimentFile('push-a', 1), '--pushgateway', pushgateway.url, '--no-progress'], {
      home: tempHome(),
    });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const second = await runCli(['run', experimentFile('push-b', 1), '--pushgateway', `${pushgateway.url}/`, '--no-progress'], {
      home: tempHome(),
    });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const pushed = await (await fetch(`${pushgateway.url}/metrics`)).text();
    expect(pushed).toContain('faultline_experiments_total{experiment="push-a",instance="",job="faultline",verdict="passed"} 1');
    expect(pushed).toContain('faultline_experiments_total{experiment="push-b",instance="",job="faultline",verdict="passed"} 1');
  });

  it('a Pushgateway that is down is reported and does not change the verdict; a bad URL is refused before any run', async () => {
    const port = await freePort();
    const down = await runCli(['run', experimentFile('push-down', 1), '--pushgateway', `http://127.0.0.1:${port}`, '--no-progress'], {
      home: tempHome(),
    });
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(new RegExp(`pushing metrics to the Pushgateway http://127.0.0.1:${port} failed: .*ECONNREFUSED`));
    const bad = await runCli(['run', experimentFile('push-bad', 1), '--pushgateway', 'pushgateway:9091'], { home: tempHome() });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("--pushgateway pushgateway:9091: expected the Pushgateway's URL such as http://127.0.0.1:9091");
    const port2 = await freePort();
    const badPort = await runCli(['run', experimentFile('push-bad', 1), '--metrics-port', `${port2}x`], { home: tempHome() });
    expect(badPort.code).toBe(3);
    expect(badPort.stderr).toContain(`--metrics-port ${port2}x: expected a port such as 9464, or HOST:PORT such as 0.0.0.0:9464`);
  });

  it('keeps its metrics in a registry of its own, with exactly the documented names', async () => {
    const metrics = new FaultlineMetrics();
    const run = metrics.startRun('unit');
    run.listener({ type: 'sample', sample: { probe: 'p', t: 0, ok: false, latencyMs: 1, phase: 'during', detail: '' } });
    run.finish({
      experiment: { name: 'unit', file: null },
      verdict: 'failed',
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:10.000Z',
      faults: [{ step: 's', fault: 'process.kill', target: 't', injectedAt: '2026-01-01T00:00:01.000Z', revertedAt: null, error: null }],
      probes: [{ name: 'p', mode: 'Continuous', type: 'http', samples: 2, ok: 1, failed: 1 }],
      measurements: { mttdMs: 1500, mttdAlertMs: 3000, mttrMs: null },
    } as unknown as RunReport);
    const text = await metrics.text();
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(families.map(([name]) => name).sort()).toEqual([...METRIC_NAMES].sort());
    expect(text).toContain('faultline_mttd_seconds_count{experiment="unit",detector="probe"} 1');
    expect(text).toContain('faultline_mttd_seconds_count{experiment="unit",detector="alert"} 1');
    expect(text).toContain('faultline_probe_samples_total{probe="p",ok="false"} 1');
    expect(text).toContain('faultline_probe_samples_total{probe="p",ok="true"} 1');
    expect(text).toContain('faultline_experiment_duration_seconds_sum{experiment="unit"} 10');
    expect(await register.metrics()).not.toContain('faultline_');
  });
});
