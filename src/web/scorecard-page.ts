/** The scorecard in the dashboard: the same numbers as `faultline scorecard`, from the same code. */
import { html } from 'hono/html';
import type { Scorecard } from '../programme/scorecard.js';
import { formatDuration, formatPercent } from '../util/format.js';
import type { Html } from './layout.js';

const pct = (p: { p50: number | null; p90: number | null; n: number }) =>
  p.n === 0 ? '-' : `${formatDuration(p.p50)} / ${formatDuration(p.p90)} (n=${p.n})`;

export function scorecardPage(s: Scorecard, since: string): Html {
  const { families, targets, cells } = s.coverage;
  return html`<h1>Scorecard</h1>
<div class="card"><form class="filters" method="get" action="/scorecard">
<label>Period <select name="since">${['7d', '30d', '90d', '365d'].map((p) => html`<option value="${p}" ${p === since ? 'selected' : ''}>last ${p}</option>`)}</select></label>
<button class="btn" type="submit">Show</button> <a class="btn" href="/api/v1/scorecard?since=${since}&amp;format=html">Printable report</a></form></div>
<div class="grid">
  <div class="card stat"><div class="n" id="resilience-score">${s.resilienceScore ?? '-'}</div><div class="l">resilience score (0-100)</div></div>
  <div class="card stat"><div class="n">${s.runs}</div><div class="l">runs ${s.period.since.slice(0, 10)} to ${s.period.until.slice(0, 10)}</div></div>
</div>
<div class="card"><h2>Experiments</h2><table id="scorecard-table"><tr><th>Experiment</th><th>Runs</th><th>Pass rate</th><th>Last verdict</th><th>MTTD p50 / p90</th><th>MTTR p50 / p90</th><th>Objectives met</th><th>Pass rate change</th></tr>
${s.experiments.map(
  (
    e,
  ) => html`<tr data-experiment="${e.name}"><td><a href="/experiments/${e.name}/history">${e.name}</a></td><td>${e.runs}</td><td>${formatPercent(e.passRate)}</td>
<td>${e.lastVerdict ? html`<span class="badge ${e.lastVerdict}">${e.lastVerdict}</span>` : '-'}</td><td>${pct(e.mttdMs)}</td><td>${pct(e.mttrMs)}</td><td>${formatPercent(e.objectivesMet)}</td>
<td>${e.trend.passRateChange === null ? '-' : formatPercent(e.trend.passRateChange)}</td></tr>`,
)}</table></div>
<div class="card"><h2>Coverage: runs per fault family and target</h2>${
    cells.length
      ? html`<table id="coverage"><tr><th>Target</th>${families.map((f) => html`<th>${f}</th>`)}</tr>
${targets.map((t) => html`<tr><td>${t}</td>${families.map((f) => html`<td>${cells.find((c) => c.family === f && c.target === t)?.runs ?? '-'}</td>`)}</tr>`)}</table>`
      : html`<p class="muted">No fault was injected in this period.</p>`
  }</div>`;
}
