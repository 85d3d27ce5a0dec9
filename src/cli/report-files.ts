/** Writes a JSON and a Markdown report per run into a folder: `<experiment>-<run id>.json|md`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getReportFormat } from '../report/index.js';
import type { RunReport } from '../report/types.js';
import { UserError } from '../util/errors.js';

export function writeReportFiles(reports: readonly RunReport[], dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const report of reports) {
      for (const name of ['json', 'md']) {
        const format = getReportFormat(name);
        writeFileSync(join(dir, `${report.experiment.name}-${report.runId}.${format.extension}`), format.render(report));
      }
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write reports to ${dir}: ${(error as Error).message}; choose another --report-dir`);
  }
}
