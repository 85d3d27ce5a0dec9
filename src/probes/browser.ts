/**
 * browser probe: headless Chromium (playwright-core, the system's Chromium) goes through a few steps
 * (goto, click, fill, expectText, expectVisible, expectStatus, expectTitle) as a person would. A sample
 * is ok when every step passes; its detail gives the time of each step. On failure it keeps a screenshot
 * and the page's console errors with the run (`$FAULTLINE_HOME/artifacts/RUN_ID/`), which the HTML
 * report shows. One browser per run, a fresh context per sample (bounded memory), closed at the end
 * of the run so that the process can exit.
 */
import { accessSync, constants } from 'node:fs';
import { numberComparatorSchema } from '../spec/comparators.js';
import { duration, strict } from '../spec/fields.js';
import { UserError } from '../util/errors.js';
import { z } from '../util/zod.js';
import { BrowserSession, chromiumPath } from './browser-session.js';
import { type BrowserStep, browserStepSchema, describeStep, runStep, type StepState } from './browser-steps.js';
import { firstNumberMismatch } from './expect.js';
import { registerProbeType } from './registry.js';

const config = strict({
  url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('the page the steps start from; a goto path resolves against it'),
  steps: z.array(browserStepSchema).min(1, { message: 'expected at least one step, like { goto: / }' }),
  viewport: strict({ width: z.number().int().min(100), height: z.number().int().min(100) }).optional(),
  timeout: duration.optional(),
});

const expect = strict({
  latencyMs: numberComparatorSchema.optional().describe('time of the whole sample, every step'),
});

type Config = z.infer<typeof config> & { session?: BrowserSession };
type Expect = z.infer<typeof expect>;

/** Sessions of samples taken outside a run (a test's watch, a guard): one shared browser, closed with its last user. */
const shared = new BrowserSession(null);

registerProbeType<Config, Expect>({
  type: 'browser',
  summary: 'headless Chromium goes through steps (goto, click, fill, expectText, expectVisible, expectStatus, expectTitle)',
  config: config as z.ZodType<Config>,
  expect,
  async preflight(c) {
    const path = chromiumPath();
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw new UserError(
        `browser probe: Chromium cannot start from ${path} (not an executable file); install chromium, or set FAULTLINE_CHROMIUM to its path`,
      );
    }
    // started now, before the baseline: its launch (seconds on a busy host) is not taken for a slow page
    await c.session?.start();
  },
  forRun(c, run) {
    return { ...c, session: new BrowserSession({ runId: run.runId, probe: run.probe }) };
  },
  async finish(c) {
    await c.session?.close();
    return { summary: `browser probe: ${c.session?.failures ?? 0} failed sample(s) kept with the run`, failure: null };
  },
  async check(c, e, { timeoutMs, signal }) {
    const session = c.session ?? shared;
    const started = performance.now();
    const timings: string[] = [];
    let page: Awaited<ReturnType<BrowserSession['page']>> | undefined;
    let current: BrowserStep | undefined;
    let index = 0;
    try {
      page = await session.page(c.viewport);
      page.setDefaultTimeout(timeoutMs);
      const state: StepState = { page, base: c.url, status: null };
      if (!c.steps.some((s) => 'goto' in s) && c.url) await runStep({ goto: c.url }, state);
      for (const step of c.steps) {
        if (signal.aborted) return { ok: false, latencyMs: performance.now() - started, detail: 'aborted' };
        current = step;
        index++;
        const stepStarted = performance.now();
        await runStep(step, state);
        timings.push(`${Object.keys(step)[0]} ${Math.round(performance.now() - stepStarted)}ms`);
      }
      const latencyMs = performance.now() - started;
      const mismatch = firstNumberMismatch([['latencyMs', latencyMs, e.latencyMs]]);
      return { ok: mismatch === null, latencyMs, detail: mismatch ?? `ok in ${Math.round(latencyMs)}ms (${timings.join(', ')})` };
    } catch (error) {
      const latencyMs = performance.now() - started;
      const where = current ? `step ${index} ${describeStep(current)}` : 'Chromium';
      const why = (error as Error).message.split('\n')[0];
      const kept = page ? await session.keepFailure(page, `${where}: ${why}`) : '';
      return { ok: false, latencyMs, detail: `${where} failed: ${why}${kept}` };
    } finally {
      await page
        ?.context()
        .close()
        .catch(() => {});
      if (!c.session) await shared.releaseIfIdle();
    }
  },
});
