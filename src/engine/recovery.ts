/** The recovery wait of a run: after the faults end, the steady state must come back. */
import type { Sample } from '../probes/sample.js';
import type { Experiment } from '../spec/load.js';
import { sleep } from '../util/sleep.js';

/** Waits until every steady-state probe has k consecutive good samples after the faults ended, or the timeout. */
export async function waitForRecovery(
  experiment: Experiment,
  samples: Sample[],
  faultEndedAt: number,
  signal?: AbortSignal,
): Promise<void> {
  const { recoverySamples: k, recoveryTimeout } = experiment.steadyState;
  const deadline = faultEndedAt + recoveryTimeout;
  const recovered = () =>
    experiment.steadyState.probes.every((name) => {
      const after = samples.filter((s) => s.probe === name && s.t >= faultEndedAt);
      return after.length >= k && after.slice(-k).every((s) => s.ok);
    });
  while (!recovered() && Date.now() < deadline && !signal?.aborted) await sleep(50, signal);
}
