/** The recovery phase: keep probing until the steady state is back, within recoveryTimeout. */
import { waitForRecovery } from '../recovery.js';
import type { RunContext } from './context.js';

/** `faultEndedAt`: when the last fault was reverted (injectChaos). Skipped for an interrupted run or one without steady-state probes. */
export async function awaitRecovery(ctx: RunContext, faultEndedAt: number): Promise<void> {
  if (ctx.outcome.verdict !== 'interrupted' && ctx.steadyProbes.length) {
    await waitForRecovery(ctx.experiment, ctx.samples, faultEndedAt, ctx.options.signal);
  }
}
