/** The dashboard's charts: runs turned into the series and bars that the one chart module (report/chart.ts) draws. */
import { html, raw } from 'hono/html';
import { type Bar, renderBarChart, renderSeriesChart } from '../report/chart.js';
import type { RunRow } from '../store/runs-store.js';
import { formatDuration, formatPercent } from '../util/format.js';
import type { Html } from './layout.js';

export function mttdMttrChart(runs: readonly RunRow[]): Html {
  const measured = runs.filter((r) => r.mttdMs !== null || r.mttrMs !== null);
  if (measured.length === 0) return html`<p class="muted">No run has measured MTTD or MTTR yet.</p>`;
  const series = (name: 'mttd' | 'mttr', key: 'mttdMs' | 'mttrMs') => ({
    name,
    points: measured
      .filter((r) => r[key] !== null)
      .map((r) => ({
        t: Date.parse(r.startedAt),
        value: r[key] as number,
        title: `${r.experiment} ${r.id}: ${name.toUpperCase()} ${formatDuration(r[key])}`,
      })),
  });
  return html`${raw(renderSeriesChart({ id: 'mttd-mttr-chart', label: 'MTTD and MTTR over time', series: [series('mttd', 'mttdMs'), series('mttr', 'mttrMs')] }))}${raw(
    '<div class="legend"><span><i class="mttd"></i>MTTD (time to detect)</span><span><i class="mttr"></i>MTTR (time to recover)</span></div>',
  )}`;
}

/** Pass rate per day (UTC) of the judged runs (passed, failed, aborted), the last 60 days that had one. */
export function passRateChart(runs: readonly RunRow[]): Html {
  const days = new Map<string, { passed: number; judged: number }>();
  for (const r of runs) {
    if (r.verdict !== 'passed' && r.verdict !== 'failed' && r.verdict !== 'aborted') continue;
    const day = r.startedAt.slice(0, 10);
    const d = days.get(day) ?? { passed: 0, judged: 0 };
    d.judged++;
    if (r.verdict === 'passed') d.passed++;
    days.set(day, d);
  }
  if (days.size === 0) return html`<p class="muted">No judged run yet.</p>`;
  const bars: Bar[] = [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-60)
    .map(([day, d]) => ({
      label: day,
      value: d.passed / d.judged,
      tone: d.passed === d.judged ? 'ok' : 'bad',
      title: `${day}: ${formatPercent(d.passed / d.judged)} (${d.passed} of ${d.judged} runs passed)`,
    }));
  return html`${raw(renderBarChart({ id: 'pass-rate-chart', label: 'pass rate per day', bars }))}`;
}
