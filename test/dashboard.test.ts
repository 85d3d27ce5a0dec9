/**
 * The dashboard in a real browser (playwright-core driving Debian's chromium) against a real daemon:
 * log in, start an experiment that pauses a real web server, watch its probe samples arrive live with
 * the fault window, stop it, and see the verdict; the halt button; the YAML editor's errors at their
 * line; schedules and the audit log. FAULTLINE_UPDATE_SCREENSHOTS=1 also writes docs/images/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, tempHome } from './support/cli.js';
import { type ApiResponse, call, type DaemonProcess, killDaemons, makeToken, startDaemon } from './support/daemon.js';
import { freePort, killStarted, portOpen, processState, startPythonHttpServer, waitFor } from './support/processes.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = process.env.FAULTLINE_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : tempDir('faultline-shots-');

let browser: Browser;
let daemon: DaemonProcess;
let page: Page;
let web: { port: number; pid: number };
let operator: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const home = tempHome();
  const port = await freePort();
  const server = startPythonHttpServer(port, tempDir());
  await waitFor(() => portOpen(port), 10_000, 'the web server');
  web = { port, pid: server.pid as number };
  const file = join(tempDir(), 'demo.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: web-survives-a-pause, labels: { team: web } }
spec:
  hypothesis: The web server answers within 300ms while it is paused for 20 seconds.
  targets: [ { name: web, labels: { team: web }, process: { pid: ${web.pid} } } ]
  probes:
    - { name: home, type: http, http: { url: "http://127.0.0.1:${port}/", timeout: 300ms }, expect: { status: 200 }, interval: 150ms }
  steadyState: { probes: [ home ], tolerance: { availability: { gte: 0.99 } }, baseline: 1500ms }
  method:
    - { pause: 1s }
    - { fault: process.pause, selector: { names: [ web ] }, duration: 20s }
---
apiVersion: faultline.dev/v1
kind: Schedule
metadata: { name: weekdays-at-nine }
spec: { schedule: "0 9 * * Mon-Fri", timeZone: Europe/Paris, experiment: web-survives-a-pause, window: { workHours: "09:00-17:00" } }
`,
  );
  operator = await makeToken(home, 'ada', 'admin', ['--capability', 'exec']);
  daemon = await startDaemon(home, ['--apply', file]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => d.accept());
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  await killDaemons();
  killStarted();
});

/**
 * The page loads the action starts, counted once the page has been quiet for a while: a button's own
 * reload must not be followed by a second one for the live event about the same change.
 */
async function pageLoadsAfter(action: () => Promise<void>, quietMs = 1500): Promise<number> {
  let loads = 0;
  const count = (frame: unknown) => {
    if (frame === page.mainFrame()) loads++;
  };
  page.on('framenavigated', count);
  try {
    await action();
    await page.waitForLoadState('load');
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    await page.waitForLoadState('load');
  } finally {
    page.off('framenavigated', count);
  }
  return loads;
}

