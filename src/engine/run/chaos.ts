/** The method phase: the chaos itself, while the stop conditions, the halt watch and stopOnFailure probes can end it. */
import { ProbeLoop } from '../../probes/scheduler.js';
import { conflictingLocks, type LockRequest, tryLock } from '../../safety/locks.js';
import { UserError } from '../../util/errors.js';
import { runMethod } from '../method.js';
import { probesByMode, type RunContext } from './context.js';

/**
 * Runs the method; every fault is reverted before it returns or throws. Returns when the faults ended
 * (the last revert), the start of the recovery.
 */
export async function injectChaos(ctx: RunContext): Promise<number> {
  const { experiment, injector, timeline, outcome } = ctx;
  ctx.phase = 'during';
  timeline.emit({ type: 'phase', phase: 'during' });
  for (const probe of probesByMode(experiment, 'OnChaos')) ctx.loops.push(new ProbeLoop(probe, ctx.currentPhase, ctx.record));
  try {
    const lockTargets = (requests: LockRequest[]) => lockOrRefuse(ctx, requests);
    const { seed, progressive, samples } = ctx;
    await runMethod({ experiment, seed, injector, timeline, signal: ctx.harm.signal, lockTargets, samples, progressive });
  } finally {
    await injector.revertAll();
  }
  const faultEndedAt = injector.lastRevertedAt ?? Date.now();
  ctx.chaosEndedAt = Date.now();
  if (injector.revertedElsewhere.length) {
    outcome.end(
      'aborted',
      `this runner stopped making progress while faults were active, and its guardian reverted them: ${injector.revertedElsewhere.join('; ')}`,
    );
  }
  ctx.phase = 'after';
  timeline.emit({ type: 'phase', phase: 'after' });
  await ctx.stopLoops((p) => p.mode === 'OnChaos');
  return faultEndedAt;
}

/** Locks the targets a step chose, or refuses the step when another run holds one of them. */
function lockOrRefuse(ctx: RunContext, requests: LockRequest[]): void {
  const { control } = ctx.stores;
  if (!tryLock(control, ctx.runId, requests)) {
    throw new UserError(
      `a target chosen at this step is locked by another run: ${conflictingLocks(control, ctx.runId, requests)
        .map((h) => `${h.target} (run ${h.runId})`)
        .join(', ')}`,
    );
  }
}
