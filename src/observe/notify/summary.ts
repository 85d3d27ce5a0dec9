/** The few numbers every notification shows, as text: MTTD and MTTR with their uncertainty, availability. */
import type { RunReport, Verdict } from '../../report/types.js';
import { formatDuration } from '../../util/duration.js';

export const VERDICT_EMOJI: Record<Verdict, string> = {
  passed: '✅',
  failed: '❌',
  aborted: '⚠️',
  error: '💥',
  interrupted: '⏹️',
};

function timed(ms: number | null, intervalMs: number | null): string {
  if (ms === null) return '-';
  return intervalMs === null ? formatDuration(ms) : `${formatDuration(ms)} ± ${formatDuration(intervalMs)}`;
}

export interface RunNumbers {
  mttd: string;
  mttr: string;
  availability: string;
  /** with an SLO: the share of the error budget the run consumed, and the burn rate */
  errorBudget?: string;
  /** with a write probe: acknowledged writes lost, and the observed RPO */
  lostWrites?: string;
}

export function runNumbers(report: RunReport): RunNumbers {
  const m = report.measurements;
  const notRecovered = m.mttrMs === null && m.mttdMs !== null;
  const during = m.samplesByPhase.during;
  const numbers: RunNumbers = {
    mttd: timed(m.mttdMs, m.probeIntervalMs),
    mttr: notRecovered ? 'not recovered' : timed(m.mttrMs, m.probeIntervalMs),
    availability:
      m.availability === null ? '-' : `${(m.availability * 100).toFixed(2)}% (${Math.round(m.availability * during)} of ${during} samples)`,
  };
  if (m.slo) {
    const consumed = m.slo.errorBudgetConsumed === null ? '-' : `${(m.slo.errorBudgetConsumed * 100).toFixed(2)}%`;
    numbers.errorBudget = `${consumed} (burn rate ${m.slo.burnRate === null ? '-' : `${Number(m.slo.burnRate.toFixed(2))}×`})`;
  }
  if (report.dataLoss) {
    const d = report.dataLoss;
    numbers.lostWrites = `${d.lost} of ${d.acknowledged} acknowledged${d.rpoMs === null ? '' : `, RPO ${timed(d.rpoMs, d.rpoResolutionMs)}`}`;
  }
  return numbers;
}

/** `https://ci.example.com/chaos/{runId}.html` with the run's values; `{experiment}` and `{runId}` are URL-encoded. */
export function expandReportUrl(template: string, report: RunReport): string {
  return template
    .replaceAll('{runId}', encodeURIComponent(report.runId))
    .replaceAll('{experiment}', encodeURIComponent(report.experiment.name));
}
