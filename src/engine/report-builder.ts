/** The measurements of a run and its report, built from what the run recorded once it has ended. */
import { type Coverage, sampleCoverage } from '../measure/coverage.js';
import { type Markers, measure } from '../measure/measurements.js';
import { measureSlo } from '../measure/slo.js';
import { evaluateTolerance } from '../measure/tolerance.js';
import type { Sample } from '../probes/sample.js';
import {
  type Measurements,
  REPORT_SCHEMA_VERSION,
  type ReportFault,
  type ReportProbe,
  type ReportProgressive,
  type ReportTolerance,
  type RunReport,
} from '../report/types.js';
import type { Experiment } from '../spec/load.js';
import type { ReceivedAlert } from './alerts.js';
import type { Outcome } from './verdict.js';

export interface RunMeasures {
  measurements: Measurements;
  /** per steady-state probe, the share of the chaos window its samples cover (empty without a window) */
  coverage: Coverage[];
  tolerances: ReportTolerance[];
  /** steady-state samples taken while faults were active */
  duringSamples: number;
}

/** The measurements of the steady-state probes, and the tolerances judged on the samples of the faults' window. */
export function measureRun(
  experiment: Experiment,
  samples: readonly Sample[],
  window: Markers & { chaosEndedAt?: number | null },
): RunMeasures {
  const { probes: steadyProbes } = experiment.steadyState;
  const measurements = measure(samples, steadyProbes, window, {
    recoverySamples: experiment.steadyState.recoverySamples,
    probeIntervalMs: experiment.probes
      .filter((p) => steadyProbes.includes(p.name))
      .reduce<number | null>((min, p) => (min === null ? p.intervalMs : Math.min(min, p.intervalMs)), null),
  });
  const during = samples.filter((s) => s.phase === 'during' && steadyProbes.includes(s.probe));
  const tolerances = steadyProbes.length && window.injectedAt !== null ? evaluateTolerance(experiment.steadyState.tolerance, during) : [];
  const coverage =
    window.injectedAt !== null && window.chaosEndedAt
      ? experiment.probes
          .filter((p) => steadyProbes.includes(p.name))
          .map((p) => sampleCoverage(p.name, samples, { from: window.injectedAt as number, to: window.chaosEndedAt as number }, p))
      : [];
  if (coverage.length) measurements.coverage = coverage;
  return { measurements, tolerances, duringSamples: during.length, coverage };
}

export interface ReportParts {
  runId: string;
  seed: number;
  startedAt: number;
  endedAt: number;
  outcome: Outcome;
  targets: string[];
  faults: ReportFault[];
  samples: readonly Sample[];
  measured: RunMeasures;
  injectedAt: number | null;
  alerts: readonly ReceivedAlert[];
  progressive: ReportProgressive[];
  dataLoss: RunReport['dataLoss'];
  timeline: RunReport['timeline'];
}

export function buildReport(experiment: Experiment, parts: ReportParts): RunReport {
  const { outcome, samples, injectedAt } = parts;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: parts.runId,
    experiment: { name: experiment.name, file: experiment.file },
    hypothesis: experiment.hypothesis,
    verdict: outcome.verdict,
    reason: outcome.reason,
    startedAt: new Date(parts.startedAt).toISOString(),
    endedAt: new Date(parts.endedAt).toISOString(),
    seed: parts.seed,
    targets: parts.targets,
    faults: parts.faults,
    probes: probeSummaries(experiment, samples),
    tolerances: parts.measured.tolerances,
    measurements: {
      ...parts.measured.measurements,
      mttdAlertMs: timeToAlert(parts.alerts, injectedAt),
      slo: measureSlo(experiment, samples, injectedAt),
    },
    alerts: parts.alerts.map((a) => ({
      name: a.name,
      status: a.status,
      labels: a.labels,
      receivedAt: new Date(a.receivedAt).toISOString(),
    })),
    ...(parts.progressive.length ? { progressive: parts.progressive } : {}),
    ...(parts.dataLoss ? { dataLoss: parts.dataLoss } : {}),
    timeline: parts.timeline,
  };
}

/** Injection to the first firing alert received after it. */
function timeToAlert(alerts: readonly ReceivedAlert[], injectedAt: number | null): number | null {
  if (injectedAt === null) return null;
  const first = alerts.find((a) => a.status === 'firing' && a.receivedAt >= injectedAt);
  return first ? first.receivedAt - injectedAt : null;
}

function probeSummaries(experiment: Experiment, samples: readonly Sample[]): ReportProbe[] {
  return experiment.probes
    .map((probe) => {
      const own = samples.filter((s) => s.probe === probe.name);
      const failures = own.filter((s) => !s.ok);
      return {
        name: probe.name,
        mode: probe.mode,
        type: probe.type,
        samples: own.length,
        ok: own.length - failures.length,
        failed: failures.length,
        lastFailure: failures.at(-1)?.detail ?? null,
      };
    })
    .filter((p) => p.samples > 0);
}
