/** The few numbers every notification shows, as text: MTTD and MTTR with their uncertainty, availability. */
import type { RunReport, Verdict } from '../../report/types.js';
import { formatMttr, formatNumber, formatPercent, formatTimed } from '../../util/format.js';

export const VERDICT_EMOJI: Record<Verdict, string> = {
  passed: '✅',
  failed: '❌',
  aborted: '⚠️',
  error: '💥',
  interrupted: '⏹️',
};

const timed = formatTimed;

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
  const during = m.samplesByPhase.during;
  const numbers: RunNumbers = {
    mttd: timed(m.mttdMs, m.probeIntervalMs),
    mttr: formatMttr(m),
    availability:
      m.availability === null ? '-' : `${formatPercent(m.availability)} (${Math.round(m.availability * during)} of ${during} samples)`,
  };
  if (m.slo) {
    const consumed = formatPercent(m.slo.errorBudgetConsumed);
    numbers.errorBudget = `${consumed} (burn rate ${m.slo.burnRate === null ? '-' : `${formatNumber(m.slo.burnRate)}×`})`;
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
