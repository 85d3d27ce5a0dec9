/**
 * `faultline/playwright`: a `chaos` fixture whose faults are reverted after each test, whatever the
 * ending (pass, failure, timeout; a crashed worker's faults are reverted by its guardian, or by the
 * next worker's first inject). The faults, their timings and the samples of watched probes are
 * attached to the test (`faultline.json`, and a readable `faultline.txt`), so Playwright's HTML report
 * shows them.
 *
 * ```ts
 * import { expect, test } from 'faultline/playwright';
 * test('checkout survives a slow provider', async ({ page, chaos }) => {
 *   await chaos.inject({ fault: 'network.latency', target: 'provider-a', params: { latency: '2s' } });
 *   await page.goto('/checkout');
 *   await expect(page.getByText('paid')).toBeVisible();
 * });
 * ```
 */
import { writeFile } from 'node:fs/promises';
import { test as base } from '@playwright/test';
import type { Phase } from '../probes/sample.js';
import type { FaultHandle } from './handle.js';
import { inject } from './inject.js';
import { closeChaosSession } from './session.js';
import type { InjectOptions, ProbeInput } from './spec.js';
import { ProbeWatch } from './watch.js';

export interface Chaos {
  /** injects a fault held until `revert()` or the end of the test */
  inject(options: InjectOptions): Promise<FaultHandle>;
  /** samples a probe (http, tcp, cmd, browser, ...) in the background until the end of the test */
  watch(probe: ProbeInput): ProbeWatch;
  /** every fault injected in this test */
  readonly faults: readonly FaultHandle[];
}

class TestChaos implements Chaos {
  readonly faults: FaultHandle[] = [];
  readonly watches: ProbeWatch[] = [];
  private injectedOnce = false;

  async inject(options: InjectOptions): Promise<FaultHandle> {
    const handle = await inject(options);
    this.faults.push(handle);
    this.injectedOnce = true;
    return handle;
  }

  watch(probe: ProbeInput): ProbeWatch {
    const watch = new ProbeWatch(probe, () => this.phase());
    this.watches.push(watch);
    return watch;
  }

  private phase(): Phase {
    if (this.faults.some((f) => f.active)) return 'during';
    return this.injectedOnce ? 'after' : 'before';
  }

  /** Reverts every fault, stops every probe; returns the revert errors. */
  async end(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const fault of this.faults) await fault.revert().catch((error) => errors.push(error));
    await Promise.all(this.watches.map((w) => w.stop()));
    return errors;
  }

  /** What the attachments hold. */
  record() {
    return {
      faults: this.faults.flatMap((f) => f.faults),
      timeline: this.faults.flatMap((f) => f.timeline).sort((a, b) => a.t.localeCompare(b.t)),
      probes: this.watches.map((w) => ({
        name: w.name,
        availability: { before: w.availability('before'), during: w.availability('during'), after: w.availability('after') },
        samples: w.samples.map(({ endedAt: _endedAt, ...sample }) => ({ ...sample, t: new Date(sample.t).toISOString() })),
      })),
    };
  }

  summary(): string {
    const { faults, probes } = this.record();
    const lines = faults.map(
      (f) =>
        `${f.fault} on ${f.target}: injected ${f.injectedAt ?? 'never'}, reverted ${f.revertedAt ?? 'NOT REVERTED'}${f.error ? ` (${f.error})` : ''}`,
    );
    for (const p of probes) {
      const share = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
      lines.push(
        `probe ${p.name}: ${p.samples.length} samples; availability before ${share(p.availability.before)}, during ${share(p.availability.during)}, after ${share(p.availability.after)}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}

export const test = base.extend<{ chaos: Chaos }, { faultlineSession: undefined }>({
  faultlineSession: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a fixture uses from this pattern
    async ({}, use) => {
      await use(undefined);
      await closeChaosSession(); // the worker's proxies close; its faults were reverted test by test
    },
    { scope: 'worker', auto: true },
  ],
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a fixture uses from this pattern
  chaos: async ({}, use, testInfo) => {
    const chaos = new TestChaos();
    // use() returns when the test ends, whatever the ending (a failure, a timeout): the teardown below runs
    await use(chaos);
    const errors = await chaos.end();
    if (chaos.faults.length || chaos.watches.length) {
      // as files: the HTML report copies them into its data/ folder, where they can be opened
      const json = testInfo.outputPath('faultline.json');
      const text = testInfo.outputPath('faultline.txt');
      await writeFile(json, JSON.stringify(chaos.record(), null, 2));
      await writeFile(text, chaos.summary());
      await testInfo.attach('faultline.json', { path: json, contentType: 'application/json' });
      await testInfo.attach('faultline.txt', { path: text, contentType: 'text/plain' });
    }
    if (errors.length) throw errors[0];
  },
});

export { expect } from '@playwright/test';
export { FaultHandle } from './handle.js';
export { InjectRefusedError } from './session.js';
export { FaultSpecError, type InjectOptions, type ProbeInput } from './spec.js';
export { ProbeWatch } from './watch.js';
