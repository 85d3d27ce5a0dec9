/**
 * faultline's own Prometheus metrics, in a registry of their own (never prom-client's global one, so a
 * program embedding the library keeps its registry clean):
 *
 *   faultline_experiments_total{experiment,verdict}        counter, each ended run
 *   faultline_experiments_active                           gauge, runs going now
 *   faultline_experiment_duration_seconds{experiment}      histogram, run start to end
 *   faultline_mttd_seconds{experiment,detector}            histogram, detector="probe" or "alert"
 *   faultline_mttr_seconds{experiment}                     histogram
 *   faultline_injections_total{fault}                      counter, faults that took effect
 *   faultline_probe_samples_total{probe,ok}                counter, every probe sample, live
 *
 * Samples are counted as they are taken (a RunListener); the rest when the run's report is final.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunListener } from '../engine/events.js';
import type { RunReport, Verdict } from '../report/types.js';

export const METRIC_NAMES = [
  'faultline_experiments_total',
  'faultline_experiments_active',
  'faultline_experiment_duration_seconds',
  'faultline_mttd_seconds',
  'faultline_mttr_seconds',
  'faultline_injections_total',
  'faultline_probe_samples_total',
] as const;

const VERDICTS: Verdict[] = ['passed', 'failed', 'aborted', 'error', 'interrupted'];
const DURATION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const TIME_TO_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export interface TrackedRun {
  /** give it to runExperiment as (part of) `onEvent` */
  listener: RunListener;
  /** after the run returned */
  finish(report: RunReport): void;
}

export class FaultlineMetrics {
  readonly registry = new Registry();
  private readonly experiments = new Counter({
    name: 'faultline_experiments_total',
    help: 'Experiment runs that ended, by verdict',
    labelNames: ['experiment', 'verdict'] as const,
    registers: [this.registry],
  });
  private readonly active = new Gauge({
    name: 'faultline_experiments_active',
    help: 'Experiment runs going now',
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'faultline_experiment_duration_seconds',
    help: 'Duration of experiment runs, start to end',
    labelNames: ['experiment'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly mttd = new Histogram({
    name: 'faultline_mttd_seconds',
    help: 'Time to detect: first fault to the first failing steady-state sample (detector="probe") or the first alert received (detector="alert")',
    labelNames: ['experiment', 'detector'] as const,
    buckets: TIME_TO_BUCKETS,
    registers: [this.registry],
  });
  private readonly mttr = new Histogram({
    name: 'faultline_mttr_seconds',
    help: 'Time to recover: end of the last fault to the first of k consecutive good samples',
    labelNames: ['experiment'] as const,
    buckets: TIME_TO_BUCKETS,
    registers: [this.registry],
  });
  private readonly injections = new Counter({
    name: 'faultline_injections_total',
    help: 'Faults that took effect, by fault',
    labelNames: ['fault'] as const,
    registers: [this.registry],
  });
  private readonly samples = new Counter({
    name: 'faultline_probe_samples_total',
    help: 'Probe samples taken, by probe and result',
    labelNames: ['probe', 'ok'] as const,
    registers: [this.registry],
  });

  /** Counts a run as active and its samples as they come. */
  startRun(experiment: string): TrackedRun {
    this.active.inc();
    // every verdict's series exists from the first run on, so increase() sees the first failure
    for (const verdict of VERDICTS) this.experiments.inc({ experiment, verdict }, 0);
    let finished = false;
    const live = new Map<string, { ok: number; failed: number }>();
    return {
      listener: (event) => {
        if (event.type !== 'sample') return;
        const { probe, ok } = event.sample;
        const counted = live.get(probe) ?? { ok: 0, failed: 0 };
        counted[ok ? 'ok' : 'failed']++;
        live.set(probe, counted);
        this.samples.inc({ probe, ok: String(ok) });
      },
      finish: (report) => {
        if (finished) return;
        finished = true;
        this.active.dec();
        // guard, start- and end-of-test samples are not streamed: the report has the whole count
        for (const p of report.probes) {
          const counted = live.get(p.name) ?? { ok: 0, failed: 0 };
          if (p.ok > counted.ok) this.samples.inc({ probe: p.name, ok: 'true' }, p.ok - counted.ok);
          if (p.failed > counted.failed) this.samples.inc({ probe: p.name, ok: 'false' }, p.failed - counted.failed);
        }
        this.record(report);
      },
    };
  }

  private record(report: RunReport): void {
    const experiment = report.experiment.name;
    this.experiments.inc({ experiment, verdict: report.verdict });
    const seconds = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
    if (Number.isFinite(seconds)) this.duration.observe({ experiment }, seconds);
    const m = report.measurements;
    if (m.mttdMs !== null) this.mttd.observe({ experiment, detector: 'probe' }, m.mttdMs / 1000);
    if (m.mttdAlertMs !== undefined && m.mttdAlertMs !== null) this.mttd.observe({ experiment, detector: 'alert' }, m.mttdAlertMs / 1000);
    if (m.mttrMs !== null) this.mttr.observe({ experiment }, m.mttrMs / 1000);
    for (const fault of report.faults) if (fault.injectedAt !== null) this.injections.inc({ fault: fault.fault });
  }

  /** The exposition text, for /metrics or a push. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
