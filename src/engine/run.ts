/**
 * One run of an experiment (docs/architecture.md, "One run"): a list of phases over one RunContext,
 * each a function of its own file in engine/run/:
 *
 *   recover journal -> plan (targets, selection) -> guards, SOT probes -> baseline (before)
 *   -> method: inject, hold, revert (during; stop conditions watch) -> recovery (after)
 *   -> EOT probes -> rollbacks -> verdict, measurements, report, store
 *
 * Whatever ends the run (verdict, stop condition, error, operator signal), every fault is reverted
 * before it returns, and every fault was journaled before it took effect.
 */
import { Journal } from '../journal/journal.js';
import { openControlDb } from '../safety/control-db.js';
import { acquireGuardian, releaseGuardian } from '../safety/guardian.js';
import type { Experiment } from '../spec/load.js';
import { RunStore } from '../store/store.js';
import { errorMessage, UserError } from '../util/errors.js';
import { Abort } from './abort.js';
import { takeBaseline } from './run/baseline.js';
import { injectChaos } from './run/chaos.js';
import { RunContext, type RunOptions, type RunResult, type RunStores } from './run/context.js';
import { endOfTest } from './run/end-of-test.js';
import { checkGuards } from './run/guards.js';
import { planRun, recoverEarlierRuns } from './run/plan.js';
import { recordRun } from './run/record.js';
import { awaitRecovery } from './run/recovery.js';
import { decideVerdict } from './run/verdict.js';
import { openRun, stopWatching } from './run/watches.js';

export type { RunOptions, RunResult } from './run/context.js';

export async function runExperiment(experiment: Experiment, options: RunOptions = {}): Promise<RunResult> {
  const journal = options.journal ?? new Journal();
  const ownStore = options.store ? undefined : new RunStore();
  const store = options.store ?? (ownStore as RunStore);
  const control = options.control ?? openControlDb();
  // The dead-man's switch: a guardian process that reverts this run's faults if this process dies or
  // stalls. Started now, waited for before any harm (see checkGuards).
  const guarded = acquireGuardian(journal.file);
  guarded.catch(() => {});
  try {
    return await execute(experiment, options, { journal, store, control, guarded });
  } finally {
    releaseGuardian(journal.file);
    if (!options.journal) journal.close();
    ownStore?.close();
    if (!options.control) control.close();
  }
}

async function execute(experiment: Experiment, options: RunOptions, stores: RunStores): Promise<RunResult> {
  const ctx = new RunContext(experiment, options, stores);
  openRun(ctx);
  try {
    await recoverEarlierRuns(ctx);
    await planRun(ctx);
    await checkGuards(ctx);
    await takeBaseline(ctx);
    const faultEndedAt = await injectChaos(ctx);
    await awaitRecovery(ctx, faultEndedAt);
  } catch (error) {
    endOnError(ctx, error);
  } finally {
    await ctx.injector.revertAll();
  }
  await stopWatching(ctx);
  await endOfTest(ctx);
  const measured = decideVerdict(ctx);
  return recordRun(ctx, measured);
}

/** An Abort (a guard, the baseline, a stop) ends the run `aborted`; anything else `error`, on the timeline unless the user's own mistake. */
function endOnError(ctx: RunContext, error: unknown): void {
  if (error instanceof Abort) ctx.outcome.end('aborted', error.message);
  else ctx.outcome.end('error', errorMessage(error));
  if (!(error instanceof Abort || error instanceof UserError)) ctx.timeline.add('error', errorMessage(error));
}
