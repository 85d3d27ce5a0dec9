/**
 * The live game-day page, in a real browser (playwright-core driving Debian's chromium) against a real
 * `faultline serve`: a game day started through the API shows its first stage's run with its chart, then
 * waits at its approval gate; an operator approves from the page, and the page follows the next stage
 * as it runs (current experiment, live chart) to the end. The halt and stop buttons are there for an operator,
 * who adds findings and action items from the page afterwards.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { tempHome } from './support/cli.js';
import { call, type DaemonProcess, killDaemons, makeToken, startDaemon } from './support/daemon.js';
import { killStarted, processState, waitFor } from './support/processes.js';
import { startWebSystem, type WebSystem, writeWebExperiment } from './support/web-experiment.js';

let browser: Browser;
let page: Page;
let daemon: DaemonProcess;
let system: WebSystem;
let token: string;

function experiment(name: string, pauseFor: string): string {
  const file = writeWebExperiment(system, { name, pause: 'sleeper', pauseFor });
  // this machine is shared and may be loaded: the web server is given time, as these tests are not about it
  return readFileSync(file, 'utf8')
    .replace('    recoveryTimeout: 3s\n', '    recoveryTimeout: 3s\n    baseline: 1s\n')
    .replace('timeout: 300ms', 'timeout: 2s')
    .replace('availability: { gte: 0.99 }', 'availability: { gte: 0.5 }');
}

beforeAll(async () => {
  const home = tempHome();
  system = await startWebSystem();
  token = await makeToken(home, 'ada', 'operator');
  daemon = await startDaemon(home);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${daemon.url}/login?next=/gamedays`);
  await page.fill('#token', token);
  await page.click('#login-button');
  await page.waitForURL(`${daemon.url}/gamedays`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  await killDaemons();
  killStarted();
});

describe('the live game-day page', () => {
  it('shows a game day waiting at its gate, approves it from the page, and follows the next stage', async () => {
    const body = [
      `apiVersion: faultline.dev/v1
kind: GameDay
metadata: { name: browser-drill }
spec:
  facilitator: ada
  observers: [grace]
  stages:
    - { name: warm-up, experiments: [ { name: warm-up-pause } ] }
    - { name: main-event, approval: { timeout: 2m }, experiments: [ { name: main-pause } ] }
`,
      experiment('warm-up-pause', '300ms'),
      experiment('main-pause', '3s'),
    ].join('---\n');
    const started = await call(daemon.url, 'POST', '/api/v1/gamedays', { token, yaml: body });
    expect(started.status, started.text).toBe(202);
    const { id } = started.json;

    // the list shows it (it reloads itself on the daemon's gameday-started event)
    await page.locator(`#gamedays-table tr[data-gameday="${id}"] a`).click({ timeout: 15_000 });
    await page.waitForURL(`${daemon.url}/gamedays/${id}`);

    // the page moves on by itself to the gate: stage 1 done, its run drawn, stage 2 waiting with its button
    await page.waitForSelector('tr[data-stage="2"][data-status="waiting"]', { timeout: 40_000 }).catch(async (error) => {
      const now = (await call(daemon.url, 'GET', `/api/v1/gamedays/${id}`, { token })).json;
      throw new Error(`${error.message}\nthe game day: ${now.status}: ${now.reason}; the page: ${page.url()}`);
    });
    expect(await page.locator('#gameday-status').textContent()).toBe('waiting');
    expect(await page.locator('tr[data-stage="1"]').getAttribute('data-status')).toBe('done');
    expect(await page.locator('#current-experiment').textContent()).toBe('warm-up-pause');
    await page.waitForFunction(() => document.querySelectorAll('#live-chart circle.point.ok').length >= 3, null, { timeout: 15_000 });
    expect(await page.locator('#gameday-halt').count()).toBe(1);
    expect(await page.locator('#gameday-stop').count()).toBe(1);
    // nothing of stage 2 ran before the approval
    expect(processState(system.sleeperPid)).not.toBe('T');

    await page.click('tr[data-stage="2"] button[data-action="approve-stage"]');
    // the next stage runs: the page shows it going, with its experiment and the live chart of its run
    await page.waitForSelector('tr[data-stage="2"][data-status="running"]', { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('#current-experiment')?.textContent === 'main-pause', null, {
      timeout: 20_000,
    });
    await waitFor(() => processState(system.sleeperPid) === 'T', 20_000, 'stage 2 to pause the sleeper');
    await page.waitForFunction(() => document.querySelectorAll('#live-chart rect.fault-window').length >= 1, null, { timeout: 20_000 });
    expect(await page.locator('tr[data-stage="2"]').textContent()).toMatch(/approved by ada/);

    // and to its end
    await page.waitForFunction(() => document.querySelector('#gameday-status')?.textContent === 'passed', null, { timeout: 40_000 });
    const report = (await call(daemon.url, 'GET', `/api/v1/gamedays/${id}`, { token })).json;
    expect(report.stages.map((s: { status: string }) => s.status)).toEqual(['done', 'done']);
    expect(report.stages[1]).toMatchObject({ approvedBy: 'ada', verdict: 'passed' });
    expect(await page.locator('#gameday-stop').count()).toBe(0);
    // the approval was made from the dashboard's session, and audited as such
    const audit = (await call(daemon.url, 'GET', '/api/v1/audit?action=gameday.approve', { token })).json.entries;
    expect(audit[0]).toMatchObject({ actor: 'ada', outcome: 'ok' });

    // afterwards, findings and action items are added from the page; the report holds them, audited
    await page.fill('#finding-text', 'the checkout retried provider A for 2s before failing over');
    await page.selectOption('#finding-severity', 'high');
    await page.click('#add-finding button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#notes')?.textContent?.includes('retried provider A'), null, {
      timeout: 15_000,
    });
    await page.fill('#action-text', 'cut the retry budget of provider A to 500ms');
    await page.fill('#action-owner', 'grace');
    await page.fill('#action-due', '2027-01-15');
    await page.click('#add-action button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#notes')?.textContent?.includes('cut the retry budget'), null, {
      timeout: 15_000,
    });
    const withNotes = (await call(daemon.url, 'GET', `/api/v1/gamedays/${id}`, { token })).json;
    expect(withNotes.findings).toMatchObject([
      { text: 'the checkout retried provider A for 2s before failing over', severity: 'high', author: 'ada' },
    ]);
    expect(withNotes.actionItems).toMatchObject([
      { text: 'cut the retry budget of provider A to 500ms', owner: 'grace', due: '2027-01-15' },
    ]);
    const markdown = (await call(daemon.url, 'GET', `/api/v1/gamedays/${id}?format=md`, { token })).text;
    expect(markdown).toContain('cut the retry budget of provider A to 500ms');
    const noted = (await call(daemon.url, 'GET', '/api/v1/audit?action=gameday.', { token })).json.entries;
    expect(noted.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['gameday.finding', 'gameday.action']));
  }, 150_000);
});
