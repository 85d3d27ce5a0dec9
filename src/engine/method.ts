/**
 * Executes the method's steps in order: a fault step injects into its selected targets and holds for
 * its duration (or until the method ends), a pause waits, a parallel group runs its steps at once.
 * Everything waits on `signal`, so a stop condition, the halt switch or an operator's signal cuts the
 * method short; the caller then reverts whatever is still active.
 */
import type { Step } from '../spec/schema.js';
import { formatDuration } from '../util/duration.js';
import { sleep } from '../util/sleep.js';
import { type MethodContext, runFaultStep } from './fault-step.js';
import { runProgressive } from './progressive.js';

function stepDuration(step: Step): number | null {
  if (step.kind === 'parallel') return Math.max(0, ...step.steps.map((s) => s.durationMs ?? 0));
  if (step.kind === 'progressive')
    return step.stages.reduce((sum, s) => sum + (s.step.durationMs ?? 0), 0) + step.pauseMs * (step.stages.length - 1);
  return step.durationMs;
}

export async function runMethod(ctx: MethodContext): Promise<void> {
  const { method } = ctx.experiment;
  for (const [i, step] of method.entries()) {
    if (ctx.signal.aborted) return;
    const durationMs = stepDuration(step);
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
    else if (step.kind === 'progressive') await runProgressive(ctx, `spec.method[${i}]`, step);
    else await Promise.all(step.steps.map((s, j) => runFaultStep(ctx, `spec.method[${i}].parallel[${j}]`, s)));
  }
}
