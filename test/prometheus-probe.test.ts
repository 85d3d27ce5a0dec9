/**
 * The prometheus probe against a real Prometheus (Debian's package) scraping a real exporter started by
 * the test: steady state, guards and stop conditions; a down Prometheus, a query that errors and an
 * empty result fail the sample with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRun } from '../src/engine/dry-run.js';
import { parseExperiments, runExperiment } from '../src/index.js';
import { isolatedStores, setGaugeCommand } from './support/monitoring-experiments.js';
import { freePort, waitFor } from './support/processes.js';
import { type Daemon, type Exporter, queryPrometheus, startExporter, startPrometheus, stopMonitoring } from './support/prometheus.js';

let prometheus: Daemon;
let exporter: Exporter;

beforeAll(async () => {
  exporter = await startExporter({ demo_up: 1, demo_errors: 0 });
  prometheus = await startPrometheus({ scrape: [exporter.address] });
  await waitFor(async () => (await queryPrometheus(prometheus.url, 'demo_up')).length === 1, 20_000, 'the first scrape');
});

afterAll(() => stopMonitoring());

function experiment(name: string, spec: string) {
  const [parsed] = parseExperiments(
    `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n${spec}`,
    `${name}.yaml`,
    {
      project: null,
    },
  );
  return parsed!;
}

describe('prometheus probe', () => {
  it('a guard passes on a healthy query, and the steady state fails while the fault flips the scraped gauge', async () => {
    exporter.set('demo_up', 1);
    const e = experiment(
      'prometheus-steady-state',
      `  hypothesis: demo_up stays 1 while the gauge is flipped (it does not).
  probes:
    - name: up-now
      type: prometheus
      prometheus: { endpoint: "${prometheus.url}", query: "demo_up", timeout: 2s }
      expect: { value: { gte: 1 } }
      mode: SOT
    - name: up
      type: prometheus
      prometheus: { endpoint: "${prometheus.url}", query: "max by (job) (demo_up)" }
      expect: { value: 1 }
      interval: 500ms
  steadyState: { probes: [ up ], recoveryTimeout: 20s }
  guards: { before: [ up-now ] }
  method:
    - fault: custom.action
      params:
        run: ${setGaugeCommand(exporter.url, 'demo_up', 0)}
        revert: ${setGaugeCommand(exporter.url, 'demo_up', 1)}
      duration: 4s
`,
    );
    const { report, samples } = await runExperiment(e, isolatedStores());
    expect(report.timeline.find((t) => t.event === 'guard' && t.detail.startsWith('probe up-now'))?.detail).toMatch(
      /probe up-now: 1 in \d+ms/,
    );
    expect(report.verdict).toBe('failed');
    const failing = samples.filter((s) => s.probe === 'up' && !s.ok);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing[0]?.detail).toBe('{job="test"} 0, expected == 1');
    // Prometheus sees the change at its next scrape (1s): detection within a few seconds of the injection
    expect(report.measurements.mttdMs).toBeGreaterThan(0);
    expect(report.measurements.mttdMs).toBeLessThan(4000);
    expect(report.measurements.mttrMs).not.toBeNull();
    expect(report.probes.find((p) => p.name === 'up')?.type).toBe('prometheus');
  });

  it('a stop condition on a prometheus probe aborts the run when the query no longer holds', async () => {
    exporter.set('demo_errors', 0);
    const e = experiment(
      'prometheus-stop-condition',
      `  hypothesis: errors stay at 0.
  probes:
    - name: errors
      type: prometheus
      prometheus: { endpoint: "${prometheus.url}", query: "demo_errors" }
      expect: { value: { lt: 5 } }
      mode: OnChaos
      interval: 300ms
  method:
    - fault: custom.action
      params:
        run: ${setGaugeCommand(exporter.url, 'demo_errors', 50)}
        revert: ${setGaugeCommand(exporter.url, 'demo_errors', 0)}
      duration: 30s
  guards:
    stopWhen: [ { probe: errors, consecutiveFailures: 2 } ]
`,
    );
    const started = Date.now();
    const { report, exitCode } = await runExperiment(e, isolatedStores());
    expect(exitCode).toBe(2);
    expect(report.reason).toMatch(/stop condition tripped: errors 2 consecutive failures .*demo_errors.* 50, expected < 5/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report.faults[0]?.revertedAt).not.toBeNull();
  });

  it('a guard refuses when Prometheus is down, naming the reason; nothing is injected', async () => {
    const port = await freePort();
    const e = experiment(
      'prometheus-down',
      `  hypothesis: never runs.
  probes:
    - name: budget
      type: prometheus
      prometheus: { endpoint: "http://127.0.0.1:${port}", query: "slo:error_budget_remaining" }
      expect: { value: { gte: 0.1 } }
      mode: SOT
  guards: { before: [ budget ] }
  method:
    - fault: custom.action
      params: { run: [ "true" ], revert: [ "true" ] }
      duration: 1s
`,
    );
    const { report, exitCode } = await runExperiment(e, isolatedStores());
    expect(exitCode).toBe(2);
    expect(report.reason).toContain(
      `guard probe budget refused before any fault: Prometheus http://127.0.0.1:${port} unreachable: ECONNREFUSED`,
    );
    expect(report.faults.every((f) => f.injectedAt === null)).toBe(true);
  });

  it('a query that errors, an empty result and a NaN fail the sample with the reason', async () => {
    const e = experiment(
      'prometheus-bad-queries',
      `  hypothesis: never runs.
  probes:
    - { name: syntax, type: prometheus, prometheus: { endpoint: "${prometheus.url}", query: "sum((demo_up" }, mode: SOT }
    - { name: empty, type: prometheus, prometheus: { endpoint: "${prometheus.url}", query: "no_such_metric" }, mode: SOT }
    - { name: nan, type: prometheus, prometheus: { endpoint: "${prometheus.url}", query: "0/0" }, mode: SOT }
    - { name: range, type: prometheus, prometheus: { endpoint: "${prometheus.url}", query: "demo_up[1m]" }, mode: SOT }
    - { name: scalar, type: prometheus, prometheus: { endpoint: "${prometheus.url}", query: "scalar(demo_up) * 2" }, expect: { value: 2 }, mode: SOT }
  method:
    - fault: custom.action
      params: { run: [ "true" ], revert: [ "true" ] }
      duration: 1s
`,
    );
    // a dry run evaluates every start-of-test probe (a real run stops at the first that fails)
    const { guards } = await dryRun(e, 1, isolatedStores().control);
    const result = (probe: string) => guards.find((g) => g.guard === `start-of-test probe ${probe}`);
    const detail = (probe: string) => result(probe)?.detail;
    expect(detail('syntax')).toMatch(/^query failed \(bad_data\): .*parse error/);
    expect(detail('empty')).toBe('the query returned no series: no_such_metric');
    expect(detail('nan')).toBe('value is NaN');
    expect(detail('range')).toMatch(/returns a matrix; write one that returns an instant vector or a scalar/);
    expect(result('scalar')).toMatchObject({ ok: true });
    expect(guards.filter((g) => !g.ok).map((g) => g.guard)).toEqual(
      ['syntax', 'empty', 'nan', 'range'].map((p) => `start-of-test probe ${p}`),
    );
  });

  it('rejects a probe without endpoint or with a bad URL at load time', () => {
    expect(() =>
      experiment(
        'prometheus-invalid',
        `  hypothesis: invalid.
  probes:
    - { name: p, type: prometheus, prometheus: { endpoint: "localhost:9090", query: "up" } }
  method: [ { pause: 1s } ]
`,
      ),
    ).toThrow(/prometheus\.endpoint: expected the base URL of Prometheus such as http:\/\/127\.0\.0\.1:9090, got "localhost:9090"/);
  });
});
