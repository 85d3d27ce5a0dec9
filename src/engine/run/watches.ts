/**
 * What can end a run early, watched from its start to the end of its chaos: the operator's signal, the
 * stop conditions (and the freshness of their probes), received alerts and the halt switch.
 */
import { registerRun } from '../../safety/active-runs.js';
import { noticeStall, onStall } from '../../safety/guardian.js';
import { describeHalt } from '../../safety/halt.js';
import { releaseLocks } from '../../safety/locks.js';
import { formatDuration } from '../../util/duration.js';
import { watchHalt } from '../halt-watch.js';
import type { RunContext } from './context.js';

/** how often, while faults are active, the stop conditions' probes are checked for silence */
export const FRESHNESS_CHECK_MS = 100;

/** Records the run's start and starts its watches (stopWatching and recordRun stop them). */
export function openRun(ctx: RunContext): void {
  const { experiment, options, timeline, watches, injector, stopWatcher, harm } = ctx;
  const { store, control } = ctx.stores;
  watches.onInterrupt = () => ctx.stopHarm('interrupted', 'interrupted by the operator (signal); every fault was reverted');
  options.signal?.addEventListener('abort', watches.onInterrupt, { once: true });
  // Fail closed: while faults are active, a watched probe that goes quiet trips its condition.
  watches.freshness = setInterval(() => {
    noticeStall(ctx.stores.journal.file); // a stall (below) is told first: its silence is not the probes'
    if (injector.firstInjectedAt === null || ctx.chaosEndedAt !== null || harm.signal.aborted) return;
    stopWatcher.startWatching(injector.firstInjectedAt);
    stopWatcher.checkFreshness(Date.now());
  }, FRESHNESS_CHECK_MS);
  // A runner that itself stood still past the stall timeout (stopped, frozen, starved) ends the run at
  // once: its guardian reverted the faults meanwhile, so what follows is no longer the chaos planned.
  // (From the method's start: a runner frozen half-way through an injection is reverted too.)
  watches.unwatchStall = onStall(ctx.stores.journal.file, (gapMs, stallMs) => {
    if (ctx.phase !== 'during' || ctx.chaosEndedAt !== null || harm.signal.aborted) return;
    const took = `${formatDuration(gapMs)}, longer than the stall timeout of ${formatDuration(stallMs)}`;
    timeline.add('stalled', `this runner stood still for ${took}`);
    ctx.stopHarm(
      'aborted',
      `this runner stopped making progress during the chaos (for ${took}); its guardian reverts the run's faults then`,
    );
  });

  store.startRun({
    id: ctx.runId,
    experiment: experiment.name,
    file: experiment.file,
    startedAt: new Date(ctx.startedAt).toISOString(),
    seed: ctx.seed,
  });
  timeline.add('run-started', `${experiment.name} run ${ctx.runId} (seed ${ctx.seed})`, ctx.startedAt);
  registerRun(control, ctx.runId, experiment.name);
  watches.unsubscribe = options.alerts?.subscribe((alert) => {
    ctx.alerts.push(alert);
    timeline.add('alert', `${alert.name} ${alert.status}`, alert.receivedAt);
    if (ctx.currentPhase() === 'during' && !harm.signal.aborted) stopWatcher.observeAlert(alert);
  });
  watches.haltWatch = watchHalt(control, (h) => {
    timeline.add('halted', describeHalt(h));
    ctx.stopHarm('aborted', describeHalt(h));
  });
}

/**
 * Once every fault is reverted, whatever ended the method: stops the probe loops and the watches, and
 * releases the run's target locks. (The operator's signal is watched until the run is recorded.)
 */
export async function stopWatching(ctx: RunContext): Promise<void> {
  ctx.phase = 'after';
  ctx.chaosEndedAt ??= Date.now();
  clearInterval(ctx.watches.freshness);
  ctx.watches.unwatchStall?.();
  await ctx.stopLoops(() => true);
  ctx.watches.haltWatch?.stop();
  ctx.watches.unsubscribe?.();
  releaseLocks(ctx.stores.control, ctx.runId);
}
