/**
 * The page of one experiment or one schedule over time: its scorecard row (pass rate, MTTD and MTTR
 * percentiles, objectives met), the pass rate per day, MTTD and MTTR per run against the objectives,
 * and every run with its objectives. Built from the same reports and the same scorecard code as
 * `faultline scorecard`.
 */
import { html } from 'hono/html';
import type { ExperimentScore } from '../programme/scorecard.js';
import type { RunReport } from '../report/types.js';
import type { RunRow } from '../store/runs-store.js';
import { formatDuration, formatPercent } from '../util/format.js';
import { mttdMttrChart, passRateChart } from './chart.js';
import { type Html, verdictBadge, when } from './layout.js';

export interface HistoryView {
  kind: 'experiment' | 'schedule';
  name: string;
  rows: RunRow[];
  reports: Map<string, RunReport>;
  /** the scorecard of these runs (one experiment, or the runs of one schedule) */
  score: ExperimentScore | undefined;
}

const pct = (p: { p50: number | null; p90: number | null; n: number }) =>
  p.n === 0 ? '-' : `${formatDuration(p.p50)} / ${formatDuration(p.p90)} (n=${p.n})`;

/** Each objective as it was written (from the latest report that has it), for the chart's legend. */
function objectiveTargets(reports: Iterable<RunReport>): string[] {
  const seen = new Map<string, string>();
  for (const r of reports) for (const o of r.objectives ?? []) if (!seen.has(o.name)) seen.set(o.name, `${o.name} ${o.expected}`);
  return [...seen.values()];
}

export function historyPage(v: HistoryView): Html {
  const s = v.score;
  const targets = objectiveTargets(v.reports.values());
  return html`<h1>${v.kind === 'schedule' ? 'Schedule' : 'Experiment'} ${v.name}: history</h1>
<div class="grid" id="history-summary">
  <div class="card stat"><div class="n" id="history-runs">${s?.runs ?? 0}</div><div class="l">runs</div></div>
  <div class="card stat"><div class="n" id="history-pass-rate">${formatPercent(s?.passRate)}</div><div class="l">passed (of judged runs)</div></div>
  <div class="card stat"><div class="n">${s ? pct(s.mttdMs) : '-'}</div><div class="l">MTTD p50 / p90</div></div>
  <div class="card stat"><div class="n">${s ? pct(s.mttrMs) : '-'}</div><div class="l">MTTR p50 / p90</div></div>
  <div class="card stat"><div class="n" id="history-objectives-met">${formatPercent(s?.objectivesMet)}</div><div class="l">runs with every objective met</div></div>
</div>
<div class="cols">
<div class="card"><h2>Pass rate per day</h2>${passRateChart(v.rows)}</div>
<div class="card"><h2>MTTD and MTTR per run</h2>${mttdMttrChart(v.rows)}
<p class="small muted" id="objective-targets">${targets.length ? `Objectives: ${targets.join(', ')}` : 'No objectives declared (spec.objectives).'}</p></div>
</div>
${
  s && Object.keys(s.objectives).length
    ? html`<div class="card"><h2>Objectives</h2><table id="history-objectives"><tr><th>Objective</th><th>Met</th><th>Missed</th><th>Unknown</th></tr>
${Object.entries(s.objectives).map(([name, c]) => html`<tr data-objective="${name}"><td>${name}</td><td>${c.met}</td><td>${c.missed}</td><td>${c.unknown}</td></tr>`)}</table></div>`
    : ''
}
<div class="card"><h2>Runs</h2><table id="history-runs"><tr><th>Verdict</th><th>Run</th><th>Started</th><th>MTTD / MTTR</th><th>Objectives</th></tr>
${v.rows.map((r) => {
  const report = v.reports.get(r.id);
  return html`<tr><td>${verdictBadge(r.verdict, false)}</td><td><a href="/runs/${r.id}" class="mono small">${r.id}</a></td><td>${when(r.startedAt)}</td>
<td>${formatDuration(r.mttdMs)} / ${formatDuration(r.mttrMs)}</td><td class="small">${(report?.objectives ?? []).map((o) => `${o.name} ${o.status}`).join(', ') || '-'}</td></tr>`;
})}</table></div>`;
}
