/** The verdict phase: the run's measurements, and the rules of engine/verdict.ts applied to them. */
import { measureRun, type RunMeasures } from '../report-builder.js';
import { settleVerdict } from '../verdict.js';
import type { RunContext } from './context.js';

/** Measures the samples and settles `ctx.outcome`; returns the measurements, for the report. */
export function decideVerdict(ctx: RunContext): RunMeasures {
  const { experiment, injector } = ctx;
  const markers = { injectedAt: injector.firstInjectedAt, faultEndedAt: injector.lastRevertedAt, chaosEndedAt: ctx.chaosEndedAt };
  const measured = measureRun(experiment, ctx.samples, markers, { alerts: ctx.alerts, dataLoss: ctx.findings.dataLoss });
  settleVerdict(experiment, ctx.outcome, {
    tolerances: measured.tolerances,
    mttrMs: measured.recoveryMs,
    objectives: measured.objectives,
    duringSamples: measured.duringSamples,
    injected: injector.firstInjectedAt !== null,
    progressive: ctx.progressive,
    faults: injector.reportFaults,
    coverage: measured.coverage,
    intervals: new Map(experiment.probes.map((p) => [p.name, p.intervalMs])),
  });
  return measured;
}
