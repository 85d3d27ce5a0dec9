/** The finished runs' reports a scorecard needs, read page by page from the one store (SQLite or PostgreSQL). */
import type { RunReport } from '../report/types.js';
import type { RunRow, RunsStore } from '../store/runs-store.js';
import type { ScorecardOptions } from './scorecard.js';

const PAGE = 500;

/** Reports of the runs that started in the period and in the previous period of the same length. */
export async function scorecardReports(store: Pick<RunsStore, 'listRuns' | 'getReport'>, options: ScorecardOptions): Promise<RunReport[]> {
  const since = new Date(options.since - (options.until - options.since)).toISOString();
  const until = new Date(options.until).toISOString();
  const wanted = options.experiments ? new Set(options.experiments) : undefined;
  const reports: RunReport[] = [];
  let before: RunRow | undefined;
  for (;;) {
    const page = await store.listRuns({
      since,
      until,
      limit: PAGE,
      ...(before ? { before: { startedAt: before.startedAt, id: before.id } } : {}),
    });
    for (const row of page) {
      if (row.verdict === null || (wanted && !wanted.has(row.experiment))) continue;
      const report = await store.getReport(row.id);
      if (report) reports.push(report);
    }
    if (page.length < PAGE) return reports;
    before = page.at(-1);
  }
}
