/** The measurements of a run and its report, built from what the run recorded once it has ended. */
import { type Markers, measure } from '../measure/measurements.js';
import { evaluateObjectives } from '../measure/objectives.js';
import { measureSlo } from '../measure/slo.js';
import { evaluateTolerance } from '../measure/tolerance.js';
import type { Sample } from '../probes/sample.js';
import {
  type Measurements,
  REPORT_SCHEMA_VERSION,
  type ReportFault,
  type ReportObjective,
  type ReportProbe,
  type ReportProgressive,
  type ReportTolerance,
  type RunReport,
} from '../report/types.js';
import type { Experiment } from '../spec/load.js';
import type { ReceivedAlert } from './alerts.js';
import type { Outcome } from './verdict.js';

export interface RunMeasures {
  /** as the report shows them: with time to alert, the SLO, and MTTR "not applicable" when nothing failed */
  measurements: Measurements;
  tolerances: ReportTolerance[];
  /** steady-state samples taken while faults were active */
  duringSamples: number;
  /** the time the verdict judges recovery on: 0 when nothing failed (the steady state never left) */
  recoveryMs: number | null;
  /** `spec.objectives`, judged on the measurements; undefined when the experiment declares none */
  objectives: ReportObjective[] | undefined;
}

/** What the run learnt apart from its samples, which the measurements and objectives need. */
export interface RunFindings {
  alerts: readonly ReceivedAlert[];
  dataLoss: RunReport['dataLoss'];
}

/** The measurements of the steady-state probes, the tolerances judged on the samples of the faults' window, and the objectives. */
export function measureRun(
  experiment: Experiment,
  samples: readonly Sample[],
  window: Markers,
  findings: RunFindings = { alerts: [], dataLoss: undefined },
): RunMeasures {
  const { probes: steadyProbes } = experiment.steadyState;
  const measured = measure(samples, steadyProbes, window, {
    recoverySamples: experiment.steadyState.recoverySamples,
    probeIntervalMs: experiment.probes
      .filter((p) => steadyProbes.includes(p.name))
      .reduce<number | null>((min, p) => (min === null ? p.intervalMs : Math.min(min, p.intervalMs)), null),
  });
  const measurements: Measurements = {
    ...measured,
    ...recoveryAsReported(measured, window),
    mttdAlertMs: timeToAlert(findings.alerts, window.injectedAt),
    slo: measureSlo(experiment, samples, window.injectedAt),
  };
  const during = samples.filter((s) => s.phase === 'during' && steadyProbes.includes(s.probe));
  const tolerances = steadyProbes.length && window.injectedAt !== null ? evaluateTolerance(experiment.steadyState.tolerance, during) : [];
  const objectives = experiment.objectives
    ? evaluateObjectives(experiment.objectives, {
        measurements,
        dataLoss: findings.dataLoss,
        markers: window,
        hasSteadyState: steadyProbes.length > 0,
      })
    : undefined;
  return { measurements, tolerances, duringSamples: during.length, recoveryMs: measured.mttrMs, objectives };
}

/**
 * MTTR as the report states it: a run in which no steady-state sample failed had nothing to recover
 * from, so its MTTR is null and "not applicable", not 0ms; one that never recovered says so.
 */
function recoveryAsReported(m: Measurements, window: Markers): Pick<Measurements, 'mttrMs' | 'mttrReason'> {
  if (window.injectedAt === null) return { mttrMs: null, mttrReason: 'not applicable: no fault was injected' };
  if (m.mttdMs === null) return { mttrMs: null, mttrReason: 'not applicable: no steady-state sample failed after the first fault' };
  if (m.mttrMs === null) {
    return { mttrMs: null, mttrReason: `not recovered: no ${m.recoverySamples} consecutive good samples after the last fault` };
  }
  return { mttrMs: m.mttrMs, mttrReason: null };
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
  const { outcome, samples } = parts;
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
    measurements: parts.measured.measurements,
    ...(parts.measured.objectives ? { objectives: parts.measured.objectives } : {}),
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
