/**
 * Executes the method's steps in order: a fault step injects into its selected targets and holds for
 * its duration (or until the method ends), a pause waits, a parallel group runs its steps at once.
 * Everything waits on `signal`, so a stop condition, the halt switch or an operator's signal cuts the
 * method short; the caller then reverts whatever is still active.
 */

import { backendFor } from '../backends/index.js';
import type { LockRequest } from '../safety/locks.js';
import type { Experiment } from '../spec/load.js';
import type { FaultStep } from '../spec/schema.js';
import { formatDuration } from '../util/duration.js';
import { sleep } from '../util/sleep.js';
import type { Timeline } from './events.js';
import type { Injector } from './injector.js';
import { planStep } from './plan.js';
import { lockRequestOf } from './target-instance.js';

export interface MethodContext {
  experiment: Experiment;
  seed: number;
  injector: Injector;
  timeline: Timeline;
  signal: AbortSignal;
  /** takes the locks of targets chosen at this step; throws when another run holds one */
  lockTargets: (requests: LockRequest[]) => void;
}

async function runFaultStep(ctx: MethodContext, path: string, step: FaultStep): Promise<void> {
  // Re-resolved now: a supervisor may have restarted a process since the plan was made.
  const planned = await planStep(ctx.experiment, path, step, ctx.seed);
  if (planned.selected.length === 0) {
    const why = planned.candidates.length
      ? `${step.mode} chose none of ${planned.candidates.length} candidate(s)`
      : 'the selector matched nothing (allowEmpty)';
    ctx.timeline.add('step-skipped', `${step.name}: ${why}`);
    return;
  }
  ctx.lockTargets(planned.selected.map(lockRequestOf).filter((r): r is LockRequest => r !== null));
  const injections = await backendFor(ctx.experiment).applyStep(planned, ctx.injector);
  if (step.durationMs === null) return; // held until the method ends
  await sleep(step.durationMs, ctx.signal);
  await Promise.all(injections.map((i) => ctx.injector.revert(i)));
}

export async function runMethod(ctx: MethodContext): Promise<void> {
  const { method } = ctx.experiment;
  for (const [i, step] of method.entries()) {
    if (ctx.signal.aborted) return;
    const durationMs = step.kind === 'parallel' ? Math.max(0, ...step.steps.map((s) => s.durationMs ?? 0)) : step.durationMs;
    ctx.timeline.emit({
      type: 'step',
      index: i,
      total: method.length,
      name: step.name,
      endsAt: durationMs ? Date.now() + durationMs : null,
    });
    ctx.timeline.add('step', `${i + 1}/${method.length} ${step.name}${durationMs ? ` (${formatDuration(durationMs)})` : ''}`);
    if (step.kind === 'pause') await sleep(step.durationMs, ctx.signal);
    else if (step.kind === 'fault') await runFaultStep(ctx, `spec.method[${i}]`, step);
    else await Promise.all(step.steps.map((s, j) => runFaultStep(ctx, `spec.method[${i}].parallel[${j}]`, s)));
  }
}
