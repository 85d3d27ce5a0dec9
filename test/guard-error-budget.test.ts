/**
 * The `errorBudget` guard against a real Prometheus (Debian's) scraping a real exporter whose gauges the test
 * sets: a budget left passes, a spent one (or one within the reserve) refuses, the error-ratio form with an
 * objective is judged the same way, a Prometheus that cannot answer refuses unless told to warn, and a run
 * whose budget is spent ends aborted before any harm (the process it would pause is never paused).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGuardType, type GuardType, type GuardVerdict } from '../src/guards/index.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { freePort, killStarted, processState, startSleeper, waitFor } from './support/processes.js';
import { type Exporter, queryPrometheus, startExporter, startPrometheus, stopMonitoring } from './support/prometheus.js';

const guard = findGuardType('errorBudget') as GuardType;
let exporter: Exporter;
let prometheusUrl = '';

function check(config: Record<string, unknown>): Promise<GuardVerdict> {
  return guard.check(guard.config.parse(config), { now: new Date(), env: {}, dryRun: false, signal: new AbortController().signal });
}

/** Sets a gauge and waits until Prometheus has scraped that value. */
async function setGauge(name: string, value: number): Promise<void> {
  exporter.set(name, value);
  await waitFor(
    async () => (await queryPrometheus(prometheusUrl, name))[0]?.value[1] === String(value),
    15_000,
    `Prometheus to scrape ${name} = ${value}`,
  );
}

beforeAll(async () => {
  exporter = await startExporter({ slo_error_budget_remaining: 0.4, slo_error_ratio: 0.0005 });
  prometheusUrl = (await startPrometheus({ scrape: [exporter.address] })).url;
  await setGauge('slo_error_budget_remaining', 0.4);
}, 60_000);

afterAll(async () => {
  await stopMonitoring();
  killStarted();
});

describe('the errorBudget guard', () => {
  it('passes while budget is left, refuses when it is spent or within the reserve', async () => {
    const config = { prometheus: { url: prometheusUrl }, query: 'slo_error_budget_remaining' };
    expect(await check(config)).toEqual({ ok: true, detail: 'error budget left: 40%' });
    expect(await check({ ...config, minRemaining: 0.5 })).toEqual({
      ok: false,
      detail: 'the error budget is at or below the 50% kept in reserve: 40% left; no chaos until it recovers',
    });
    await setGauge('slo_error_budget_remaining', 0);
    expect(await check(config)).toEqual({ ok: false, detail: 'the error budget is spent: 0% left; no chaos until it recovers' });
    await setGauge('slo_error_budget_remaining', 0.4);
  });

  it('with an objective, reads the query as the error ratio over the SLO window', async () => {
    const config = { prometheus: { url: prometheusUrl }, query: 'slo_error_ratio', objective: 0.999 };
    // 0.05% errors of a 0.1% budget: half of it is left
    expect(await check(config)).toEqual({ ok: true, detail: 'error budget left: 50%' });
    await setGauge('slo_error_ratio', 0.002); // twice the budget
    expect(await check(config)).toEqual({
      ok: false,
      detail: 'the error budget is spent: 0% left (overspent by 100%); no chaos until it recovers',
    });
    await setGauge('slo_error_ratio', 0.0005);
  });

  it('refuses when Prometheus cannot answer, unless told to warn; a query without series cannot be judged', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await check({ prometheus: { url: closed, timeout: '1s' }, query: 'slo_error_budget_remaining' });
    expect(refused.ok).toBe(false);
    expect(refused.detail).toMatch(/unreachable.*cannot tell whether the error budget is spent \(set errorBudget.onUnreachable: warn/);
    const warned = await check({ prometheus: { url: closed, timeout: '1s' }, query: 'x', onUnreachable: 'warn' });
    expect(warned).toMatchObject({ ok: true, warning: true });
    expect(warned.detail).toMatch(/the error budget was not checked \(onUnreachable: warn\)/);
    const empty = await check({ prometheus: { url: prometheusUrl }, query: 'no_such_metric' });
    expect(empty.ok).toBe(false);
    expect(empty.detail).toMatch(/the query returned no series: no_such_metric/);
  });

  it('a run whose budget is spent ends aborted before any harm; the dry run says why', async () => {
    const sleeper = startSleeper('error-budget');
    const pid = sleeper.pid as number;
    const dir = tempDir('faultline-error-budget-');
    const file = join(dir, 'budget.yaml');
    writeFileSync(
      file,
      `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: only-with-budget-left }
spec:
  hypothesis: Pausing the worker is harmless, and we only try it while the error budget allows.
  targets: [ { name: worker, process: { pid: ${pid} } } ]
  method:
    - { fault: process.pause, selector: { names: [ worker ] }, duration: 2s }
  guards:
    errorBudget:
      prometheus: { url: "${prometheusUrl}" }
      query: slo_error_budget_remaining
      minRemaining: 0.5
`,
    );
    const home = tempHome();
    const dry = await runCli(['run', '--dry-run', file], { home });
    expect(dry.stdout).toMatch(/errorBudget.*the error budget is at or below the 50% kept in reserve: 40% left/);
    let paused = false;
    const watch = setInterval(() => {
      if (processState(pid) === 'T') paused = true;
    }, 50);
    const run = await runCli(['run', file, '--no-progress'], { home });
    clearInterval(watch);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(/ABORTED/);
    expect(run.stdout).toMatch(/errorBudget/);
    expect(paused).toBe(false);
  }, 60_000);
});
