/**
 * The JSON report of one run. Its keys are public (CI pipelines and dashboards read them):
 * extend this shape, never rename a key.
 */
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
  /** end of the last fault to the first of k consecutive good samples */
  mttrMs: number | null;
  /** good samples / samples of the steady-state probes during the chaos window */
  availability: number | null;
  availabilityByPhase: { before: number | null; during: number | null; after: number | null };
  samplesByPhase: { before: number; during: number; after: number };
  latencyMs: { before: PhaseLatency; during: PhaseLatency; after: PhaseLatency };
  /** uncertainty of every time measurement above: one probe interval */
  probeIntervalMs: number | null;
  /** k of "first of k consecutive good samples" */
  recoverySamples: number;
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
  timeline: TimelineEvent[];
}

export interface ReportAlert {
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  receivedAt: string;
}
