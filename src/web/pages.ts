/** The dashboard's pages, rendered on the server from the same store and scheduler the API reads. */
import { html } from 'hono/html';
import { type Principal, roleAtLeast } from '../auth/roles.js';
import { engineVerdictLine } from '../report/engine-verdict.js';
import type { RunReport } from '../report/types.js';
import type { ScheduleStatus } from '../schedule/scheduler.js';
import type { ActiveRun } from '../server/runs.js';
import type { AuditEntry } from '../store/audit-store.js';
import type { StoredExperiment } from '../store/documents-store.js';
import type { RunRow } from '../store/runs-store.js';
import type { Occurrence } from '../store/schedules-store.js';
import { formatMttr } from '../util/format.js';
import { mttdMttrChart } from './chart.js';
import { type Html, ms, percent, verdictBadge, when } from './layout.js';
import { reportSections } from './run-sections.js';

const VERDICTS = ['passed', 'failed', 'aborted', 'error', 'interrupted', 'running'];

export function loginPage(error: string | null, next: string): Html {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · faultline</title><link rel="stylesheet" href="/assets/app.css"></head>
<body data-page="login"><main><div class="card login">
<h1>fault<span>line</span></h1>
<p class="muted">Log in with an API token. An admin makes one with <code>faultline token create --user NAME --role operator</code>.</p>
${error ? html`<div class="error-box" id="login-error">${error}</div>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${next}">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" placeholder="flt_..." required autofocus>
<button class="btn primary" type="submit" id="login-button">Log in</button>
</form></div></main></body></html>`;
}

function runRow(r: RunRow & { running?: boolean }, principal: Principal, showStop = false): Html {
  return html`<tr data-run-id="${r.id}">
<td>${verdictBadge(r.verdict, r.running)}</td>
<td><a href="/runs/${r.id}">${r.experiment}</a><div class="small muted mono">${r.id}</div></td>
<td>${when(r.startedAt)}</td>
<td>${r.endedAt ? ms(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '-'}</td>
<td>${r.trigger === 'schedule' ? html`schedule <a href="/schedules/${r.schedule ?? ''}">${r.schedule}</a>` : r.trigger ? html`${r.actor}${r.schedule ? html` (schedule ${r.schedule})` : ''}` : 'cli'}</td>
<td>${ms(r.mttdMs)} / ${r.verdict ? formatMttr({ ...r, probeIntervalMs: null }) : '-'}</td>
<td class="reason">${(r.reason ?? '').slice(0, 160)}</td>
${showStop ? html`<td>${r.running && roleAtLeast(principal.role, 'operator') ? html`<button class="btn danger" data-action="stop" data-run="${r.id}">Stop</button>` : ''}</td>` : ''}
</tr>`;
}

const RUN_HEAD = html`<tr><th>Verdict</th><th>Experiment</th><th>Started</th><th>Took</th><th>By</th><th>MTTD / MTTR</th><th>Reason</th></tr>`;

export interface OverviewData {
  active: ActiveRun[];
  latest: RunRow[];
  measured: RunRow[];
  schedules: ScheduleStatus[];
  passRate: number | null;
  last24h: number;
}

export function overviewPage(d: OverviewData, principal: Principal): Html {
  const upcoming = d.schedules
    .filter((s) => s.state === 'scheduled')
    .flatMap((s) => s.nextRuns.slice(0, 1).map((t) => ({ name: s.name, t })))
    .sort((a, b) => a.t.localeCompare(b.t))
    .slice(0, 6);
  return html`<h1>Overview</h1>
<div class="grid">
  <div class="card stat"><div class="n" id="active-count">${d.active.length}</div><div class="l">runs going now</div></div>
  <div class="card stat"><div class="n">${d.last24h}</div><div class="l">runs in the last 24h</div></div>
  <div class="card stat"><div class="n">${d.passRate === null ? '-' : `${Math.round(d.passRate * 100)}%`}</div><div class="l">passed (last 50 ended)</div></div>
  <div class="card stat"><div class="n">${d.schedules.filter((s) => s.state === 'scheduled').length}</div><div class="l">active schedules</div></div>
</div>
<div class="card"><h2><span class="live-dot"></span>Active runs</h2>
${
  d.active.length
    ? html`<table id="active-runs"><tr><th>Experiment</th><th>Run</th><th>Started</th><th>By</th><th></th></tr>
${d.active.map(
  (r) => html`<tr><td><a href="/runs/${r.runId}">${r.experiment}</a></td><td class="mono small">${r.runId}</td><td>${when(r.startedAt)}</td>
<td>${r.origin.actor}</td><td>${roleAtLeast(principal.role, 'operator') ? html`<button class="btn danger" data-action="stop" data-run="${r.runId}">Stop</button>` : ''}${r.stoppedBy ? html` <span class="muted">stopping (${r.stoppedBy})</span>` : ''}</td></tr>`,
)}</table>`
    : html`<p class="muted" id="active-runs">No run is going.</p>`
}
</div>
<div class="cols">
<div class="card"><h2>Latest verdicts</h2><table id="latest-runs">${RUN_HEAD}${d.latest.map((r) => runRow(r, principal))}</table>
<div class="pager"><a href="/runs">All runs →</a></div></div>
<div>
<div class="card"><h2>MTTD and MTTR over time</h2>${mttdMttrChart(d.measured)}</div>
<div class="card"><h2>Next scheduled runs</h2>${
    upcoming.length
      ? html`<table>${upcoming.map((u) => html`<tr><td><a href="/schedules/${u.name}">${u.name}</a></td><td>${u.t.replace('T', ' ').slice(0, 19)}Z</td></tr>`)}</table>`
      : html`<p class="muted">No schedule is active.</p>`
  }</div>
</div></div>`;
}

export interface RunsFilterView {
  experiment?: string;
  verdict?: string;
  schedule?: string;
  trigger?: string;
  since?: string;
  until?: string;
}

export function runsPage(
  runs: (RunRow & { running: boolean })[],
  filter: RunsFilterView,
  next: string | null,
  experiments: string[],
  schedules: string[],
  principal: Principal,
): Html {
  const option = (value: string, current: string | undefined) =>
    html`<option value="${value}" ${value === current ? 'selected' : ''}>${value || 'any'}</option>`;
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
  if (next) query.set('cursor', next);
  return html`<h1>Runs</h1>
<div class="card"><form class="filters" method="get" action="/runs">
<label>Experiment <select name="experiment">${['', ...experiments].map((e) => option(e, filter.experiment))}</select></label>
<label>Verdict <select name="verdict">${['', ...VERDICTS].map((v) => option(v, filter.verdict))}</select></label>
<label>Schedule <select name="schedule">${['', ...schedules].map((s) => option(s, filter.schedule))}</select></label>
<label>Started by <select name="trigger">${['', 'api', 'schedule', 'cli'].map((t) => option(t, filter.trigger))}</select></label>
<label>Since <input type="date" name="since" value="${filter.since ?? ''}"></label>
<label>Until <input type="date" name="until" value="${filter.until ?? ''}"></label>
<button class="btn" type="submit">Filter</button> <a class="btn" href="/runs">Clear</a>
</form></div>
<div class="card"><table id="runs-table">${html`<tr><th>Verdict</th><th>Experiment</th><th>Started</th><th>Took</th><th>By</th><th>MTTD / MTTR</th><th>Reason</th><th></th></tr>`}
${runs.length ? runs.map((r) => runRow(r, principal, true)) : html`<tr><td colspan="8" class="muted">No run matches.</td></tr>`}</table>
${next ? html`<div class="pager"><a class="btn" href="/runs?${query.toString()}">Older →</a></div>` : ''}</div>`;
}

export function runPage(row: RunRow, report: RunReport | null, active: ActiveRun | undefined, principal: Principal): Html {
  const state = active ? 'running' : (row.verdict ?? 'error');
  const formats = ['html', 'md', 'json', 'junit'];
  return html`<h1>${row.experiment} <span class="muted small mono">${row.id}</span></h1>
<div id="verdict-banner" class="verdict-banner ${state}">${
    active
      ? html`<span class="v"><span class="live-dot" id="live-dot"></span>running</span><span id="current-phase">starting</span> · <span id="current-step">preparing</span>`
      : html`<span class="v">${state}</span>${row.reason ?? ''}`
  }</div>
<div class="actions">
${active && roleAtLeast(principal.role, 'operator') ? html`<button class="btn danger" id="stop-button" data-action="stop" data-run="${row.id}">Stop run (revert every fault)</button>` : ''}
${report ? formats.map((f) => html`<a class="btn" href="/api/v1/runs/${row.id}/report?format=${f}&download">${f.toUpperCase()} report</a>`) : ''}
<a class="btn" href="/experiments/${row.experiment}/history">History of ${row.experiment}</a>
</div>
<div class="cols">
<div class="card"><h2>Probe latency and success${active ? ' (live)' : ''}</h2>
<div id="live-chart" class="live-chart" aria-label="probe samples over time"></div>
<div class="legend"><span><i class="ok"></i>good sample</span><span><i class="bad"></i>failed sample</span><span><i class="fault"></i>fault active</span><span id="live-stats"></span></div></div>
<div class="card"><h2>Run</h2><dl class="kv">
<dt>Started</dt><dd>${when(row.startedAt)}</dd>
<dt>Ended</dt><dd>${when(row.endedAt)}</dd>
<dt>By</dt><dd>${row.trigger === 'schedule' ? `schedule ${row.schedule}` : (row.actor ?? 'cli')}</dd>
<dt>Seed</dt><dd class="mono">${row.seed}</dd>
<dt>MTTD</dt><dd>${ms(row.mttdMs)}</dd><dt>MTTR</dt><dd>${report ? formatMttr(report.measurements) : ms(row.mttrMs)}</dd>
<dt>Availability</dt><dd>${percent(row.availability)}</dd>
${active?.stoppedBy ? html`<dt>Stopped by</dt><dd>${active.stoppedBy}</dd>` : ''}
</dl></div></div>
${report ? reportSections(report) : ''}
${
  report
    ? html`<div class="card"><h2>Faults</h2><table id="faults"><tr><th>Step</th><th>Fault</th><th>Target</th><th>Injected</th><th>Reverted</th><th>Error</th></tr>
${report.faults.map((f) => html`<tr><td>${f.step}</td><td>${f.fault}<div class="small muted">${f.description ?? ''}</div>${f.engine ? html`<div class="small engine-verdict">${engineVerdictLine(f.engine)}</div>` : ''}</td><td>${f.target}</td><td>${f.injectedAt?.slice(11, 23) ?? '-'}</td><td>${f.revertedAt?.slice(11, 23) ?? (f.injectedAt ? html`<b class="badge failed">not reverted</b>` : '-')}</td><td>${f.error ?? ''}</td></tr>`)}</table></div>`
    : ''
}
<div class="card"><h2>Timeline</h2><ol class="timeline" id="timeline"></ol></div>
${report ? html`<div class="card"><h2>Report</h2><iframe class="report" title="report" src="/api/v1/runs/${row.id}/report?format=html" sandbox></iframe></div>` : ''}`;
}

export function experimentsPage(experiments: (Omit<StoredExperiment, 'yaml'> & { schedules: string[] })[], principal: Principal): Html {
  const operator = roleAtLeast(principal.role, 'operator');
  return html`<h1>Experiments</h1>
<div class="actions">${operator ? html`<a class="btn primary" href="/experiments/new">New experiment</a>` : ''}</div>
<div class="card"><table id="experiments-table"><tr><th>Name</th><th>Hypothesis</th><th>Schedules</th><th>Updated</th><th></th></tr>
${
  experiments.length
    ? experiments.map(
        (e) => html`<tr><td><a href="/experiments/${e.name}">${e.name}</a><div class="small muted">${Object.entries(e.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}</div></td>
<td>${e.hypothesis}</td><td>${e.schedules.map((s) => html`<a href="/schedules/${s}">${s}</a> `)}</td><td>${when(e.updatedAt)} <span class="muted small">by ${e.updatedBy}</span></td>
<td>${operator ? html`<button class="btn primary" data-action="run" data-experiment="${e.name}">Run</button>` : ''} <a class="btn" href="/experiments/${e.name}/history">History</a></td></tr>`,
      )
    : html`<tr><td colspan="5" class="muted">No experiment is stored yet.</td></tr>`
}</table></div>`;
}

export interface EditorView {
  kind: 'Experiment' | 'Schedule';
  name: string | null;
  yaml: string;
  saved: boolean;
  principal: Principal;
  /** for a stored schedule: its state and occurrences */
  occurrences?: Occurrence[];
  status?: ScheduleStatus;
}

export function editorPage(v: EditorView): Html {
  const writer = roleAtLeast(v.principal.role, v.kind === 'Schedule' ? 'admin' : 'operator');
  const operator = roleAtLeast(v.principal.role, 'operator');
  const collection = v.kind === 'Schedule' ? 'schedules' : 'experiments';
  return html`<h1>${v.name ? html`${v.kind} ${v.name}` : `New ${v.kind.toLowerCase()}`}</h1>
${v.saved ? html`<div class="notice">Saved.</div>` : ''}
${
  v.status
    ? html`<div class="card"><dl class="kv"><dt>State</dt><dd><span class="badge ${v.status.state}">${v.status.state}</span>${v.status.error ? html` ${v.status.error}` : ''}</dd>
<dt>Cron</dt><dd class="mono">${v.status.cron} (${v.status.timeZone})</dd><dt>Next runs</dt><dd>${v.status.nextRuns.map((t) => html`<div class="mono small">${t}</div>`)}</dd></dl>
<div class="actions">${
        writer
          ? html`<button class="btn" data-action="${v.status.suspended ? 'resume' : 'pause'}" data-schedule="${v.name ?? ''}">${v.status.suspended ? 'Resume' : 'Pause'}</button>`
          : ''
      }${operator ? html`<button class="btn" data-action="trigger" data-schedule="${v.name ?? ''}">Run now</button>` : ''}</div></div>`
    : ''
}
<div class="actions">
<button class="btn" id="validate-button" type="button">Validate</button>
${writer ? html`<button class="btn primary" id="save-button" type="button">${v.name ? 'Save' : 'Create'}</button>` : ''}
${v.kind === 'Experiment' && operator ? html`<button class="btn" id="dry-run-button" type="button">Dry run</button><button class="btn primary" id="run-button" type="button">Run${v.name ? '' : ' (as written)'}</button>` : ''}
${v.name && writer ? html`<button class="btn danger" data-action="delete-${v.kind === 'Schedule' ? 'schedule' : 'experiment'}" data-${v.kind === 'Schedule' ? 'schedule' : 'experiment'}="${v.name}">Delete</button>` : ''}
${v.name ? html`<a class="btn" href="/${collection}/${v.name}/history">History</a>` : ''}
<a class="btn" href="/${collection}">Back</a>
</div>
<div class="editor"><div class="gutter" id="gutter"></div><textarea id="yaml" spellcheck="false" ${writer ? '' : 'readonly'}>${v.yaml}</textarea></div>
<ul class="problems" id="problems"></ul>
${v.kind === 'Experiment' ? html`<pre class="yaml" id="dry-run"></pre>` : ''}
${
  v.occurrences
    ? html`<div class="card"><h2>Occurrences</h2><table id="occurrences"><tr><th>Scheduled for</th><th>Outcome</th><th>Run</th><th>Detail</th></tr>
${v.occurrences.map((o) => html`<tr><td class="mono small">${o.scheduledFor}</td><td><span class="badge ${o.outcome}">${o.outcome}</span></td><td>${o.runId ? html`<a href="/runs/${o.runId}">${o.runId}</a>` : '-'}</td><td class="reason">${o.detail}</td></tr>`)}</table></div>`
    : ''
}`;
}

export function schedulesPage(
  rows: (ScheduleStatus & { experiment: string; lastOccurrence: Occurrence | null })[],
  principal: Principal,
): Html {
  const admin = roleAtLeast(principal.role, 'admin');
  return html`<h1>Schedules</h1>
<div class="actions">${admin ? html`<a class="btn primary" href="/schedules/new">New schedule</a>` : ''}</div>
<div class="card"><table id="schedules-table"><tr><th>Schedule</th><th>Cron</th><th>Experiment</th><th>State</th><th>Next runs</th><th>Last occurrence</th><th></th></tr>
${
  rows.length
    ? rows.map(
        (
          s,
        ) => html`<tr data-schedule="${s.name}"><td><a href="/schedules/${s.name}">${s.name}</a></td><td class="mono small">${s.cron}<div class="muted">${s.timeZone}</div></td>
<td>${s.experiment}</td><td><span class="badge ${s.state}">${s.state}</span>${s.error ? html`<div class="small muted">${s.error}</div>` : ''}</td>
<td class="next-runs">${s.nextRuns.slice(0, 3).map((t) => html`<div class="mono small">${t.replace('T', ' ').slice(0, 19)}Z</div>`)}</td>
<td>${s.lastOccurrence ? html`<span class="badge ${s.lastOccurrence.outcome}">${s.lastOccurrence.outcome}</span> <span class="small">${s.lastOccurrence.scheduledFor.slice(11, 19)}</span>${s.lastOccurrence.runId ? html` <a href="/runs/${s.lastOccurrence.runId}">run</a>` : ''}` : '-'}</td>
<td>${admin ? html`<button class="btn" data-action="${s.suspended ? 'resume' : 'pause'}" data-schedule="${s.name}">${s.suspended ? 'Resume' : 'Pause'}</button>` : ''}</td></tr>`,
      )
    : html`<tr><td colspan="7" class="muted">No schedule yet.</td></tr>`
}</table></div>`;
}

export function auditPage(
  entries: AuditEntry[],
  chain: { ok: boolean; detail: string },
  filter: { actor?: string; action?: string; outcome?: string },
  older: number | null,
): Html {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
  if (older !== null) query.set('before', String(older));
  return html`<h1>Audit log</h1>
<div class="${chain.ok ? 'notice' : 'error-box'}" id="chain-status">Hash chain: ${chain.detail}</div>
<div class="card"><form class="filters" method="get" action="/audit">
<label>Actor <input name="actor" value="${filter.actor ?? ''}"></label>
<label>Action <input name="action" value="${filter.action ?? ''}" placeholder="run."></label>
<label>Outcome <select name="outcome">${['', 'ok', 'denied', 'invalid', 'error'].map((o) => html`<option value="${o}" ${o === filter.outcome ? 'selected' : ''}>${o || 'any'}</option>`)}</select></label>
<button class="btn" type="submit">Filter</button> <a class="btn" href="/audit">Clear</a></form></div>
<div class="card"><table id="audit-table"><tr><th>#</th><th>When</th><th>Who</th><th>Action</th><th>Resource</th><th>From</th><th>Outcome</th><th>Detail</th></tr>
${entries.map((e) => html`<tr><td>${e.seq}</td><td>${when(e.at)}</td><td>${e.actor} <span class="muted small">${e.role}</span></td><td class="mono small">${e.action}</td><td class="mono small">${e.resource}</td><td class="small">${e.source}</td><td><span class="badge ${e.outcome === 'ok' ? 'ok' : e.outcome === 'denied' ? 'denied' : 'error'}">${e.outcome}</span></td><td class="reason">${e.detail}</td></tr>`)}
</table>${older !== null ? html`<div class="pager"><a class="btn" href="/audit?${query.toString()}">Older →</a></div>` : ''}</div>`;
}

export const NEW_EXPERIMENT = `apiVersion: faultline.dev/v1
kind: Experiment
metadata:
  name: my-experiment
spec:
  hypothesis: The service stays available while a worker is paused.
  targets:
    - name: worker
      process: { match: "my-worker" }
  probes:
    - name: health
      type: http
      http: { url: "http://127.0.0.1:8080/health" }
      expect: { status: 200 }
      interval: 500ms
  steadyState:
    probes: [ health ]
    tolerance: { availability: { gte: 0.99 } }
  method:
    - fault: process.pause
      selector: { names: [ worker ] }
      duration: 10s
`;

export const NEW_SCHEDULE = `apiVersion: faultline.dev/v1
kind: Schedule
metadata:
  name: my-schedule
spec:
  schedule: "*/30 * * * *"        # every 30 minutes; 6 fields for seconds, or @every 30m
  timeZone: UTC
  experiment: my-experiment         # a stored experiment, or { spec: {...} } inline
  concurrencyPolicy: Forbid
  historyLimit: 100
  startingDeadline: 1m
  window:
    workDays: Mon-Fri
    workHours: "09:00-17:00"
`;
