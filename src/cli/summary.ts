/** The lines printed after each run, and the formatting of its numbers shared by the CLI's tables. */
import type { RunResult } from '../engine/run.js';
import { formatDuration } from '../util/duration.js';
import { color, say, verdictText } from './output.js';

/** `99.50%`, or `-` when not measurable. */
export function formatAvailability(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(2)}%`;
}

export function printSummary(result: RunResult): void {
  const { report } = result;
  const m = report.measurements;
  const pm = m.probeIntervalMs === null ? '' : ` ±${formatDuration(m.probeIntervalMs)}`;
  const withUncertainty = (ms: number | null) => `${formatDuration(ms)}${ms === null ? '' : pm}`;
  say(`${verdictText(report.verdict)} ${color.bold(report.experiment.name)}  run ${report.runId}  seed ${report.seed}`);
  say(`  ${report.reason}`);
  say(
    `  MTTD ${withUncertainty(m.mttdMs)}  MTTR ${withUncertainty(m.mttrMs)}  availability ${formatAvailability(m.availability)}  p95 during ${m.latencyMs.during.p95 === null ? '-' : `${m.latencyMs.during.p95}ms`}  (run ${report.runId})`,
  );
}
