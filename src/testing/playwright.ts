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
import { type Chaos, TestChaos } from './chaos.js';
import { closeChaosSession } from './session.js';

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
    if (chaos.used) {
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
export type { Chaos, ChaosRecord } from './chaos.js';
export { FaultHandle } from './handle.js';
export { InjectRefusedError } from './session.js';
export { FaultSpecError, type InjectOptions, type ProbeInput } from './spec.js';
export { ProbeWatch } from './watch.js';
