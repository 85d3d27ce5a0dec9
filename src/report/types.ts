/**
 * The JSON report of one run. Its keys are public (CI pipelines and dashboards read them):
 * extend this shape, never rename a key.
 */
import type { EngineVerdict } from '../faults/types.js';

export type Verdict = 'passed' | 'failed' | 'aborted' | 'error' | 'interrupted';

export const REPORT_SCHEMA_VERSION = 1;

export interface PhaseLatency {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** number of samples the percentiles were computed from */
  n: number;
}

export interface ReportFault {
  step: string;
  fault: string;
  target: string;
  injectedAt: string | null;
  revertedAt: string | null;
  error: string | null;
  /** human description of what exactly was changed */
  description?: string;
  /** what the engine that carried the fault out concluded (Litmus: its ChaosResult), when one did */
  engine?: EngineVerdict;
}

export interface ReportProbe {
  name: string;
  mode: string;
  type: string;
  samples: number;
  ok: number;
  failed: number;
  /** last failing sample's detail, if any */
  lastFailure?: string | null;
}

export interface ReportTolerance {
  /** e.g. "availability" */
  name: string;
  /** e.g. ">= 0.99" */
  expected: string;
  /** the measured value, null when not measurable */
  actual: number | null;
  ok: boolean;
  /** samples the value was computed from */
  n: number;
}

export interface Measurements {
  /** injection of the first fault to the first failing steady-state sample */
  mttdMs: number | null;
  /** injection of the first fault to the first firing alert received (Alertmanager), if any */
  mttdAlertMs?: number | null;
  /** end of the last fault to the first of k consecutive good samples; null when not recovered, or not applicable */
  mttrMs: number | null;
  /** why mttrMs is null: `not applicable: ...` when no steady-state sample failed (nothing to recover from), or `not recovered: ...` */
  mttrReason?: string | null;
  /** good samples / samples of the steady-state probes during the chaos window */
  availability: number | null;
  availabilityByPhase: { before: number | null; during: number | null; after: number | null };
  samplesByPhase: { before: number; during: number; after: number };
  latencyMs: { before: PhaseLatency; during: PhaseLatency; after: PhaseLatency };
  /** uncertainty of every time measurement above: one probe interval */
  probeIntervalMs: number | null;
  /** k of "first of k consecutive good samples" */
  recoverySamples: number;
  /** the run against the experiment's SLO (`spec.slo`), from the samples of its SLI probe after the first fault */
  slo?: SloMeasurement;
  /** how much of the chaos window each steady-state probe's samples cover (a run below 90% cannot pass) */
  coverage?: ReportCoverage[];
}

/** The share of the chaos window (first fault to the end of the method) covered by a probe's samples. */
export interface ReportCoverage {
  probe: string;
  /** 0 to 1 */
  ratio: number;
  windowMs: number;
  longestGapMs: number;
  samples: number;
}

/** Error budget and burn rate of one run (reference notes, commercial-sre.md 5.1 and 5.3). */
export interface SloMeasurement {
  /** the SLI probe */
  probe: string;
  /** T, e.g. 0.999 */
  objective: number;
  /** P, the compliance period, e.g. 30 days in ms */
  windowMs: number;
  /** the error budget in time: (1 - T) * P */
  budgetMs: number;
  /** fraction of the period's budget the run used, time-based: downtimeMs / budgetMs */
  errorBudgetConsumed: number | null;
  /** the same, event-based: bad / ((1 - T) * valid events expected in P at the observed sample rate) */
  errorBudgetConsumedByEvents: number | null;
  /** errorRatio / (1 - T) over the run's samples after the first fault; 1 spends the budget in exactly P */
  burnRate: number | null;
  /** good / valid samples after the first fault; good means ok and, with maxLatency, not slower */
  sli: number | null;
  badSamples: number;
  samples: number;
  /** sum over bad samples of the time each stands for (the probe interval, or more when a slow check delayed the next) */
  downtimeMs: number;
}

