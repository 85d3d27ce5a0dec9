/**
 * What a finished run's report says, drawn natively on its dashboard page (not only inside the embedded
 * HTML report): the hypothesis, the numbers per phase, the tolerances and the objectives, every figure
 * through the one formatter, so the page shows exactly the report's numbers.
 */
import { html } from 'hono/html';
import type { Phase } from '../probes/sample.js';
import type { RunReport } from '../report/types.js';
import {
  formatFigure,
  formatLatency,
  formatMttr,
  formatPercent,
  formatTimed,
  formatToleranceActual,
  OBJECTIVE_STATUS_TEXT,
} from '../util/format.js';
import type { Html } from './layout.js';

const PHASES: Phase[] = ['before', 'during', 'after'];

function numbers(r: RunReport): Html {
  const m = r.measurements;
  return html`<div class="card" id="run-numbers"><h2>Numbers</h2><dl class="kv">
<dt>MTTD</dt><dd data-figure="mttd">${formatTimed(m.mttdMs, m.probeIntervalMs)}</dd>
<dt>MTTR</dt><dd data-figure="mttr">${formatMttr(m)}</dd>
<dt>Availability during</dt><dd data-figure="availability">${formatPercent(m.availability)}</dd>
${m.mttdAlertMs !== undefined ? html`<dt>Time to alert</dt><dd data-figure="time-to-alert">${formatTimed(m.mttdAlertMs, null)}</dd>` : ''}
${m.slo ? html`<dt>Error budget spent</dt><dd data-figure="error-budget">${formatPercent(m.slo.errorBudgetConsumed)}</dd>` : ''}
${r.dataLoss ? html`<dt>Lost writes</dt><dd data-figure="lost-writes">${r.dataLoss.lost} of ${r.dataLoss.acknowledged}</dd>` : ''}
</dl>
<table id="phases"><tr><th>Phase</th><th>Availability</th><th>Samples</th><th>p50</th><th>p95</th><th>p99</th></tr>
${PHASES.map(
  (p) =>
    html`<tr data-phase="${p}"><td>${p}</td><td>${formatPercent(m.availabilityByPhase[p])}</td><td>${m.samplesByPhase[p]}</td><td>${formatLatency(m.latencyMs[p].p50)}</td><td>${formatLatency(m.latencyMs[p].p95)}</td><td>${formatLatency(m.latencyMs[p].p99)}</td></tr>`,
)}</table></div>`;
}

function tolerances(r: RunReport): Html {
  return html`<div class="card"><h2>Steady-state tolerances</h2>${
    r.tolerances.length
      ? html`<table id="tolerances"><tr><th>Tolerance</th><th>Expected</th><th>Measured</th><th>OK</th><th>n</th></tr>
${r.tolerances.map((t) => html`<tr><td>${t.name}</td><td>${t.expected}</td><td>${formatToleranceActual(t)}</td><td><span class="badge ${t.ok ? 'passed' : 'failed'}">${t.ok ? 'yes' : 'no'}</span></td><td>${t.n}</td></tr>`)}</table>`
      : html`<p class="muted">No tolerance was checked (no steady-state probe, or no fault was injected).</p>`
  }</div>`;
}

function objectives(r: RunReport): Html {
  const badge = { met: 'passed', missed: 'failed', unknown: 'interrupted' } as const;
  return html`<div class="card"><h2>Objectives</h2>${
    r.objectives?.length
      ? html`<table id="objectives"><tr><th>Objective</th><th>Expected</th><th>Measured</th><th>Status</th><th>Detail</th></tr>
${r.objectives.map((o) => html`<tr data-objective="${o.name}"><td>${o.name}</td><td>${o.expected}</td><td>${formatFigure(o.unit, o.actual)}</td><td><span class="badge ${badge[o.status]}">${OBJECTIVE_STATUS_TEXT[o.status]}</span></td><td class="reason">${o.detail}</td></tr>`)}</table>`
      : html`<p class="muted">The experiment declares no objectives (spec.objectives).</p>`
  }</div>`;
}

export function reportSections(r: RunReport): Html {
  return html`<div class="card" id="hypothesis"><h2>Hypothesis</h2><p>${r.hypothesis}</p></div>
<div class="cols">${numbers(r)}<div>${tolerances(r)}${objectives(r)}</div></div>`;
}