describe('the dashboard', () => {
  it('logs in with a token; a wrong one is refused with the reason', async () => {
    await page.goto(`${daemon.url}/runs`);
    expect(page.url()).toBe(`${daemon.url}/login?next=%2Fruns`);
    await page.fill('#token', 'flt_wrong');
    await page.click('#login-button');
    await expect.poll(() => page.textContent('#login-error')).toMatch(/malformed token/);
    await page.fill('#token', operator);
    await page.click('#login-button');
    await page.waitForURL(`${daemon.url}/runs`);
    expect(await page.textContent('header .who')).toMatch(/ada · admin/);
  });

  it('starts an experiment, shows its samples and the fault window live, stops it, and shows the verdict', async () => {
    await page.goto(`${daemon.url}/experiments`);
    await page.click('button[data-action="run"][data-experiment="web-survives-a-pause"]');
    await page.waitForURL(/\/runs\/\d{8}T\d{6}-[0-9a-f]{6}$/);
    expect(await page.textContent('#verdict-banner')).toMatch(/running/);
    // good samples first, then the web server is paused: a fault window and failing samples
    await page.waitForFunction(() => document.querySelectorAll('#live-chart circle.point.ok').length >= 5, null, { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('#live-chart rect.fault-window').length >= 1, null, { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('#live-chart circle.point.failed').length >= 8, null, { timeout: 20_000 });
    expect(processState(web.pid)).toBe('T');
    expect(await page.textContent('#current-step')).toMatch(/Step 2 of 2: process.pause/);
    expect(await page.textContent('#timeline')).toMatch(/injected/);
    await page.screenshot({ path: join(SHOTS, 'dashboard.png') });
    await page.click('#stop-button');
    await page.waitForFunction(() => document.querySelector('#verdict-banner')?.classList.contains('interrupted'), null, {
      timeout: 15_000,
    });
    expect(processState(web.pid)).not.toBe('T');
    // the live page draws the verdict, then the page is drawn again as an ended run's
    await page.waitForSelector('body[data-ended="true"]', { timeout: 15_000 });
    await expect.poll(() => page.textContent('#verdict-banner'), { timeout: 10_000 }).toMatch(/interrupted.*every fault was reverted/);
    await expect.poll(() => page.locator('#faults').textContent(), { timeout: 10_000 }).toMatch(/process\.pause/);
    expect(await page.locator('a.btn', { hasText: 'HTML report' }).count()).toBe(1);
  });

  it('shows the runs, the overview with the verdict, and filters the history', async () => {
    await page.goto(`${daemon.url}/`);
    expect(await page.textContent('#latest-runs')).toMatch(/interrupted/);
    await page.screenshot({ path: join(SHOTS, 'dashboard-overview.png'), fullPage: true });
    await page.goto(`${daemon.url}/runs?verdict=passed`);
    expect(await page.textContent('#runs-table')).toMatch(/No run matches/);
    await page.selectOption('select[name="verdict"]', 'interrupted');
    await page.click('form.filters button[type="submit"]');
    expect(await page.locator('#runs-table tr[data-run-id]').count()).toBe(1);
  });

  it('halts everything from the big button on any page, and lifts the halt', async () => {
    await page.goto(`${daemon.url}/schedules`);
    await page.click('#halt-button');
    await page.fill('#halt-reason', 'INC-7 payments degraded');
    await page.click('#halt-confirm');
    await expect
      .poll(() => page.textContent('#halted-banner').catch(() => ''), { timeout: 10_000 })
      .toMatch(/HALTED by ada .*INC-7 payments degraded/);
    const loads = await pageLoadsAfter(async () => {
      await page.click('#unhalt-button');
      await expect.poll(() => page.locator('#halted-banner').count(), { timeout: 10_000 }).toBe(0);
    });
    expect(loads).toBe(1);
  });

  it('lists schedules with their next runs, and pauses and resumes one', async () => {
    await page.goto(`${daemon.url}/schedules`);
    const row = page.locator('tr[data-schedule="weekdays-at-nine"]');
    expect(await row.locator('.next-runs div').count()).toBe(3);
    expect(await row.textContent()).toMatch(/scheduled/);
    const loads = await pageLoadsAfter(async () => {
      await row.locator('button[data-action="pause"]').click();
      await expect.poll(() => page.locator('tr[data-schedule="weekdays-at-nine"]').textContent(), { timeout: 10_000 }).toMatch(/suspended/);
    });
    expect(loads).toBe(1);
    await page.locator('tr[data-schedule="weekdays-at-nine"] button[data-action="resume"]').click();
    await expect.poll(() => page.locator('tr[data-schedule="weekdays-at-nine"]').textContent(), { timeout: 10_000 }).toMatch(/scheduled/);
  });

  it('hears of a change made while the page was loading, and draws itself again', async () => {
    // the page's script is held back until someone else has paused the schedule through the API
    const assets = `${daemon.url}/assets/**`;
    let paused: Promise<ApiResponse> | undefined;
    await page.route(assets, async (route) => {
      paused ??= call(daemon.url, 'POST', '/api/v1/schedules/weekdays-at-nine/pause', { token: operator });
      await paused;
      await route.continue();
    });
    try {
      await page.goto(`${daemon.url}/schedules`, { waitUntil: 'commit' });
      await expect.poll(() => page.locator('tr[data-schedule="weekdays-at-nine"]').textContent(), { timeout: 10_000 }).toMatch(/suspended/);
      expect((await paused)?.status).toBe(200);
    } finally {
      await page.unroute(assets);
    }
    await page.waitForLoadState('load');
    await page.locator('tr[data-schedule="weekdays-at-nine"] button[data-action="resume"]').click();
    await expect.poll(() => page.locator('tr[data-schedule="weekdays-at-nine"]').textContent(), { timeout: 10_000 }).toMatch(/scheduled/);
  });

  it('shows a YAML error at its line in the editor, and saves the fixed document', async () => {
    await page.goto(`${daemon.url}/experiments/new`);
    const text = await page.inputValue('#yaml');
    await page.fill(
      '#yaml',
      text.replace('name: my-experiment', 'name: from-the-editor').replace('duration: 10s', 'duration: ten seconds'),
    );
    await page.click('#validate-button');
    await expect.poll(() => page.textContent('#problems')).toMatch(/line 22:\d+spec.method\[0\].duration: expected a duration like 30s/);
    expect(await page.locator('#gutter div.bad').textContent()).toBe('22');
    await page.fill('#yaml', (await page.inputValue('#yaml')).replace('duration: ten seconds', 'duration: 10s'));
    await page.click('#validate-button');
    await expect.poll(() => page.textContent('#problems')).toMatch(/Valid: from-the-editor/);
    await page.click('#save-button');
    await page.waitForURL(`${daemon.url}/experiments/from-the-editor?saved=1`);
  });

  it('shows the audit log with who did what, and an intact chain', async () => {
    await page.goto(`${daemon.url}/audit`);
    const table = await page.textContent('#audit-table');
    for (const action of ['login', 'run.start', 'run.stop', 'halt', 'unhalt', 'schedule.pause', 'experiment.create'])
      expect(table).toContain(action);
    expect(await page.textContent('#chain-status')).toMatch(/chain intact/);
    expect(pageErrors).toEqual([]);
  });
});
