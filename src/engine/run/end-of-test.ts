/** The end-of-test phase, once every fault is reverted: EOT probes, what stateful probes found, teardown, rollbacks. */
import { finishProbes } from '../probe-runs.js';
import { runRollbacks } from '../rollbacks.js';
import { probesByMode, type RunContext } from './context.js';

export async function endOfTest(ctx: RunContext): Promise<void> {
  const { experiment, outcome, timeline } = ctx;
  // a run already aborted or errored is not judged, so its EOT probes are not taken
  if (outcome.verdict === 'passed' || outcome.verdict === 'failed') {
    const eotFailures = await ctx.checkOnce(probesByMode(experiment, 'EOT', 'Edge'), 'EOT');
    if (eotFailures.length) outcome.end('failed', `end-of-test probe failed: ${eotFailures.join('; ')}`);
  }
  ctx.findings = await finishProbes(experiment, ctx.injector.firstInjectedAt, timeline, ctx.options.signal); // lost writes
  for (const failure of ctx.findings.failures) outcome.end('failed', failure);
  for (const problem of await ctx.resources.disposeAll()) timeline.add('teardown-failed', `${problem}; run faultline recover`);
  await runRollbacks(experiment, timeline);
}
