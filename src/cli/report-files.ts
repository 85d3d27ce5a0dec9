/** Writes a JSON, a Markdown and an HTML report per run into a folder: `<experiment>-<run id>.json|md|html`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../engine/run.js';
import type { Sample } from '../probes/sample.js';
import { getReportFormat } from '../report/index.js';
import { renderJUnitSuites } from '../report/junit.js';
import type { RunReport } from '../report/types.js';
import { UserError } from '../util/errors.js';
import { color, say } from './output.js';

/** The file of one run's report in `dir`, for a format's extension. */
export function reportFilePath(dir: string, report: RunReport, extension: string): string {
  return join(dir, `${report.experiment.name}-${report.runId}.${extension}`);
}

/** `samples`: each run's probe samples by run id (`RunResult.samples`), for the HTML report's charts. */
export function writeReportFiles(
  reports: readonly RunReport[],
  dir: string,
  samples: ReadonlyMap<string, readonly Sample[]> = new Map(),
): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const report of reports) {
      for (const name of ['json', 'md', 'html']) {
        const format = getReportFormat(name);
        writeFileSync(reportFilePath(dir, report, format.extension), format.render(report, { samples: samples.get(report.runId) }));
      }
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write reports to ${dir}: ${(error as Error).message}; choose another --report-dir`);
  }
}

/** `--report-dir` and `--junit` of the commands that run several experiments (`run`, `programme run`, `gameday run`). */
export function writeSeriesReports(results: readonly RunResult[], reportDir: string | undefined, junit: string | undefined): void {
  if (reportDir) {
    writeReportFiles(
      results.map((r) => r.report),
      reportDir,
      new Map(results.map((r) => [r.report.runId, r.samples])),
    );
    say(color.dim(`reports written to ${reportDir}/`));
  }
  if (junit) {
    writeFileSync(junit, renderJUnitSuites(results.map((r) => r.report)));
    say(color.dim(`JUnit XML written to ${junit}`));
  }
}
