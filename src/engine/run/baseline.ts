/** The baseline phase: what targets need for the whole run, then the steady state must hold before we break anything. */
import { evaluateTolerance } from '../../measure/tolerance.js';
import { ProbeLoop } from '../../probes/scheduler.js';
import { sleep } from '../../util/sleep.js';
import { Abort } from '../abort.js';
import { setUpTargets } from '../resources.js';
import { probesByMode, type RunContext } from './context.js';

/**
 * Sets up the targets (the proxy of an endpoint), starts the Continuous probes and samples for the
 * baseline; throws an Abort when the run was stopped meanwhile or the steady state did not hold.
 */
export async function takeBaseline(ctx: RunContext): Promise<void> {
  const { experiment, steadyProbes, harm } = ctx;
  await setUpTargets(experiment.targets, { runId: ctx.runId, experiment: experiment.name, resources: ctx.resources }, ctx.stores.journal);
  for (const probe of probesByMode(experiment, 'Continuous')) ctx.loops.push(new ProbeLoop(probe, ctx.currentPhase, ctx.record));
  const minInterval = Math.min(...steadyProbes.map((p) => p.intervalMs));
  const baselineMs = experiment.steadyState.baseline ?? (steadyProbes.length ? 3 * minInterval : 0);
  await sleep(baselineMs, harm.signal);
  if (harm.signal.aborted) throw new Abort(ctx.outcome.reason);
  // OnChaos probes sample only while faults are active: the baseline is judged on the Continuous ones
  const continuous = steadyProbes.filter((p) => p.mode === 'Continuous').map((p) => p.name);
  const baseline = ctx.samples.filter((s) => s.phase === 'before' && continuous.includes(s.probe));
  if (continuous.length) {
    const broken = evaluateTolerance(experiment.steadyState.tolerance, baseline).filter((t) => !t.ok);
    if (broken.length) {
      throw new Abort(
        `the steady state did not hold before any fault (${broken.map((t) => `${t.name} ${t.actual ?? 'n/a'}, expected ${t.expected}`).join('; ')}); fix the system or the tolerance first`,
      );
    }
  }
}
