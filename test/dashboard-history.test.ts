/**
 * One history in the dashboard, in a real browser (playwright-core driving Debian's chromium): a run
 * made with the CLI and a run made through the daemon show on their pages the same MTTD, MTTR and
 * availability as their Markdown reports, with the hypothesis, tolerances, objectives and per-phase
 * numbers drawn natively; the experiment's history page and the scorecard count both runs.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { launchChromium } from './support/chromium.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { call, type DaemonProcess, killDaemons, makeToken, startDaemon } from './support/daemon.js';
import { freePort, killStarted, portOpen, startPythonHttpServer, waitFor } from './support/processes.js';

let browser: Browser;
let page: Page;
let daemon: DaemonProcess;
let token: string;
const reports: RunReport[] = [];

beforeAll(async () => {
  const home = tempHome();
  const port = await freePort();
  const web = startPythonHttpServer(port, tempDir());
  await waitFor(() => portOpen(port), 10_000, 'the web server');
  const yaml = `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: web-back-after-pause }
spec:
  hypothesis: The web server answers again soon after a one-second pause.
  targets: [ { name: web, process: { pid: ${web.pid} } } ]
  probes:
    - { name: web, type: http, http: { url: "http://127.0.0.1:${port}/", timeout: 200ms }, interval: 100ms }
  steadyState: { probes: [ web ], tolerance: { availability: { gte: 0 } } }
  objectives: { mttr: { lt: 1m }, lostWrites: { eq: 0 } }
  method:
    - { fault: process.pause, selector: { names: [ web ] }, duration: 1s }
`;
  const dir = tempDir('faultline-dashboard-history-');
  writeFileSync(join(dir, 'web.yaml'), yaml);
  const cli = await runCli(['run', join(dir, 'web.yaml'), '--report-dir', dir], { home });
  if (cli.code !== 0) throw new Error(`the CLI run failed: ${cli.stdout}${cli.stderr}`);
  reports.push(JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.json')) as string), 'utf8')));

  token = await makeToken(home, 'ada', 'operator');
  daemon = await startDaemon(home);
  const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
    call(daemon.url, method, path, { token, ...options });
  await api('POST', '/api/v1/experiments', { yaml });
  const { runId } = (await api('POST', '/api/v1/runs', { json: { experiment: 'web-back-after-pause' } })).json;
  await waitFor(async () => Boolean((await api('GET', `/api/v1/runs/${runId}`)).json.run.verdict), 30_000, 'the daemon run');
  reports.push((await api('GET', `/api/v1/runs/${runId}/report?format=json`)).json);

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${daemon.url}/login`);
  await page.fill('#token', token);
  await page.click('#login-button');
  await page.waitForURL(`${daemon.url}/`);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  await killDaemons();
  killStarted();
});

/** The value of a `| Name | value |` row of the Markdown report's results table. */
function markdownFigure(markdown: string, name: string): string {
  const row = markdown.split('\n').find((l) => l.startsWith(`| ${name} |`));
  return (row ?? '').split('|')[2]?.trim() ?? '';
}

describe('the dashboard shows every run with the numbers of its report', () => {
  it('a CLI run and a daemon run: MTTD, MTTR, availability, phases, tolerances and objectives as in their reports', async () => {
    expect(reports.map((r) => r.verdict)).toEqual(['passed', 'passed']);
    for (const report of reports) {
      const markdown = (await call(daemon.url, 'GET', `/api/v1/runs/${report.runId}/report?format=md`, { token })).text;
      await page.goto(`${daemon.url}/runs/${report.runId}`);
      expect(await page.textContent('#hypothesis')).toContain(report.hypothesis);
      expect((await page.textContent('[data-figure="mttd"]'))?.trim()).toBe(markdownFigure(markdown, 'MTTD'));
      expect((await page.textContent('[data-figure="mttr"]'))?.trim()).toBe(markdownFigure(markdown, 'MTTR'));
      expect((await page.textContent('[data-figure="availability"]'))?.trim()).toBe(markdownFigure(markdown, 'Availability (during)'));
      expect(markdownFigure(markdown, 'MTTD')).toMatch(/^\d+ms ± 100ms$/);
      const during = await page.locator('#phases tr[data-phase="during"] td').allTextContents();
      expect(during[2]).toBe(String(report.measurements.samplesByPhase.during));
      expect(await page.textContent('#tolerances')).toMatch(/availability\s*>= 0/);
      expect(await page.locator('#objectives tr[data-objective="mttr"]').textContent()).toMatch(/< 1m.*met/);
      expect(await page.locator('#objectives tr[data-objective="lostWrites"]').textContent()).toMatch(/unknown.*needs a write probe/);
    }
  });

  it("the experiment's history page and the scorecard count both runs", async () => {
    await page.goto(`${daemon.url}/experiments/web-back-after-pause/history`);
    expect((await page.textContent('#history-runs'))?.trim()).toBe('2');
    expect((await page.textContent('#history-pass-rate'))?.trim()).toBe('100%');
    expect((await page.textContent('#history-objectives-met'))?.trim()).toBe('0%'); // lostWrites is unknown: never met
    expect(await page.locator('#pass-rate-chart rect.ok').count()).toBe(1);
    expect(await page.textContent('#objective-targets')).toMatch(/mttr < 1m/);
    await page.goto(`${daemon.url}/scorecard`);
    expect(await page.locator('#scorecard-table tr[data-experiment="web-back-after-pause"] td').nth(1).textContent()).toBe('2');
    expect((await page.textContent('#resilience-score'))?.trim()).toBe('100');
  });
});
