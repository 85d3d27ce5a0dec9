/**
 * The state of one run, shared by its phases (engine/run/*.ts): what was planned, the samples, the
 * outcome so far, the faults (injector), and the watches that can end the run early.
 */
import { randomBytes } from 'node:crypto';
import type { PlannedFault } from '../../backends/types.js';
import type { Journal } from '../../journal/journal.js';
import { sloContext } from '../../measure/slo.js';
import type { Phase, Sample } from '../../probes/sample.js';
import { type ProbeLoop, sampleProbe } from '../../probes/scheduler.js';
import type { ReportProgressive, RunReport, Verdict } from '../../report/types.js';
import type { Experiment } from '../../spec/load.js';
import type { ProbeSpec } from '../../spec/schema.js';
import type { RunRecorder } from '../../store/recorder.js';
import type { SqliteDatabase } from '../../util/sqlite.js';
import type { AlertFeed, ReceivedAlert } from '../alerts.js';
import { type RunListener, Timeline } from '../events.js';
import type { HaltWatch } from '../halt-watch.js';
import { protectionRefusal } from '../identity.js';
import { Injector } from '../injector.js';
import { bindProbesToRun, type ProbeFindings } from '../probe-runs.js';
import { RunResources } from '../resources.js';
import { newSeed } from '../rng.js';
import { StopWatcher } from '../stop-conditions.js';
import { Outcome } from '../verdict.js';

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

/** Where a run keeps its state, open for the whole run (runExperiment opens and closes them). */
export interface RunStores {
  journal: Journal;
  store: RunRecorder;
  control: SqliteDatabase;
  /** settles once the run's guardian watches */
  guarded: Promise<void>;
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function probesByMode(experiment: Experiment, ...modes: ProbeSpec['mode'][]): ProbeSpec[] {
  return experiment.probes.filter((p) => modes.includes(p.mode));
}

export interface RunWatches {
  onInterrupt?: () => void;
  freshness?: NodeJS.Timeout;
  unwatchStall?: () => void;
  unsubscribe?: () => void;
  haltWatch?: HaltWatch;
}

export class RunContext {
  readonly runId = newRunId();
  /** the experiment with its stateful probes (write) bound to this run's own state */
  readonly experiment: Experiment;
  readonly seed: number;
  readonly startedAt = Date.now();
  readonly timeline: Timeline;
  readonly outcome = new Outcome();
  readonly samples: Sample[] = [];
  phase: Phase = 'before';
  /** the labels of the targets the plan selected */
  targets: string[] = [];
  plan: PlannedFault[] = [];
  /** aborted: stop injecting and revert everything now */
  readonly harm = new AbortController();
  readonly resources = new RunResources();
  readonly injector: Injector;
  readonly loops: ProbeLoop[] = [];
  readonly progressive: ReportProgressive[] = [];
  readonly alerts: ReceivedAlert[] = [];
  readonly stopWatcher: StopWatcher;
  /** the probes that judge the steady state */
  readonly steadyProbes: ProbeSpec[];
  /** when the method ended (faults reverted), or the run ended without chaos */
  chaosEndedAt: number | null = null;
  /** what the probes found once the run was over (lost writes) */
  findings: ProbeFindings = { failures: [] };
  /** what openRun started and closeWatches stops (engine/run/watches.ts) */
  readonly watches: RunWatches = {};

  constructor(
    parsed: Experiment,
    readonly options: RunOptions,
    readonly stores: RunStores,
  ) {
    this.experiment = bindProbesToRun(parsed, this.runId);
    this.seed = options.seed ?? newSeed();
    this.timeline = new Timeline(options.onEvent);
    const experiment = this.experiment;
    this.injector = new Injector(
      stores.journal,
      { runId: this.runId, experiment: experiment.name },
      this.timeline,
      this.resources,
      (target) => protectionRefusal(experiment, target),
    );
    this.stopWatcher = new StopWatcher(
      experiment.guards.stopWhen,
      (trip) => {
        this.timeline.add('stop-condition', `${trip.condition} tripped: ${trip.observed}`, trip.at);
        this.stopHarm('aborted', `stop condition tripped: ${trip.condition} (${trip.observed}) at ${new Date(trip.at).toISOString()}`);
      },
      sloContext(experiment),
      new Map(experiment.probes.map((p) => [p.name, p])),
    );
    this.steadyProbes = experiment.probes.filter((p) => experiment.steadyState.probes.includes(p.name));
  }

  /** Ends the run (the first ending stands) and reverts every fault now. */
  stopHarm(verdict: Verdict, reason: string): void {
    this.outcome.end(verdict, reason);
    this.harm.abort();
  }

  /** The phase samples are taken in: 'during' begins at the first injection, not when the method starts (a pause step comes first, say). */
  readonly currentPhase = (): Phase => (this.phase === 'during' && this.injector.firstInjectedAt === null ? 'before' : this.phase);

  /**
   * Keeps a sample of a probe loop. The stop conditions and stopOnFailure judge the samples that saw the
   * faults held from their start to their end: one in flight while a fault went in or came out counts in
   * the chaos window's figures (phaseOfSample), but may have seen the system without the fault, and
   * cannot show what the fault was to do.
   */
  readonly record = (sample: Sample, probe: ProbeSpec): void => {
    this.samples.push(sample);
    this.timeline.emit({ type: 'sample', sample });
    if (sample.phase === 'during' && !this.harm.signal.aborted) {
      const judged = this.injector.faultsHeldSince(sample.t);
      this.stopWatcher.observe(sample, judged);
      if (judged && !sample.ok && probe.stopOnFailure) {
        this.timeline.add('probe-failed', `${probe.name} failed with stopOnFailure: ${sample.detail}`, sample.t);
        this.stopHarm('failed', `probe ${probe.name} failed (stopOnFailure): ${sample.detail}`);
      }
    }
  };

  /** Samples every given probe once; returns the failures as `name: detail`. */
  async checkOnce(probes: ProbeSpec[], label: string): Promise<string[]> {
    const results = await Promise.all(probes.map(async (p) => [p, await sampleProbe(p, this.currentPhase(), this.harm.signal)] as const));
    for (const [probe, sample] of results) {
      this.samples.push(sample);
      this.timeline.add(`${label}-probe`, `${probe.name}: ${sample.ok ? 'ok' : 'FAILED'} (${sample.detail})`, sample.t);
    }
    return results.filter(([, s]) => !s.ok).map(([p, s]) => `${p.name}: ${s.detail}`);
  }

  /** Stops the probe loops of the probes `which` accepts, and waits for their last samples. */
  async stopLoops(which: (p: ProbeSpec) => boolean): Promise<void> {
    await Promise.all(this.loops.filter((l) => which(l.probe)).map((l) => l.stop()));
  }
}
