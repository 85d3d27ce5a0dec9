/**
 * `faultline/vitest`: faults that end with the test that injected them.
 *
 * ```ts
 * import { inject, watch } from 'faultline/vitest';
 * it('checkout fails over', async () => {
 *   await watch({ name: 'checkout', type: 'http', http: { url: 'http://127.0.0.1:8080/checkout' }, interval: '200ms' });
 *   await inject({ fault: 'process.pause', target: 'provider-a' }); // reverted when the test finishes, whatever the ending
 * });
 * ```
 *
 * When the test finishes (passed, failed or timed out), its faults are reverted and watched probes stopped
 * (`onTestFinished`), and what happened is kept in the test's `meta.faultline` (faults with their injection
 * and revert times, the timeline, every probe sample with its phase): Vitest's JSON reporter writes it, and
 * any reporter can read it (`testCase.meta().faultline`).
 *
 * Jest (or any runner with `afterEach`): `const chaos = useChaos({ afterEach, afterAll })`, then
 * `await chaos.inject(...)` and `chaos.watch(...)` in a test; everything of the test is reverted after it.
 * This module does not load vitest until `inject` or `watch` is called, so Jest suites can import `useChaos`.
 */
import { type ChaosRecord, TestChaos } from './chaos.js';
import type { FaultHandle } from './handle.js';
import { closeChaosSession } from './session.js';
import type { InjectOptions, ProbeInput } from './spec.js';
import type { ProbeWatch } from './watch.js';

/** the chaos of each running test, by its task */
const chaosOfTest = new WeakMap<object, TestChaos>();

/** The chaos of the Vitest test going on: made with its first inject or watch, ended when the test finishes. */
async function currentChaos(): Promise<TestChaos> {
  const { getCurrentTest } = await import('vitest/suite');
  const { onTestFinished } = await import('vitest');
  const test = getCurrentTest();
  if (!test) throw new Error('faultline/vitest: inject and watch work inside a test; in hooks, use useChaos({ afterEach })');
  let chaos = chaosOfTest.get(test);
  if (!chaos) {
    const made = new TestChaos();
    chaosOfTest.set(test, made);
    onTestFinished(async ({ task }) => {
      const errors = await made.end();
      (task.meta as { faultline?: ChaosRecord }).faultline = made.record();
      if (errors.length) throw errors[0];
    });
    chaos = made;
  }
  return chaos;
}

/** Injects a fault held until the current Vitest test finishes (passed, failed or timed out). */
export async function inject(options: InjectOptions): Promise<FaultHandle> {
  return (await currentChaos()).inject(options);
}

/** Samples a probe in the background until the current Vitest test finishes; its samples go to `meta.faultline`. */
export async function watch(probe: ProbeInput): Promise<ProbeWatch> {
  return (await currentChaos()).watch(probe);
}

type Hook = (fn: () => Promise<void>) => unknown;

export interface ChaosHooks {
  /** the runner's `afterEach`: every fault injected during a test is reverted after it */
  afterEach: Hook;
  /** the runner's `afterAll`: the proxies of the suite are closed at its end (optional) */
  afterAll?: Hook;
}

/**
 * Faults reverted after each test, for runners with `afterEach` hooks (Jest, Mocha, node:test, Vitest).
 * `onRecord` receives what each test did (as `meta.faultline` holds it with `inject`), to attach it to
 * the runner's own report.
 */
export function useChaos(hooks: ChaosHooks & { onRecord?: (record: ChaosRecord) => void }): {
  inject(options: InjectOptions): Promise<FaultHandle>;
  watch(probe: ProbeInput): ProbeWatch;
} {
  let chaos = new TestChaos();
  hooks.afterEach(async () => {
    const ended = chaos;
    chaos = new TestChaos();
    const errors = await ended.end();
    if (ended.used) hooks.onRecord?.(ended.record());
    if (errors.length) throw errors[0];
  });
  hooks.afterAll?.(() => closeChaosSession());
  return {
    inject: (options) => chaos.inject(options),
    watch: (probe) => chaos.watch(probe),
  };
}

export type { ChaosRecord } from './chaos.js';
export { FaultHandle } from './handle.js';
export { closeChaosSession, InjectRefusedError } from './session.js';
export { FaultSpecError, type InjectOptions, type ProbeInput } from './spec.js';
export { ProbeWatch } from './watch.js';
