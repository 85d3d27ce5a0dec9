/**
 * The runs the daemon starts (from the API or a schedule): each is `runExperiment` from the library with
 * an AbortController (stop, SIGTERM), a recorder that writes to the daemon's store, and a listener
 * that feeds the run's live channel and the metrics. Stopping a run aborts it: every fault is reverted
 * and it ends `interrupted`, as with Ctrl-C on `faultline run`.
 */
import type { AlertHub } from '../engine/alerts.js';
import type { RunEvent } from '../engine/events.js';
import { type RunResult, runExperiment } from '../engine/run.js';
import type { Journal } from '../journal/journal.js';
import type { FaultlineMetrics } from '../observe/metrics.js';
import type { Sample } from '../probes/sample.js';
import type { RunReport } from '../report/types.js';
import type { Experiment } from '../spec/load.js';
import type { RunRecorder, RunStart } from '../store/recorder.js';
import type { RunOrigin, RunsStore } from '../store/runs-store.js';
import { errorMessage } from '../util/errors.js';
import { selfOwner } from '../util/owner.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { ApiError } from './errors.js';
import type { EventBus } from './events.js';

export interface ActiveRun {
  runId: string;
  experiment: string;
  startedAt: string;
  origin: Omit<RunOrigin, 'owner'>;
  stoppedBy: string | null;
  /** settles when the run has ended and its report is stored */
  done: Promise<RunResult | undefined>;
}

export interface RunManagerDeps {
  store: RunsStore;
  journal: Journal;
  control: SqliteDatabase;
  alerts: AlertHub;
  bus: EventBus;
  metrics: FaultlineMetrics;
  log: (line: string) => void;
}

/** A sample as the live chart wants it (compact). */
function sampleEvent(s: Sample) {
  return {
    probe: s.probe,
    t: s.t,
    ok: s.ok,
    latencyMs: Math.round(s.latencyMs * 10) / 10,
    phase: s.phase,
    detail: s.ok ? undefined : s.detail,
  };
}

export class RunManager {
  private readonly active = new Map<string, ActiveRun & { controller: AbortController }>();
  private accepting = true;

  constructor(private readonly deps: RunManagerDeps) {}

  list(): ActiveRun[] {
    return [...this.active.values()].map(({ controller: _c, ...run }) => run);
  }

  get(runId: string): ActiveRun | undefined {
    return this.active.get(runId);
  }

  /** Starts a run; resolves once it is recorded (with its id), long before it ends. */
  async start(experiment: Experiment, origin: Omit<RunOrigin, 'owner'>, options: { seed?: number } = {}): Promise<ActiveRun> {
    if (!this.accepting) throw new ApiError(503, 'stopping', 'the daemon is shutting down; no new run starts');
    const { store, bus, metrics, log } = this.deps;
    const controller = new AbortController();
    const tracked = metrics.startRun(experiment.name);
    // writes go in order: the report's UPDATE must follow the run's INSERT, whatever the store's latency
    let writes: Promise<void> = Promise.resolve();
    let started: (run: RunStart) => void = () => {};
    const recorded = new Promise<RunStart>((resolve) => (started = resolve));
    let runId = '';
    const recorder: RunRecorder = {
      startRun: (run) => {
        runId = run.id;
        bus.runChannel(run.id);
        writes = writes.then(() => store.startRun(run, { ...origin, owner: selfOwner() }));
        started(run);
      },
      finishRun: (report: RunReport, samples: readonly Sample[]) => {
        writes = writes.then(() => store.finishRun(report, samples));
      },
    };
    const onEvent = (event: RunEvent) => {
      tracked.listener(event);
      const channel = bus.findRun(runId);
      if (!channel) return;
      if (event.type === 'sample') channel.publish('sample', sampleEvent(event.sample));
      else if (event.type === 'timeline') channel.publish('timeline', event.event);
      else channel.publish(event.type, event);
    };
    const running = runExperiment(experiment, {
      seed: options.seed,
      signal: controller.signal,
      onEvent,
      store: recorder,
      journal: this.deps.journal,
      control: this.deps.control,
      alerts: this.deps.alerts,
    });
    // the engine records the start before its first await; a run that failed before is an internal error
    const start = await Promise.race([
      recorded,
      running.then(
        () => null,
        (error) => Promise.reject(error),
      ),
    ]);
    if (!start) throw new Error('the run ended before it was recorded');
    try {
      await writes;
    } catch (error) {
      // not recorded, so not run: it stops before any harm (its first steps are recovery and planning)
      controller.abort();
      running.then((result) => tracked.finish(result.report)).catch(() => {});
      throw new ApiError(503, 'store_unavailable', `cannot record the run: ${errorMessage(error)}`);
    }
    const done = running
      .then(async (result) => {
        await writes;
        tracked.finish(result.report);
        return result;
      })
      .catch((error) => {
        log(`run ${start.id} (${experiment.name}): ${errorMessage(error)}`);
        return undefined;
      })
      .then((result) => {
        this.active.delete(start.id);
        const summary = result
          ? {
              runId: start.id,
              experiment: experiment.name,
              verdict: result.report.verdict,
              reason: result.report.reason,
              endedAt: result.report.endedAt,
            }
          : { runId: start.id, experiment: experiment.name, verdict: 'error', reason: 'the run could not be recorded; see the daemon log' };
        bus.endRun(start.id, summary);
        bus.daemon.publish('run-ended', summary);
        log(`run ${start.id} ${experiment.name} ended ${summary.verdict}: ${summary.reason}`);
        return result;
      });
    const run = { runId: start.id, experiment: experiment.name, startedAt: start.startedAt, origin, stoppedBy: null, done, controller };
    this.active.set(start.id, run);
    bus.daemon.publish('run-started', {
      runId: start.id,
      experiment: experiment.name,
      startedAt: start.startedAt,
      trigger: origin.trigger,
      actor: origin.actor,
      schedule: origin.schedule,
    });
    log(`run ${start.id} ${experiment.name} started by ${origin.actor}`);
    return run;
  }

  /** Aborts a run of this daemon: it reverts every fault and ends `interrupted`. False when it is not running here. */
  stop(runId: string, by: string): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    run.stoppedBy ??= by;
    run.controller.abort();
    return true;
  }

  /** SIGTERM: refuse new runs, stop every run (they revert), and wait until each has ended and been stored. */
  async drain(by: string): Promise<void> {
    this.accepting = false;
    const runs = [...this.active.values()];
    for (const run of runs) this.stop(run.runId, by);
    await Promise.all(runs.map((r) => r.done));
  }

  /** Waits for the runs without stopping them (tests, or a graceful `--drain-timeout`). */
  async idle(): Promise<void> {
    await Promise.all([...this.active.values()].map((r) => r.done));
  }
}
