/**
 * One run of an experiment (docs/architecture.md, "One run"):
 *
 *   recover journal -> plan (targets, selection) -> guards, SOT probes -> baseline (before)
 *   -> method: inject, hold, revert (during; stop conditions watch) -> recovery (after)
 *   -> EOT probes -> rollbacks -> verdict, measurements, report, store
 *
 * Whatever ends the run (verdict, stop condition, error, operator signal), every fault is reverted
 * before it returns, and every fault was journaled before it took effect.
 */
import { randomBytes } from 'node:crypto';
import { Journal } from '../journal/journal.js';
import { recoverJournal } from '../journal/recover.js';
import { sloContext } from '../measure/slo.js';
import { evaluateTolerance } from '../measure/tolerance.js';
import { findProbeType } from '../probes/registry.js';
import type { Phase, Sample } from '../probes/sample.js';
import { ProbeLoop, sampleProbe } from '../probes/scheduler.js';
import type { ReportProgressive, RunReport, Verdict } from '../report/types.js';
import { registerRun, unregisterRun } from '../safety/active-runs.js';
import { openControlDb } from '../safety/control-db.js';
import { acquireGuardian, releaseGuardian } from '../safety/guardian.js';
import { describeHalt } from '../safety/halt.js';
import { conflictingLocks, type LockRequest, releaseLocks, tryLock } from '../safety/locks.js';
import type { Experiment } from '../spec/load.js';
import type { ProbeSpec } from '../spec/schema.js';
import type { RunRecorder } from '../store/recorder.js';
import { RunStore } from '../store/store.js';
import { EXIT, errorMessage, UserError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { Abort } from './abort.js';
import type { AlertFeed, ReceivedAlert } from './alerts.js';
import { type RunListener, Timeline } from './events.js';
import { watchHalt } from './halt-watch.js';
import { protectionRefusal } from './identity.js';
import { Injector } from './injector.js';
import { runMethod } from './method.js';
import { planExperiment, selectedLabels } from './plan.js';
import { checkBeforeHarm } from './preflight.js';
import { bindProbesToRun, finishProbes } from './probe-runs.js';
import { waitForRecovery } from './recovery.js';
import { buildReport, measureRun } from './report-builder.js';
import { RunResources, setUpTargets } from './resources.js';
import { newSeed } from './rng.js';
import { runRollbacks } from './rollbacks.js';
import { StopWatcher } from './stop-conditions.js';
import { Outcome, settleVerdict } from './verdict.js';

export interface RunOptions {
  /** replays a selection; default: a new random seed, recorded in the report */
  seed?: number;
  /** aborting it reverts everything and ends the run `interrupted` (SIGINT/SIGTERM) */
  signal?: AbortSignal;
  onEvent?: RunListener;
  journal?: Journal;
  /** where the run and its report are recorded; default the SQLite `RunStore` of `$FAULTLINE_HOME` */
  store?: RunRecorder;
  /** alerts received while the run goes (an Alertmanager receiver publishes into an AlertHub) */
  alerts?: AlertFeed;
  /** host-local safety state (halt, locks); default `$FAULTLINE_HOME/control.db` */
  control?: SqliteDatabase;
}

export interface RunResult {
  report: RunReport;
  samples: Sample[];
  exitCode: number;
}

const EXIT_BY_VERDICT: Record<Verdict, number> = EXIT;
/** how often, while faults are active, the stop conditions' probes are checked for silence */
const FRESHNESS_CHECK_MS = 100;

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function probesByMode(experiment: Experiment, ...modes: ProbeSpec['mode'][]): ProbeSpec[] {
  return experiment.probes.filter((p) => modes.includes(p.mode));
}

export async function runExperiment(experiment: Experiment, options: RunOptions = {}): Promise<RunResult> {
  const journal = options.journal ?? new Journal();
  const ownStore = options.store ? undefined : new RunStore();
  const store = options.store ?? (ownStore as RunStore);
  const control = options.control ?? openControlDb();
  // The dead-man's switch: a guardian process that reverts this run's faults if this process dies or
  // stalls. Started now, waited for before any harm (see execute).
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

interface Stores {
  journal: Journal;
  store: RunRecorder;
  control: SqliteDatabase;
  /** settles once the run's guardian watches */
  guarded: Promise<void>;
}

async function execute(parsed: Experiment, options: RunOptions, { journal, store, control, guarded }: Stores): Promise<RunResult> {
  const runId = newRunId();
  const experiment = bindProbesToRun(parsed, runId); // stateful probes (write) get the run's own state
  const seed = options.seed ?? newSeed();
  const startedAt = Date.now();
  const timeline = new Timeline(options.onEvent);
  const outcome = new Outcome();
  const samples: Sample[] = [];
  let phase: Phase = 'before';
  // 'during' begins at the first injection, not when the method starts: a pause step comes first, say.
  const currentPhase = (): Phase => (phase === 'during' && injector.firstInjectedAt === null ? 'before' : phase);
  let targets: string[] = [];
  const harm = new AbortController(); // aborted: stop injecting and revert everything now
  const resources = new RunResources();
  const injector = new Injector(journal, { runId, experiment: experiment.name }, timeline, resources, (target) =>
    protectionRefusal(experiment, target),
  );
  const loops: ProbeLoop[] = [];
  const progressive: ReportProgressive[] = [];

  const onInterrupt = () => {
    outcome.end('interrupted', 'interrupted by the operator (signal); every fault was reverted');
    harm.abort();
  };
  options.signal?.addEventListener('abort', onInterrupt, { once: true });

  const stopWatcher = new StopWatcher(
    experiment.guards.stopWhen,
    (trip) => {
      timeline.add('stop-condition', `${trip.condition} tripped: ${trip.observed}`, trip.at);
      outcome.end('aborted', `stop condition tripped: ${trip.condition} (${trip.observed}) at ${new Date(trip.at).toISOString()}`);
      harm.abort();
    },
    sloContext(experiment),
    new Map(experiment.probes.map((p) => [p.name, p])),
  );
  // Fail closed: while faults are active, a watched probe that goes quiet trips its condition.
  let chaosEndedAt: number | null = null;
  const freshness = setInterval(() => {
    if (injector.firstInjectedAt === null || chaosEndedAt !== null || harm.signal.aborted) return;
    stopWatcher.startWatching(injector.firstInjectedAt);
    stopWatcher.checkFreshness(Date.now());
  }, FRESHNESS_CHECK_MS);

  const record = (sample: Sample, probe: ProbeSpec) => {
    samples.push(sample);
    timeline.emit({ type: 'sample', sample });
    if (sample.phase === 'during' && !harm.signal.aborted) {
      stopWatcher.observe(sample);
      if (!sample.ok && probe.stopOnFailure) {
        timeline.add('probe-failed', `${probe.name} failed with stopOnFailure: ${sample.detail}`, sample.t);
        outcome.end('failed', `probe ${probe.name} failed (stopOnFailure): ${sample.detail}`);
        harm.abort();
      }
    }
  };

  /** Samples every given probe once; returns the failures as `name: detail`. */
  const checkOnce = async (probes: ProbeSpec[], label: string): Promise<string[]> => {
    const results = await Promise.all(probes.map(async (p) => [p, await sampleProbe(p, currentPhase(), harm.signal)] as const));
    for (const [probe, sample] of results) {
      samples.push(sample);
      timeline.add(`${label}-probe`, `${probe.name}: ${sample.ok ? 'ok' : 'FAILED'} (${sample.detail})`, sample.t);
    }
    return results.filter(([, s]) => !s.ok).map(([p, s]) => `${p.name}: ${s.detail}`);
  };

  store.startRun({ id: runId, experiment: experiment.name, file: experiment.file, startedAt: new Date(startedAt).toISOString(), seed });
  timeline.add('run-started', `${experiment.name} run ${runId} (seed ${seed})`, startedAt);
  registerRun(control, runId, experiment.name);
  const alerts: ReceivedAlert[] = [];
  const unsubscribe = options.alerts?.subscribe((alert) => {
    alerts.push(alert);
    timeline.add('alert', `${alert.name} ${alert.status}`, alert.receivedAt);
    if (currentPhase() === 'during' && !harm.signal.aborted) stopWatcher.observeAlert(alert);
  });
  const haltWatch = watchHalt(control, (h) => {
    timeline.add('halted', describeHalt(h));
    outcome.end('aborted', describeHalt(h));
    harm.abort();
  });

  try {
    // 1. Nothing left behind by an earlier run that died.
    for (const r of await recoverJournal(journal, { by: 'the next run' })) {
      if (r.action !== 'skipped-live-run') timeline.add('recovered', r.detail);
    }

    // 2. Before any harm: every probe can run, every selector matches.
    for (const probe of experiment.probes) await findProbeType(probe.type)?.preflight?.(probe.config);
    const plan = await planExperiment(experiment, seed);
    targets = selectedLabels(plan);
    for (const p of plan) for (const action of p.actions) timeline.add('planned', `${p.step.name}: ${action}`);

    // The guardian must watch before anything changes (target setups journal records too); waited for
    // here, before the guard probes, so that its start does not compete with them.
    try {
      await guarded;
    } catch (error) {
      throw new UserError(`${errorMessage(error)}; faultline injects nothing without it (it reverts the faults if this process dies)`);
    }

    // 3. Halt switch, policy, guards, locks, guard and start-of-test probes.
    timeline.emit({ type: 'phase', phase: 'before' });
    const onSample = (sample: Sample) => samples.push(sample);
    const guards = await checkBeforeHarm({ experiment, plan, runId, control, dryRun: false, signal: harm.signal, onSample });
    for (const g of guards) timeline.add(g.ok ? (g.warning ? 'guard-warning' : 'guard') : 'guard-refused', `${g.guard}: ${g.detail}`);
    const refused = guards.find((g) => !g.ok);
    if (refused) throw new Abort(`guard ${refused.guard} refused before any fault: ${refused.detail}`);

    // 4. What targets need for the whole run (proxies in front of endpoints), then the baseline:
    //    the steady state must hold before we break anything.
    await setUpTargets(experiment.targets, { runId, experiment: experiment.name, resources }, journal);
    for (const probe of probesByMode(experiment, 'Continuous')) loops.push(new ProbeLoop(probe, currentPhase, record));
    const steadyProbes = experiment.probes.filter((p) => experiment.steadyState.probes.includes(p.name));
    const minInterval = Math.min(...steadyProbes.map((p) => p.intervalMs));
    const baselineMs = experiment.steadyState.baseline ?? (steadyProbes.length ? 3 * minInterval : 0);
    await sleep(baselineMs, harm.signal);
    if (harm.signal.aborted) throw new Abort(outcome.reason);
    // OnChaos probes sample only while faults are active: the baseline is judged on the Continuous ones
    const continuous = steadyProbes.filter((p) => p.mode === 'Continuous').map((p) => p.name);
    const baseline = samples.filter((s) => s.phase === 'before' && continuous.includes(s.probe));
    if (continuous.length) {
      const broken = evaluateTolerance(experiment.steadyState.tolerance, baseline).filter((t) => !t.ok);
      if (broken.length) {
        throw new Abort(
          `the steady state did not hold before any fault (${broken.map((t) => `${t.name} ${t.actual ?? 'n/a'}, expected ${t.expected}`).join('; ')}); fix the system or the tolerance first`,
        );
      }
    }

    // 5. Chaos.
    phase = 'during';
    timeline.emit({ type: 'phase', phase: 'during' });
    for (const probe of probesByMode(experiment, 'OnChaos')) loops.push(new ProbeLoop(probe, currentPhase, record));
    try {
      const lockTargets = (requests: LockRequest[]) => {
        if (!tryLock(control, runId, requests)) {
          throw new UserError(
            `a target chosen at this step is locked by another run: ${conflictingLocks(control, runId, requests)
              .map((h) => `${h.target} (run ${h.runId})`)
              .join(', ')}`,
          );
        }
      };
      await runMethod({ experiment, seed, injector, timeline, signal: harm.signal, lockTargets, samples, progressive });
    } finally {
      await injector.revertAll();
    }
    const faultEndedAt = injector.lastRevertedAt ?? Date.now();
    chaosEndedAt = Date.now();
    if (injector.revertedElsewhere.length) {
      outcome.end(
        'aborted',
        `this runner stopped making progress while faults were active, and its guardian reverted them: ${injector.revertedElsewhere.join('; ')}`,
      );
    }
    phase = 'after';
    timeline.emit({ type: 'phase', phase: 'after' });
    await stopLoops(loops, (p) => p.mode === 'OnChaos');

    // 6. Recovery: keep probing until the steady state is back, within recoveryTimeout.
    if (outcome.verdict !== 'interrupted' && steadyProbes.length) {
      await waitForRecovery(experiment, samples, faultEndedAt, options.signal);
    }
  } catch (error) {
    if (error instanceof Abort) outcome.end('aborted', error.message);
    else outcome.end('error', errorMessage(error));
    if (!(error instanceof Abort || error instanceof UserError)) timeline.add('error', errorMessage(error));
  } finally {
    await injector.revertAll();
  }

  // 7. End-of-test probes, rollbacks.
  phase = 'after';
  chaosEndedAt ??= Date.now();
  clearInterval(freshness);
  await stopLoops(loops, () => true);
  haltWatch.stop();
  unsubscribe?.();
  releaseLocks(control, runId);
  if (outcome.verdict === 'passed' || outcome.verdict === 'failed') {
    const eotFailures = await checkOnce(probesByMode(experiment, 'EOT', 'Edge'), 'EOT');
    if (eotFailures.length) outcome.end('failed', `end-of-test probe failed: ${eotFailures.join('; ')}`);
  }
  const findings = await finishProbes(experiment, injector.firstInjectedAt, timeline, options.signal); // lost writes
  for (const failure of findings.failures) outcome.end('failed', failure);
  for (const problem of await resources.disposeAll()) timeline.add('teardown-failed', `${problem}; run faultline recover`);
  await runRollbacks(experiment, timeline);

  // 8. Verdict and measurements.
  const markers = { injectedAt: injector.firstInjectedAt, faultEndedAt: injector.lastRevertedAt, chaosEndedAt };
  const measured = measureRun(experiment, samples, markers, { alerts, dataLoss: findings.dataLoss });
  settleVerdict(experiment, outcome, {
    tolerances: measured.tolerances,
    mttrMs: measured.recoveryMs,
    objectives: measured.objectives,
    duringSamples: measured.duringSamples,
    injected: injector.firstInjectedAt !== null,
    progressive,
    faults: injector.reportFaults,
    coverage: measured.coverage,
    intervals: new Map(experiment.probes.map((p) => [p.name, p.intervalMs])),
  });

  const endedAt = Date.now();
  timeline.add('run-ended', `${outcome.verdict}: ${outcome.reason}`, endedAt);
  timeline.emit({ type: 'phase', phase: 'done' });
  const report = buildReport(experiment, {
    runId,
    seed,
    startedAt,
    endedAt,
    outcome,
    targets,
    faults: injector.reportFaults,
    samples,
    measured,
    injectedAt: injector.firstInjectedAt,
    alerts,
    progressive,
    dataLoss: findings.dataLoss,
    timeline: timeline.events,
  });
  options.signal?.removeEventListener('abort', onInterrupt);
  store.finishRun(report, samples);
  unregisterRun(control, runId);
  return { report, samples, exitCode: EXIT_BY_VERDICT[outcome.verdict] };
}

async function stopLoops(loops: ProbeLoop[], which: (p: ProbeSpec) => boolean): Promise<void> {
  await Promise.all(loops.filter((l) => which(l.probe)).map((l) => l.stop()));
}
