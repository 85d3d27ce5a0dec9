/**
 * `faultline/vitest`: faults that end with the test that injected them.
 *
 * ```ts
 * import { inject } from 'faultline/vitest';
 * it('checkout fails over', async () => {
 *   await inject({ fault: 'process.pause', target: 'provider-a' }); // reverted when the test finishes, whatever the ending
 * });
 * ```
 *
 * Jest (or any runner with `afterEach`): `const chaos = useChaos({ afterEach, afterAll })`, then
 * `await chaos.inject(...)` in a test; every fault of the test is reverted after it.
 * This module does not load vitest until `inject` is called, so Jest suites can import `useChaos` from it.
 */
import type { FaultHandle } from './handle.js';
import { inject as injectFault } from './inject.js';
import { closeChaosSession } from './session.js';
import type { InjectOptions } from './spec.js';

/** Injects a fault held until the current Vitest test finishes (passed, failed or timed out). */
export async function inject(options: InjectOptions): Promise<FaultHandle> {
  const { onTestFinished } = await import('vitest');
  const handle = await injectFault(options);
  onTestFinished(() => handle.revert());
  return handle;
}

type Hook = (fn: () => Promise<void>) => unknown;

export interface ChaosHooks {
  /** the runner's `afterEach`: every fault injected during a test is reverted after it */
  afterEach: Hook;
  /** the runner's `afterAll`: the proxies of the suite are closed at its end (optional) */
  afterAll?: Hook;
}

/** Faults reverted after each test, for runners with `afterEach` hooks (Jest, Mocha, node:test, Vitest). */
export function useChaos(hooks: ChaosHooks): { inject(options: InjectOptions): Promise<FaultHandle> } {
  const held: FaultHandle[] = [];
  hooks.afterEach(async () => {
    const errors: unknown[] = [];
    for (const handle of held.splice(0)) await handle.revert().catch((error) => errors.push(error));
    if (errors.length) throw errors[0];
  });
  hooks.afterAll?.(() => closeChaosSession());
  return {
    async inject(options) {
      const handle = await injectFault(options);
      held.push(handle);
      return handle;
    },
  };
}

export { FaultHandle } from './handle.js';
export { closeChaosSession, InjectRefusedError } from './session.js';
export { FaultSpecError, type InjectOptions } from './spec.js';
