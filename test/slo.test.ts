/**
 * SLOs: error budget consumed by a run, burn rate, and the multiwindow burn-rate stop condition, with the
 * formulas of the reference notes (commercial-sre.md 5.1 to 5.3); the stop condition on a real run.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExperiments, parseExperiments, runExperiment, type Sample } from '../src/index.js';
import { burnRateOver, burnRateWindows, evaluateBurnRate, measureSlo, plannedMethodMs, type SloContext } from '../src/measure/slo.js';
import { ROOT } from './support/cli.js';
import { isolatedStores, setGaugeCommand } from './support/monitoring-experiments.js';
import { type Exporter, startExporter, stopMonitoring } from './support/prometheus.js';

const DAY = 86_400_000;

function parse(spec: string) {
  const [experiment] = parseExperiments(
    `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: slo }\nspec:\n${spec}`,
    'slo.yaml',
    {
      project: null,
    },
  );
  return experiment!;
}

const sloSpec = (extra = '') => `  hypothesis: h.
  probes: [ { name: web, type: tcp, tcp: { address: "127.0.0.1:1" }, interval: 1s } ]
  slo: { objective: 0.999, window: 30d, probe: web${extra} }
  method: [ { pause: 1s } ]
`;

function samples(pattern: string, intervalMs: number, start = 0, latencyMs = 5): Sample[] {
  return [...pattern].map((c, i) => ({ probe: 'web', t: start + i * intervalMs, ok: c === '.', latencyMs, phase: 'during', detail: '' }));
}

describe('error budget and burn rate of a run', () => {
  it("a 4-minute outage against 99.9% over 30 days uses 4 / 43.2 = 9.3% of the budget (the notes' example)", () => {
    const experiment = parse(sloSpec());
    // 10 minutes of 1s samples after the injection at t=0, the middle 4 minutes bad
    const run = samples(`${'.'.repeat(180)}${'x'.repeat(240)}${'.'.repeat(180)}`, 1000);
    const slo = measureSlo(experiment, run, 0);
    expect(slo).toMatchObject({ probe: 'web', objective: 0.999, windowMs: 30 * DAY, budgetMs: 2_592_000, samples: 600, badSamples: 240 });
    expect(slo?.downtimeMs).toBe(240_000);
    expect(slo?.errorBudgetConsumed).toBeCloseTo(4 / 43.2, 6);
    expect(slo?.errorBudgetConsumedByEvents).toBeCloseTo(4 / 43.2, 6);
    // error ratio 0.4 over the run: 400 times the sustainable burn
    expect(slo?.burnRate).toBeCloseTo(0.4 / 0.001, 6);
    expect(slo?.sli).toBeCloseTo(0.6, 6);
  });

  it('counts only samples after the first fault; a slow sample stands for the time until the next; maxLatency makes slow samples bad', () => {
    const experiment = parse(sloSpec(', maxLatency: 100ms'));
    const before = samples('xxxx', 1000, -4000);
    // a hung check took 3s: the next sample came 3s later, so that bad sample stands for 3s of downtime
    const during: Sample[] = [
      { probe: 'web', t: 0, ok: true, latencyMs: 5, phase: 'during', detail: '' },
      { probe: 'web', t: 1000, ok: false, latencyMs: 3000, phase: 'during', detail: '' },
      { probe: 'web', t: 4000, ok: true, latencyMs: 250, phase: 'during', detail: '' },
      { probe: 'web', t: 5000, ok: true, latencyMs: 5, phase: 'after', detail: '' },
    ];
    const slo = measureSlo(experiment, [...before, ...during], 0);
    expect(slo).toMatchObject({ samples: 4, badSamples: 2, downtimeMs: 3000 + 1000 });
    // events: 2 bad of 4, at the rate observed (4 samples over 6s of coverage)
    expect(slo?.errorBudgetConsumedByEvents).toBeCloseTo(2 / (0.001 * ((30 * DAY * 4) / 6000)), 6);
    expect(slo?.errorBudgetConsumed).toBeCloseTo(4000 / 2_592_000, 6);
    expect(measureSlo(experiment, before, null)).toMatchObject({ samples: 0, errorBudgetConsumed: null, burnRate: null });
    expect(measureSlo(parse(sloSpec().replace(/ {2}slo: .*\n/, '')), before, 0)).toBeUndefined();
  });
});

describe('burn-rate stop condition', () => {
  const ctx: SloContext = { probe: 'web', objective: 0.999, window: 30 * DAY, intervalMs: 1000, methodMs: 120_000 };

  it("thresholds are consumed * P / longWindow: Google's 14.4, 6 and 1 for a 30-day SLO", () => {
    const hour = 3_600_000;
    expect(burnRateWindows({ consumed: 0.02, longWindow: hour }, ctx)).toEqual({ longMs: hour, shortMs: hour / 12, threshold: 14.4 });
    expect(burnRateWindows({ consumed: 0.05, longWindow: 6 * hour, shortWindow: hour / 2 }, ctx).threshold).toBeCloseTo(6, 9);
    expect(burnRateWindows({ consumed: 0.1, longWindow: 3 * 24 * hour }, ctx).threshold).toBeCloseTo(1, 9);
    // scaled to the run: the long window defaults to the method's length, the short one to 1/12 of it
    expect(burnRateWindows({ consumed: 0.001 }, ctx)).toEqual({
      longMs: 120_000,
      shortMs: 10_000,
      threshold: (0.001 * 30 * DAY) / 120_000,
    });
    expect(burnRateWindows({ consumed: 0.001 }, { ...ctx, methodMs: 0 }).longMs).toBe(12_000);
  });

  it('trips only when both windows burn above the threshold; the part of the long window not yet observed counts as good', () => {
    const spec = { consumed: 0.0001, longWindow: 60_000, shortWindow: 5_000 }; // threshold 0.0001 * 30d / 60s = 4.32
    // 2 bad seconds at the start: BR(60s) = 2/60/0.001 = 33 > 4.32, BR(5s) = 2/5/0.001 = 400: trips
    expect(evaluateBurnRate(spec, samples('xx', 1000), ctx)).toMatch(
      /^burn rate 33\.3 over 1m and 400\.0 over 5s, above 4\.3 \(0\.01% of the 30d error budget\)$/,
    );
    // the burst is over: the short window is clean, so the alert resets at once
    expect(evaluateBurnRate(spec, samples('xx......', 1000), ctx)).toBeNull();
    // a low, steady burn: 1 bad in 60 is BR 16.7 over 60s, but the short window holds no error now
    const steady = samples(`x${'.'.repeat(59)}`, 1000);
    expect(burnRateOver(steady, 60_000, ctx)).toBeCloseTo(1000 / 60, 6);
    expect(evaluateBurnRate(spec, steady, ctx)).toBeNull();
  });

  it('stops a real run once the SLO probe has burnt the allowed share of the budget', async () => {
    const exporter: Exporter = await startExporter({ web_ok: 1 });
    try {
      // 0.05% of a 30-day budget at 99.9% is 1.3s of downtime; over a 10s long window the threshold is 129.6
      const experiment = parse(`  hypothesis: The page keeps working while we break it (it does not; the burn-rate stop ends the run).
  probes:
    - name: page
      type: http
      http: { url: "${exporter.url}/metrics", timeout: 1s }
      expect: { body: { contains: "web_ok 1" } }
      interval: 100ms
  steadyState: { probes: [ page ], tolerance: { availability: { gte: 0.5 } }, recoveryTimeout: 5s }
  slo: { objective: 0.999, window: 30d, probe: page }
  method:
    - fault: custom.action
      params:
        run: ${setGaugeCommand(exporter.url, 'web_ok', 0)}
        revert: ${setGaugeCommand(exporter.url, 'web_ok', 1)}
      duration: 30s
  guards:
    stopWhen: [ { burnRate: { consumed: 0.0005, longWindow: 10s } } ]
`);
      const started = Date.now();
      const { report, exitCode } = await runExperiment(experiment, isolatedStores());
      expect(exitCode).toBe(2);
      expect(report.reason).toMatch(
        /^stop condition tripped: burnRate consuming 0\.05% of the error budget over 10s \(burn rate \d+\.\d over 10s and \d+\.\d over 833ms, above 129\.6/,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      const slo = report.measurements.slo;
      // it tripped once about 1.3s of downtime was spent: the run used about 0.05% of the budget, not the 30s fault's 1.2%
      expect(slo?.errorBudgetConsumed).toBeGreaterThan(0.0004);
      expect(slo?.errorBudgetConsumed).toBeLessThan(0.002);
      expect(slo?.burnRate).toBeGreaterThan(100);
    } finally {
      await stopMonitoring();
    }
  });
});

describe('validation', () => {
  it('needs spec.slo for burnRate, a known Continuous probe, and an objective below 1', () => {
    expect(() =>
      parse(`  hypothesis: h.
  probes: [ { name: web, type: tcp, tcp: { address: "127.0.0.1:1" } } ]
  method: [ { pause: 1s } ]
  guards: { stopWhen: [ { burnRate: { consumed: 0.02 } } ] }
`),
    ).toThrow(/spec\.guards\.stopWhen\[0\]\.burnRate: a burnRate stop condition needs spec\.slo: \{ objective, window, probe \}/);
    expect(() => parse(sloSpec().replace('probe: web', 'probe: wbe'))).toThrow(
      /slo\.yaml:7:\d+: spec\.slo\.probe: no probe named "wbe" \(did you mean "web"\?\)/,
    );
    expect(() => parse(sloSpec().replace('interval: 1s', 'mode: SOT'))).toThrow(/the SLI is measured on a Continuous or OnChaos probe/);
    expect(() => parse(sloSpec().replace('0.999', '99.9'))).toThrow(/spec\.slo\.objective/);
    expect(parse(sloSpec().replace(', window: 30d', '')).slo?.window).toBe(30 * DAY);
  });

  it('the examples of examples/observability/ are valid, with their SLO and burn-rate condition', () => {
    const dir = join(ROOT, 'examples/observability');
    const experiments = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => loadExperiments(join(dir, f), { project: null }));
    expect(experiments.map((e) => e.name).sort()).toEqual(['checkout-error-budget', 'ledger-keeps-acknowledged-writes']);
    const budget = experiments.find((e) => e.name === 'checkout-error-budget');
    expect(budget?.slo).toEqual({ objective: 0.999, window: 30 * DAY, probe: 'checkout', maxLatency: 800 });
    expect(budget?.guards.stopWhen[0]?.burnRate).toEqual({ consumed: 0.0005, longWindow: 10_000 });
  });

  it('the planned method length counts steps in order and parallel steps by the longest', () => {
    const experiment = parse(`  hypothesis: h.
  method:
    - pause: 2s
    - parallel:
        - { fault: custom.action, params: { run: [ "true" ], revert: [ "true" ] }, duration: 5s }
        - { fault: custom.action, params: { run: [ "true" ], revert: [ "true" ] }, duration: 3s }
    - { fault: custom.action, params: { run: [ "true" ], revert: [ "true" ] }, duration: 1s }
`);
    expect(plannedMethodMs(experiment.method)).toBe(8000);
  });
});

afterAll(() => stopMonitoring());
