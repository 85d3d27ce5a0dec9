/**
 * `inject()`: one fault held for the span of a test, with a guaranteed revert.
 *
 * ```ts
 * import { inject } from 'faultline/testing';
 * await using slow = await inject({ fault: 'network.latency', target: { endpoint: { listen: '127.0.0.1:17001', upstream: '127.0.0.1:7001' } }, params: { latency: '300ms' } });
 * // ... the test; the fault is reverted when the block ends, whatever the ending
 * ```
 *
 * It goes through what a run goes through: the fault spec is validated first (a FaultSpecError names the
 * field, nothing applied); the first inject of a process recovers what a dead one left; a guardian
 * watches before any harm; the halt switch, the project policy, the target locks and protected targets
 * are checked; the injection is journaled before it takes effect.
 */
import '../faults/index.js';
import '../probes/index.js';
import type { FaultHandle } from './handle.js';
import { chaosSession } from './session.js';
import { experimentOf, type InjectOptions } from './spec.js';

export async function inject(options: InjectOptions): Promise<FaultHandle> {
  const { experiment, step } = experimentOf(options);
  const session = await chaosSession();
  return session.apply(experiment, step);
}
