/**
 * Progressive chaos: one fault at growing intensity, stage after stage. Each stage is held for its
 * duration, then judged on the steady-state samples taken while it was held, against its threshold.
 * Escalation stops at the first stage that does not hold (or cannot be judged): the report says how far
 * the system held, and the run fails when that stage was required.
 *
 *   stage 1 (held) -> pause -> stage 2 (held) -> pause -> stage 3 (broke): stop; heldUpTo = stage 2
 */
import { evaluateTolerance } from '../measure/tolerance.js';
import type { ReportProgressive, ReportProgressiveStage, ReportTolerance } from '../report/types.js';
import type { ProgressiveStep, Tolerance } from '../spec/schema.js';
import { formatDuration } from '../util/duration.js';
import { sleep } from '../util/sleep.js';
import { type MethodContext, runFaultStep } from './fault-step.js';

function describeTolerances(tolerances: readonly ReportTolerance[]): string {
  return tolerances
    .filter((t) => !t.ok)
    .map((t) => `${t.name} ${t.actual === null ? 'n/a' : Number(t.actual.toFixed(4))}, expected ${t.expected}`)
    .join('; ');
}

function stageRecord(step: ProgressiveStep, j: number): ReportProgressiveStage {
  const stage = step.stages[j] as ProgressiveStep['stages'][number];
  return {
    index: j + 1,
    name: stage.step.name,
    mode: stage.step.mode,
    ...(stage.step.value === undefined ? {} : { value: stage.step.value }),
    params: stage.step.params,
    durationMs: stage.step.durationMs,
    required: stage.required,
    targets: [],
    startedAt: null,
    endedAt: null,
    outcome: 'not-run',
    tolerances: [],
    samples: 0,
  };
}

export async function runProgressive(ctx: MethodContext, path: string, step: ProgressiveStep): Promise<ReportProgressive> {
  const { steadyState } = ctx.experiment;
  const result: ReportProgressive = {
    step: step.name,
    path,
    fault: step.fault,
    stages: step.stages.map((_, j) => stageRecord(step, j)),
    heldUpTo: null,
    heldUpToIndex: 0,
    stoppedAt: null,
  };
  ctx.progressive?.push(result);

  for (const [j, stage] of step.stages.entries()) {
    const record = result.stages[j] as ReportProgressiveStage;
    if (ctx.signal.aborted) break;
    if (j > 0 && step.pauseMs > 0) {
      await sleep(step.pauseMs, ctx.signal);
      if (ctx.signal.aborted) break;
    }
    const selection = `${stage.step.mode}${stage.step.value === undefined ? '' : ` ${stage.step.value}`}`;
    ctx.timeline.add(
      'stage',
      `${step.name}: stage ${j + 1}/${step.stages.length} ${stage.step.name} (${selection}, ${formatDuration(stage.step.durationMs)})`,
    );
    const held = await runFaultStep(ctx, `${path}.progressive.stages[${j}]`, stage.step);
    record.targets = held.targets;
    record.startedAt = held.heldFrom === null ? null : new Date(held.heldFrom).toISOString();
    record.endedAt = held.heldUntil === null ? null : new Date(held.heldUntil).toISOString();
    if (ctx.signal.aborted) {
      record.outcome = 'aborted';
      result.stoppedAt = record.name;
      ctx.timeline.add('stage-aborted', `${step.name}: the run was stopped during stage ${j + 1} (${record.name})`);
      break;
    }
    if (held.heldFrom === null || held.heldUntil === null) {
      record.outcome = 'skipped';
      continue;
    }
    const { heldFrom, heldUntil } = held;
    const samples = (ctx.samples ?? []).filter(
      (s) => steadyState.probes.includes(s.probe) && s.phase === 'during' && s.t >= heldFrom && s.t < heldUntil,
    );
    record.samples = samples.length;
    const tolerance: Tolerance = stage.threshold ?? steadyState.tolerance;
    record.tolerances = samples.length ? evaluateTolerance(tolerance, samples) : [];
    if (!samples.length) {
      record.outcome = 'inconclusive';
      result.stoppedAt = record.name;
      ctx.timeline.add(
        'stage-inconclusive',
        `${step.name}: no steady-state sample while stage ${j + 1} (${record.name}) was held; escalation stops (make the stage longer than the probe interval)`,
      );
      break;
    }
    if (record.tolerances.every((t) => t.ok)) {
      record.outcome = 'held';
      result.heldUpTo = record.name;
      result.heldUpToIndex = j + 1;
      ctx.timeline.add('stage-held', `${step.name}: stage ${j + 1} (${record.name}) held over ${samples.length} samples`);
      continue;
    }
    record.outcome = 'broke';
    result.stoppedAt = record.name;
    ctx.timeline.add(
      'stage-broke',
      `${step.name}: stage ${j + 1} (${record.name}) broke: ${describeTolerances(record.tolerances)}; escalation stops`,
    );
    break;
  }
  return result;
}

/** The reason a run fails because of its progressive steps, or null when every required stage held. */
export function progressiveFailure(results: readonly ReportProgressive[]): string | null {
  for (const result of results) {
    const stopped = result.stages.find((s) => s.name === result.stoppedAt && (s.outcome === 'broke' || s.outcome === 'inconclusive'));
    if (!stopped?.required) continue;
    const held =
      result.heldUpTo === null
        ? 'no stage held'
        : `it held up to stage ${result.heldUpToIndex} of ${result.stages.length} (${result.heldUpTo})`;
    const why = stopped.outcome === 'broke' ? describeTolerances(stopped.tolerances) : 'no steady-state sample was taken while it was held';
    return `${result.step}: the steady state broke at stage ${stopped.index} of ${result.stages.length} (${stopped.name}: ${why}); ${held}`;
  }
  return null;
}

/** One line per progressive step: how far the system held. */
export function describeProgressive(result: ReportProgressive): string {
  const total = result.stages.length;
  if (result.stoppedAt === null && result.heldUpToIndex === total) return `${result.step}: every stage held (${total} of ${total})`;
  const held = result.heldUpTo === null ? 'no stage held' : `held up to stage ${result.heldUpToIndex} of ${total} (${result.heldUpTo})`;
  return result.stoppedAt === null ? `${result.step}: ${held}` : `${result.step}: ${held}; stopped at ${result.stoppedAt}`;
}
