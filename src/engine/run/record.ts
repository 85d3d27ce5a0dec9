/** The record phase: the run ends on the timeline, its report is built and stored, the run unregistered. */
import type { Verdict } from '../../report/types.js';
import { unregisterRun } from '../../safety/active-runs.js';
import { EXIT } from '../../util/errors.js';
import { buildReport, type RunMeasures } from '../report-builder.js';
import type { RunContext, RunResult } from './context.js';

const EXIT_BY_VERDICT: Record<Verdict, number> = EXIT;

/** `measured`: from decideVerdict. */
export function recordRun(ctx: RunContext, measured: RunMeasures): RunResult {
  const { experiment, outcome, timeline, injector, samples } = ctx;
  const endedAt = Date.now();
  timeline.add('run-ended', `${outcome.verdict}: ${outcome.reason}`, endedAt);
  timeline.emit({ type: 'phase', phase: 'done' });
  const report = buildReport(experiment, {
    runId: ctx.runId,
    seed: ctx.seed,
    startedAt: ctx.startedAt,
    endedAt,
    outcome,
    targets: ctx.targets,
    faults: injector.reportFaults,
    samples,
    measured,
    injectedAt: injector.firstInjectedAt,
    alerts: ctx.alerts,
    progressive: ctx.progressive,
    dataLoss: ctx.findings.dataLoss,
    timeline: timeline.events,
  });
  if (ctx.watches.onInterrupt) ctx.options.signal?.removeEventListener('abort', ctx.watches.onInterrupt);
  ctx.stores.store.finishRun(report, samples);
  unregisterRun(ctx.stores.control, ctx.runId);
  return { report, samples, exitCode: EXIT_BY_VERDICT[outcome.verdict] };
}
