/** The first phases of a run: nothing left behind by an earlier run, then the plan, before any harm. */
import { recoverJournal } from '../../journal/recover.js';
import { findProbeType } from '../../probes/registry.js';
import { planExperiment, selectedLabels } from '../plan.js';
import type { RunContext } from './context.js';

/** Reverts what an earlier run that died left behind (journal/recover.ts). */
export async function recoverEarlierRuns(ctx: RunContext): Promise<void> {
  for (const r of await recoverJournal(ctx.stores.journal, { by: 'the next run' })) {
    if (r.action !== 'skipped-live-run') ctx.timeline.add('recovered', r.detail);
  }
}

/** Before any harm: every probe can run, every selector matches; the plan goes on the timeline. */
export async function planRun(ctx: RunContext): Promise<void> {
  const { experiment, timeline } = ctx;
  for (const probe of experiment.probes) await findProbeType(probe.type)?.preflight?.(probe.config);
  ctx.plan = await planExperiment(experiment, ctx.seed);
  ctx.targets = selectedLabels(ctx.plan);
  for (const p of ctx.plan) for (const action of p.actions) timeline.add('planned', `${p.step.name}: ${action}`);
}
