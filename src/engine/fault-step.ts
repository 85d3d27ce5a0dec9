/**
 * One fault step of the method: plan it again now, inject into the selected targets through the
 * backend, hold it for its duration (or until the method ends), revert. Shared by plain, parallel and
 * progressive steps (method.ts, progressive.ts).
 */
import { backendFor } from '../backends/index.js';
import type { Sample } from '../probes/sample.js';
import type { ReportProgressive } from '../report/types.js';
import type { LockRequest } from '../safety/locks.js';
import type { Experiment } from '../spec/load.js';
import type { FaultStep } from '../spec/schema.js';
import { sleep } from '../util/sleep.js';
import type { Timeline } from './events.js';
import type { Injector } from './injector.js';
import { planStep } from './plan.js';
import { instanceLabel, lockRequestOf } from './target-instance.js';

export interface MethodContext {
  experiment: Experiment;
  seed: number;
  injector: Injector;
  timeline: Timeline;
  signal: AbortSignal;
  /** takes the locks of targets chosen at this step; throws when another run holds one */
  lockTargets: (requests: LockRequest[]) => void;
  /** the run's samples so far (a progressive step judges each stage on them) */
  samples?: readonly Sample[];
  /** where progressive steps put their outcome, for the report */
  progressive?: ReportProgressive[];
}

/** What a fault step hit, and when its faults were in effect (epoch ms; null when it injected nothing). */
export interface HeldStep {
  targets: string[];
  heldFrom: number | null;
  heldUntil: number | null;
}

export async function runFaultStep(ctx: MethodContext, path: string, step: FaultStep): Promise<HeldStep> {
  // Re-resolved now: a supervisor may have restarted a process since the plan was made.
  const planned = await planStep(ctx.experiment, path, step, ctx.seed);
  if (planned.selected.length === 0) {
    const why = planned.candidates.length
      ? `${step.mode} chose none of ${planned.candidates.length} candidate(s)`
      : 'the selector matched nothing (allowEmpty)';
    ctx.timeline.add('step-skipped', `${step.name}: ${why}`);
    return { targets: [], heldFrom: null, heldUntil: null };
  }
  ctx.lockTargets(planned.selected.map(lockRequestOf).filter((r): r is LockRequest => r !== null));
  const injections = await backendFor(ctx.experiment).applyStep(planned, ctx.injector);
  const targets = planned.selected.map(instanceLabel);
  const heldFrom = Date.now();
  if (step.durationMs === null) return { targets, heldFrom, heldUntil: null }; // held until the method ends
  await sleep(step.durationMs, ctx.signal);
  const heldUntil = Date.now();
  await Promise.all(injections.map((i) => ctx.injector.revert(i)));
  return { targets, heldFrom, heldUntil };
}
