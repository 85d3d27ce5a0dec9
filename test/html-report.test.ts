// The HTML report: one self-contained page (inline CSS, inline SVG, no script, nothing fetched) with the
// verdict, hypothesis, numbers with sample counts and uncertainty, a chart per probe with the fault
// windows shaded, a table per probe and the events. Looked at in Debian's chromium through playwright-core.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../src/probes/sample.js';
import { failureSpans, niceTicks, timeTicks } from '../src/report/chart.js';
import { getReportFormat, renderHtml, reportFormatNames } from '../src/report/index.js';
import type { RunReport } from '../src/report/types.js';
import { launchChromium } from './support/chromium.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { killStarted } from './support/processes.js';
import { startWebSystem, writeWebExperiment } from './support/web-experiment.js';

const T0 = Date.parse('2026-03-14T09:26:53.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function failedReport(): RunReport {
  return {
    schemaVersion: 1,
    runId: '20260314T092653-a1b2c3',
    experiment: { name: 'checkout-failover', file: 'experiments/checkout.yaml' },
    hypothesis: 'When provider A is paused, checkout keeps succeeding through provider B.',
    verdict: 'failed',
    reason: 'hypothesis refuted: availability 0.75, expected >= 0.99',
    startedAt: at(0),
    endedAt: at(20_000),
    seed: 42,
    targets: ['provider-a (pid 4242)', 'provider-b (pid 4243)'],
    faults: [
      {
        step: 'pause-a',
        fault: 'process.pause',
        target: 'provider-a (pid 4242)',
        injectedAt: at(5_000),
        revertedAt: at(11_000),
        error: null,
        description: 'SIGSTOP provider-a (pid 4242) for 6s, then SIGCONT',
      },
      {
        step: 'kill-b',
        fault: 'process.kill',
        target: 'provider-b (pid 4243)',
        injectedAt: at(13_000),
        revertedAt: null,
        error: 'revert failed: gone',
      },
    ],
    probes: [
      { name: 'checkout', mode: 'Continuous', type: 'http', samples: 40, ok: 30, failed: 10, lastFailure: 'timeout after 300ms' },
      { name: 'db-port', mode: 'Continuous', type: 'tcp', samples: 40, ok: 40, failed: 0, lastFailure: null },
    ],
    tolerances: [{ name: 'availability', expected: '>= 0.99', actual: 0.75, ok: false, n: 20 }],
    measurements: {
      mttdMs: 1250,
      mttdAlertMs: null,
      mttrMs: 750,
      availability: 0.75,
      availabilityByPhase: { before: 1, during: 0.75, after: 1 },
      samplesByPhase: { before: 10, during: 20, after: 10 },
      latencyMs: {
        before: { p50: 40, p95: 80, p99: 95, n: 10 },
        during: { p50: 210, p95: 300, p99: 300, n: 20 },
        after: { p50: 41, p95: 82, p99: 99, n: 10 },
      },
      probeIntervalMs: 500,
      recoverySamples: 3,
    },
    timeline: [
      { t: at(0), event: 'run-started', detail: 'checkout-failover (seed 42)' },
      { t: at(5_000), event: 'injected', detail: 'SIGSTOP provider-a (pid 4242) for 6s, then SIGCONT' },
      { t: at(9_000), event: 'stop-condition', detail: 'checkout failureRate > 0.2 tripped: 0.3' },
      { t: at(11_000), event: 'reverted', detail: 'process.pause on provider-a (pid 4242)' },
      { t: at(20_000), event: 'run-ended', detail: 'failed: hypothesis refuted' },
    ],
  };
}

/** 40 samples per probe every 500ms; checkout fails from +6.25s to +10.75s (10 samples). */
function samplesOf(): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < 40; i++) {
    const t = T0 + 250 + i * 500;
    const phase = t < T0 + 5000 ? 'before' : t <= T0 + 11_000 ? 'during' : 'after';
    const failing = t >= T0 + 6250 && t <= T0 + 10_750;
    out.push({
      probe: 'checkout',
      t,
      ok: !failing,
      latencyMs: failing ? 300 : 40 + (i % 5) * 10,
      phase,
      detail: failing ? 'timeout after 300ms' : '200',
    });
    out.push({ probe: 'db-port', t: t + 10, ok: true, latencyMs: 1 + (i % 3), phase, detail: 'connected' });
  }
  return out;
}

