/**
 * The browser of a browser probe: Chromium launched once (on the first sample) and reused, a fresh
 * context per sample, closed when the run ends. playwright-core is loaded only here, on first use.
 * Failed samples leave a screenshot and the page's console errors in `$FAULTLINE_HOME/artifacts/RUN_ID/`
 * (at most MAX_KEPT per probe and run: a long outage does not fill the disk).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { errorMessage, UserError } from '../util/errors.js';
import { faultlineHome } from '../util/home.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const MAX_KEPT = 20;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'];

/** The Chromium executable: FAULTLINE_CHROMIUM, else Debian's. */
export function chromiumPath(): string {
  return process.env.FAULTLINE_CHROMIUM || DEFAULT_CHROMIUM;
}

/** Where failed samples of a probe in a run are kept. */
export function artifactsDir(runId: string): string {
  return join(faultlineHome(), 'artifacts', runId);
}

const consoleErrors = new WeakMap<Page, string[]>();

export class BrowserSession {
  private browser: Promise<Browser> | null = null;
  private inFlight = 0;
  /** failed samples so far */
  failures = 0;

  /** null: samples outside a run, whose failures are not kept */
  constructor(private readonly run: { runId: string; probe: string } | null) {}

  /** Launches the browser now (a run's preflight); throws a UserError naming the executable when it cannot. */
  async start(): Promise<void> {
    this.browser ??= launch();
    try {
      await this.browser;
    } catch (error) {
      this.browser = null;
      throw error;
    }
  }

  /** A new page in a new context; its console errors are collected. */
  async page(viewport?: { width: number; height: number }): Promise<Page> {
    this.inFlight++;
    this.browser ??= launch();
    let browser: Browser;
    try {
      browser = await this.browser;
    } catch (error) {
      this.browser = null;
      this.inFlight--;
      throw error;
    }
    const context = await browser.newContext(viewport ? { viewport } : {});
    const page = await context.newPage();
    const errors: string[] = [];
    consoleErrors.set(page, errors);
    page.on('console', (message) => {
      if (message.type() === 'error' && errors.length < 50) errors.push(message.text());
    });
    page.on('pageerror', (error) => {
      if (errors.length < 50) errors.push(error.message);
    });
    context.on('close', () => this.inFlight--);
    return page;
  }

  /** Keeps a failed sample's screenshot and console errors with the run; returns what to add to its detail. */
  async keepFailure(page: Page, what: string): Promise<string> {
    this.failures++;
    const errors = consoleErrors.get(page) ?? [];
    const shownErrors = errors.length ? `; console errors: ${errors.slice(0, 3).join(' | ')}` : '';
    if (!this.run || this.failures > MAX_KEPT) return shownErrors;
    const dir = artifactsDir(this.run.runId);
    const base = `${this.run.probe}-${this.failures}`;
    try {
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${base}.png`), timeout: 2000 });
      writeFileSync(
        join(dir, `${base}.txt`),
        `${new Date().toISOString()} ${what}\nurl: ${page.url()}\nconsole errors:\n${errors.join('\n')}\n`,
      );
      return `${shownErrors}; screenshot artifacts/${this.run.runId}/${base}.png`;
    } catch (error) {
      return `${shownErrors}; no screenshot (${errorMessage(error).split('\n')[0]})`;
    }
  }

  /** Closes the browser (idempotent): the process may then exit. */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    await (await browser?.catch(() => null))?.close();
  }

  /** Closes the browser when no sample uses it (samples taken outside a run). */
  async releaseIfIdle(): Promise<void> {
    if (this.inFlight <= 0) await this.close();
  }
}

async function launch(): Promise<Browser> {
  const path = chromiumPath();
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new UserError('browser probe: playwright-core is not installed; npm install playwright-core');
  }
  try {
    return await chromium.launch({ executablePath: path, headless: true, args: ARGS });
  } catch (error) {
    const why = errorMessage(error).split('\n')[0];
    throw new UserError(
      `browser probe: Chromium cannot start from ${path} (${why}); install chromium, or set FAULTLINE_CHROMIUM to its path`,
    );
  }
}
