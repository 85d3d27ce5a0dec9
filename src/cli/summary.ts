/** The lines printed after each run, and the formatting of its numbers shared by the CLI's tables. */
import type { RunResult } from '../engine/run.js';
import { formatFigure, formatLatency, formatMttr, formatPercent, formatTimed } from '../util/format.js';
import { color, say, verdictText } from './output.js';

export function printSummary(result: RunResult): void {
  const { report } = result;
  const m = report.measurements;
  say(`${verdictText(report.verdict)} ${color.bold(report.experiment.name)}  run ${report.runId}  seed ${report.seed}`);
  say(`  ${report.reason}`);
  say(
    `  MTTD ${formatTimed(m.mttdMs, m.probeIntervalMs)}  MTTR ${formatMttr(m)}  availability ${formatPercent(m.availability)}  p95 during ${formatLatency(m.latencyMs.during.p95)}  (run ${report.runId})`,
  );
  const objectives = report.objectives ?? [];
  if (objectives.length) {
    say(
      `  objectives: ${objectives.map((o) => `${o.name} ${o.status}${o.actual === null ? '' : ` (${formatFigure(o.unit, o.actual)})`}`).join(', ')}`,
    );
  }
}