describe('the html format', () => {
  it('is registered with the other formats', () => {
    expect(reportFormatNames()).toContain('html');
    expect(getReportFormat('html').extension).toBe('html');
  });

  it('is one self-contained page: no script, no external URL, no fetch', () => {
    const html = renderHtml(failedReport(), { samples: samplesOf() });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    // the only URL is the SVG namespace, which is never fetched
    expect([...new Set(html.match(/https?:\/\/[^\s"'<>]+/g))]).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).toContain('<meta name="faultline-run-id" content="20260314T092653-a1b2c3">');
  });

  it('shows the numbers with their sample counts and uncertainty', () => {
    const html = renderHtml(failedReport(), { samples: samplesOf() });
    expect(html).toContain('1.25s <span class="pm">± 500ms</span>');
    expect(html).toContain('750ms <span class="pm">± 500ms</span>');
    expect(html).toContain('15 of 20 samples good');
    expect(html).toContain('75%');
    expect(html).toContain('n=20; before 80ms (n=10)');
  });

  it('shades one window per step, marks the one never reverted, and draws a point per sample', () => {
    const html = renderHtml(failedReport(), { samples: samplesOf() });
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    // two probes, two windows each: pause-a, and kill-b still open
    expect(html.match(/<rect class="fault-window"/g)).toHaveLength(2);
    expect(html.match(/<rect class="fault-window open"/g)).toHaveLength(2);
    expect(html.match(/<circle class="point ok"/g)).toHaveLength(70);
    expect(html.match(/<circle class="point failed"/g)).toHaveLength(10);
    expect(html).toContain('pause-a: process.pause');
    expect(html.match(/<line class="marker"/g)).toHaveLength(2); // the stop condition, on each chart
  });

  it('escapes whatever the experiment or the system wrote', () => {
    const r = failedReport();
    r.hypothesis = '<script>alert(1)</script> & "quotes"';
    r.experiment.name = 'x"><img src=x onerror=alert(1)>';
    r.timeline.push({ t: at(1), event: 'error', detail: '</td></tr></table><script>bad()</script>' });
    const samples = samplesOf().map((s) => (s.ok ? s : { ...s, detail: '<b onmouseover="x()">boom</b>' }));
    const html = renderHtml(r, { samples });
    expect(html).not.toMatch(/<script|<img|<b onmouseover/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
  });

  it('says where the charts come from when the samples were not given', () => {
    const html = getReportFormat('html').render(failedReport());
    expect(html).not.toContain('<svg');
    expect(html).toContain('faultline report RUN_ID --format html');
    expect(html).toContain('<h3>checkout <span class="muted">http, mode Continuous</span></h3>');
  });

  it('stays small for a long run: thousands of samples are thinned per pixel, every failure kept visible', () => {
    const r = failedReport();
    r.endedAt = at(3_600_000);
    const samples: Sample[] = [];
    for (let i = 0; i < 36_000; i++) {
      const ok = i % 997 !== 0;
      samples.push({ probe: 'checkout', t: T0 + i * 100, ok, latencyMs: 20 + (i % 50), phase: 'during', detail: ok ? '200' : 'timeout' });
    }
    const html = renderHtml(r, { samples });
    expect(html.length).toBeLessThan(1_000_000);
    expect(html.match(/<circle class="point failed"/g)?.length).toBe(samples.filter((s) => !s.ok).length);
    expect(html).toContain('36000'); // the table still counts every sample
  });

  it('computes round axis ticks and failure spans', () => {
    expect(niceTicks(300)).toEqual([0, 100, 200, 300]);
    expect(niceTicks(0.4)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
    expect(timeTicks(20_000)).toEqual([0, 2000, 4000, 6000, 8000, 10_000, 12_000, 14_000, 16_000, 18_000, 20_000]);
    const s = (t: number, ok: boolean): Sample => ({ probe: 'p', t, ok, latencyMs: 1, phase: 'during', detail: '' });
    expect(failureSpans([s(0, true), s(1, false), s(2, false), s(3, true), s(4, false)], 1)).toEqual([
      [1, 3],
      [4, 5],
    ]);
  });
});

describe('the html report in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders the banner, the numbers and the charts, fetching nothing', async () => {
    const dir = tempDir('faultline-html-');
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(failedReport(), { samples: samplesOf() }));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`file://${file}`);
    expect(requested).toEqual([`file://${file}`]);

    expect(await page.title()).toBe('FAILED · checkout-failover · faultline run 20260314T092653-a1b2c3');
    const banner = page.locator('header.banner');
    expect(await banner.textContent()).toContain('FAILED');
    expect(await banner.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(185, 28, 28)');
    const numbers = await page.locator('#numbers').textContent();
    expect(numbers).toContain('1.25s ± 500ms');
    expect(numbers).toContain('15 of 20 samples good');

    const chart = page.locator('svg.chart[data-probe="checkout"]');
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(800);
    expect(box?.height).toBeGreaterThan(150);
    const windows = chart.locator('rect.fault-window');
    expect(await windows.count()).toBe(2);
    // the window is drawn where the fault was: from +5s to +11s of a 20s axis, inside the chart
    const window = await windows.first().boundingBox();
    expect(window && box && window.x > box.x && window.x + window.width < box.x + box.width).toBe(true);
    const fill = await windows.first().evaluate((el) => getComputedStyle(el).fillOpacity);
    expect(Number(fill)).toBeGreaterThan(0);
    expect(await chart.locator('circle.point.failed').count()).toBe(10);
    expect(await chart.locator('circle.point.ok').count()).toBe(30);
    const failedDot = await chart.locator('circle.point.failed').first().boundingBox();
    expect(failedDot && window && failedDot.x >= window.x && failedDot.x <= window.x + window.width).toBe(true);
    expect(await chart.locator('rect.strip.failed').count()).toBe(1);

    expect(await page.locator('#probes table').count()).toBe(2);
    expect(await page.locator('#timeline tbody tr').count()).toBe(5);
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(30_000);
    await page.close();
  });

  it('renders the report of a real run written by run --report-dir and by faultline report', async () => {
    const system = await startWebSystem();
    try {
      const file = writeWebExperiment(system, { name: 'web-html', pause: 'web' });
      const home = tempHome();
      const reportDir = join(system.dir, 'reports');
      const run = await runCli(['run', file, '--report-dir', reportDir], { home });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const written = readdirSync(reportDir);
      const htmlName = written.find((f) => f.endsWith('.html')) as string;
      expect(written.filter((f) => /\.(json|md|html)$/.test(f))).toHaveLength(3);
      const json = JSON.parse(readFileSync(join(reportDir, htmlName.replace(/\.html$/, '.json')), 'utf8')) as RunReport;
      expect(json).not.toHaveProperty('samples'); // samples stay out of the JSON report

      const viaReport = join(system.dir, 'again.html');
      const rendered = await runCli(['report', json.runId, '--format', 'html', '-o', viaReport], { home });
      expect(rendered.code, rendered.stderr).toBe(0);

      for (const path of [join(reportDir, htmlName), viaReport]) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        await page.goto(`file://${path}`);
        expect(await page.locator('header.banner').textContent()).toContain('FAILED');
        expect(await page.locator('header.banner').textContent()).toContain(json.runId);
        const chart = page.locator('svg.chart[data-probe="home"]');
        expect(await chart.locator('rect.fault-window').count()).toBe(1);
        expect(await chart.locator('circle.point').count()).toBe(json.probes[0]?.samples);
        expect(await chart.locator('circle.point.failed').count()).toBe(json.probes[0]?.failed);
        expect(json.probes[0]?.failed).toBeGreaterThan(0);
        expect(await page.locator('#numbers').textContent()).toContain(`n=${json.measurements.samplesByPhase.before} before`);
        await page.close();
      }
    } finally {
      killStarted();
    }
  });
});