/** What a write probe found when it read its records back (reference notes, commercial-sre.md 5.3 item 9). */
export interface DataLoss {
  probe: string;
  /** records the probe tried to write */
  written: number;
  /** writes acknowledged ok (exit 0, 2xx) */
  acknowledged: number;
  /** writes refused (non-2xx, non-zero exit, connection refused) */
  failed: number;
  /** writes whose fate is unknown (timeout, connection reset after sending): reported apart, never counted as lost */
  indeterminate: number;
  /** acknowledged writes missing when read back: data loss */
  lost: number;
  /** the first 20 lost sequence numbers */
  lostSeqs: number[];
  /** lost acknowledged writes acknowledged after the interruption: a durability bug, should be 0 */
  lostAfterInterruption: number;
  /** acknowledged or indeterminate writes that could not be read back (read error): not verified */
  unreadable: number;
  /** observed RPO: interruption time - recovery point; 0 when nothing was lost; null without an interruption */
  rpoMs: number | null;
  /** the resolution of rpoMs: one write interval */
  rpoResolutionMs: number;
  /** latest time such that every write acknowledged at or before it survived (ISO), null when nothing was acknowledged */
  recoveryPoint: string | null;
  /** the interruption: the first fault's injection (ISO), null when no fault was injected */
  interruptedAt: string | null;
}

/** One objective (`spec.objectives`) judged after the run. */
export type ObjectiveStatus = 'met' | 'missed' | 'unknown';

export interface ReportObjective {
  /** mttd, mttr, timeToAlert, availability, errorBudgetSpent, lostWrites, rpo, rto */
  name: string;
  /** as written, e.g. "< 1m" */
  expected: string;
  /** the measured figure (ms for times, a ratio for availability and errorBudgetSpent, a count for lostWrites); null when unknown */
  actual: number | null;
  unit: 'ms' | 'ratio' | 'count';
  /** unknown: the figure could not be measured in this run; never counted as met */
  status: ObjectiveStatus;
  /** why it is unknown, or what was measured */
  detail: string;
}

export interface TimelineEvent {
  /** ISO 8601 time */
  t: string;
  event: string;
  detail: string;
}

export interface RunReport {
  schemaVersion: number;
  runId: string;
  experiment: { name: string; file: string | null };
  hypothesis: string;
  verdict: Verdict;
  reason: string;
  startedAt: string;
  endedAt: string;
  seed: number;
  targets: string[];
  faults: ReportFault[];
  probes: ReportProbe[];
  tolerances: ReportTolerance[];
  measurements: Measurements;
  /** alerts received during the run (did we get paged?) */
  alerts?: ReportAlert[];
  /** lost acknowledged writes and observed RPO, when the experiment has a write probe (did we lose data?) */
  dataLoss?: DataLoss;
  /** the experiment's objectives, each judged after the run; absent when it declares none */
  objectives?: ReportObjective[];
  /** progressive steps: each stage's intensity, outcome and measurements, and how far the system held */
  progressive?: ReportProgressive[];
  timeline: TimelineEvent[];
}

/** How one stage of a progressive step went. */
export type StageOutcome = 'held' | 'broke' | 'inconclusive' | 'aborted' | 'skipped' | 'not-run';

export interface ReportProgressiveStage {
  /** 1-based */
  index: number;
  name: string;
  mode: string;
  value?: number;
  params: unknown;
  durationMs: number | null;
  /** false: breaking this stage ends the escalation without failing the run */
  required: boolean;
  targets: string[];
  startedAt: string | null;
  endedAt: string | null;
  /** held: its threshold held; broke: it did not; inconclusive: no steady-state sample while it was held;
   * aborted: the run was stopped during it; skipped: it chose no target; not-run: escalation stopped before it */
  outcome: StageOutcome;
  tolerances: ReportTolerance[];
  /** steady-state samples taken while the stage was held */
  samples: number;
}

export interface ReportProgressive {
  step: string;
  /** `spec.method[1]` */
  path: string;
  fault: string;
  stages: ReportProgressiveStage[];
  /** name of the last stage that held before escalation stopped (or the last stage); null when the first did not hold */
  heldUpTo: string | null;
  /** its 1-based index, 0 when no stage held */
  heldUpToIndex: number;
  /** name of the stage that stopped the escalation, null when every stage held */
  stoppedAt: string | null;
}

export interface ReportAlert {
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  receivedAt: string;
}
