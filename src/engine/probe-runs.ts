/**
 * Probe types that keep state over a run (the write probe): each gets its own copy of the config for
 * the run (`ProbeType.forRun`), and, once sampling has stopped after recovery, reports what it found
 * over the whole run (`ProbeType.finish`): lost writes and the observed RPO.
 */
import { findProbeType } from '../probes/registry.js';
import type { DataLoss } from '../report/types.js';
import type { Experiment } from '../spec/load.js';
import { UserError } from '../util/errors.js';
import type { Timeline } from './events.js';

/** The experiment with the run's own config for every stateful probe. */
export function bindProbesToRun(experiment: Experiment, runId: string): Experiment {
  const stateful = experiment.probes.filter((p) => findProbeType(p.type)?.finish);
  if (stateful.filter((p) => p.type === 'write').length > 1) {
    throw new UserError(`one write probe per experiment, found ${stateful.map((p) => p.name).join(', ')}; split the experiment`);
  }
  if (stateful.length === 0) return experiment;
  return {
    ...experiment,
    probes: experiment.probes.map((p) => {
      const forRun = findProbeType(p.type)?.forRun;
      return forRun ? { ...p, config: forRun(p.config, { runId, probe: p.name, intervalMs: p.intervalMs, timeoutMs: p.timeoutMs }) } : p;
    }),
  };
}

export interface ProbeFindings {
  dataLoss?: DataLoss;
  /** reasons that refute the hypothesis */
  failures: string[];
}

/** Asks every stateful probe what it found; a probe that cannot tell is recorded, never fatal. */
export async function finishProbes(
  experiment: Experiment,
  interruptedAt: number | null,
  timeline: Timeline,
  signal: AbortSignal = new AbortController().signal,
): Promise<ProbeFindings> {
  const findings: ProbeFindings = { failures: [] };
  for (const probe of experiment.probes) {
    const finish = findProbeType(probe.type)?.finish;
    if (!finish) continue;
    try {
      const found = await finish(probe.config, probe.expect, { interruptedAt, signal });
      if (found.dataLoss) findings.dataLoss = found.dataLoss;
      if (found.failure) findings.failures.push(found.failure);
      timeline.add(found.dataLoss?.lost ? 'data-loss' : 'data-check', found.summary);
    } catch (error) {
      timeline.add('probe-finish-failed', `${probe.name}: ${(error as Error).message}`);
    }
  }
  return findings;
}
