/**
 * The game-day pages: the list, and one game day live: its stages (status, approval, runs), the current
 * experiment with the live chart of its run (the run page's script and chart), the timeline, findings and
 * action items, and the buttons to stop it, halt everything and approve the stage that waits. The page is
 * drawn here from the game-day report; its script reloads it when the game day moves on.
 */
import { html } from 'hono/html';
import { type Principal, roleAtLeast } from '../auth/roles.js';
import type { GameDayReport } from '../programme/gameday-report.js';
import { ENDED, type GameDayRecord, type GameDayStatus } from '../store/gameday-store.js';
import { formatMttr } from '../util/format.js';
import { gameDayProgress } from './client/gameday-progress.js';
import { type Html, ms, percent, verdictBadge, when } from './layout.js';

/** The run the page follows: the one going, else the latest that ran. */
export interface CurrentRun {
  runId: string;
  experiment: string;
  stage: number;
  startedAt: string;
  endedAt: string | null;
  running: boolean;
  verdict: string | null;
  reason: string | null;
}

/** The run a game day is at: a run still going, else the last run of the stage that started last. */
export function currentRunOf(report: GameDayReport): { runId: string; experiment: string; stage: number } | null {
  const runs = report.stages
    .filter((s) => s.startedAt)
    .sort((a, b) => (a.startedAt as string).localeCompare(b.startedAt as string))
    .flatMap((s) => s.runs.map((r) => ({ runId: r.runId, experiment: r.experiment, verdict: r.verdict, stage: s.number })));
  const run = runs.find((r) => r.verdict === 'running') ?? runs.at(-1);
  return run ? { runId: run.runId, experiment: run.experiment, stage: run.stage } : null;
}

/** The body's data attributes: the game day, where it is, and the run the live chart follows. */
export function gameDayPageData(report: GameDayReport, current: CurrentRun | null): Record<string, string> {
  return {
    gameday: report.id,
    progress: gameDayProgress(report),
    ...(current
      ? { run: current.runId, started: current.startedAt, ended: current.running ? 'false' : 'true', 'ended-at': current.endedAt ?? '' }
      : {}),
  };
}

export function gameDaysPage(records: readonly GameDayRecord[]): Html {
  return html`<h1>Game days</h1>
<p class="muted">Start one with <code>faultline gameday run FILE</code> or <code>POST /api/v1/gamedays</code>; see docs/programmes.md.</p>
<div class="card"><table id="gamedays-table"><tr><th>Status</th><th>Game day</th><th>Facilitator</th><th>Started</th><th>Stages done</th><th>Reason</th></tr>
${
  records.length
    ? records.map(
        (
          r,
        ) => html`<tr data-gameday="${r.id}"><td>${statusBadge(r.status)}</td><td><a href="/gamedays/${r.id}">${r.name}</a><div class="small muted mono">${r.id}</div></td>
<td>${r.facilitator}</td><td>${when(r.startedAt)}</td><td>${r.stages.filter((s) => s.status === 'done').length} of ${r.stages.length}</td><td class="reason">${r.reason}</td></tr>`,
      )
    : html`<tr><td colspan="6" class="muted">No game day has run yet.</td></tr>`
}</table></div>`;
}

function statusBadge(status: string): Html {
  return html`<span class="badge ${status}">${status}</span>`;
}

export interface GameDayView {
  report: GameDayReport;
  /** run by this daemon, so it can be stopped from here */
  active: boolean;
  current: CurrentRun | null;
  principal: Principal;
}

function stagesTable(v: GameDayView, operator: boolean): Html {
  const r = v.report;
  return html`<div class="card"><h2>Stages</h2><table id="stages"><tr><th>#</th><th>Stage</th><th>Status</th><th>Approval</th><th>Runs</th></tr>
${r.stages.map(
  (s) => html`<tr data-stage="${s.number}" data-status="${s.status}"><td>${s.number}</td><td>${s.name}</td><td>${statusBadge(s.status)}</td>
<td>${
    s.approvedBy
      ? html`approved by ${s.approvedBy} ${when(s.approvedAt)}`
      : s.status === 'waiting'
        ? operator
          ? html`<button class="btn primary" data-action="approve-stage" data-gameday="${r.id}" data-stage="${s.number}">Approve stage ${s.number}</button>`
          : html`<span class="muted">waits for an operator</span>`
        : '-'
  }</td>
<td>${
    s.runs.length
      ? s.runs.map(
          (
            run,
          ) => html`<div>${verdictBadge(run.verdict === 'running' ? null : run.verdict, run.verdict === 'running')} <a href="/runs/${run.runId}">${run.experiment}</a>
<span class="small muted">MTTD ${ms(run.mttdMs)} · MTTR ${run.verdict === 'running' ? '-' : formatMttr(run)} · availability ${percent(run.availability)}</span></div>`,
        )
      : html`<span class="muted">-</span>`
  }</td></tr>`,
)}</table></div>`;
}

function currentCard(current: CurrentRun | null): Html {
  if (!current) {
    return html`<div class="card"><h2>Current experiment</h2><p class="muted" id="current-experiment">No experiment has started yet.</p>
<div id="live-chart" class="live-chart"></div></div>`;
  }
  const state = current.running ? 'running' : (current.verdict ?? 'error');
  return html`<div class="card"><h2>${current.running ? 'Current experiment' : 'Last experiment'}: <a id="current-experiment" href="/runs/${current.runId}">${current.experiment}</a> <span class="small muted">stage ${current.stage}</span></h2>
<div id="verdict-banner" class="verdict-banner ${state}">${
    current.running
      ? html`<span class="v"><span class="live-dot" id="live-dot"></span>running</span><span id="current-phase">starting</span> · <span id="current-step">preparing</span>`
      : html`<span class="v">${state}</span>${current.reason ?? ''}`
  }</div>
<div id="live-chart" class="live-chart" aria-label="probe samples over time"></div>
<div class="legend"><span><i class="ok"></i>good sample</span><span><i class="bad"></i>failed sample</span><span><i class="fault"></i>fault active</span><span id="live-stats"></span></div>
<h2>Timeline of the run</h2><ol class="timeline" id="timeline"></ol></div>`;
}

export function gameDayPage(v: GameDayView): Html {
  const r = v.report;
  const operator = roleAtLeast(v.principal.role, 'operator');
  const ended = ENDED.includes(r.status as GameDayStatus);
  return html`<h1>Game day ${r.name} <span class="muted small mono">${r.id}</span></h1>
<div id="gameday-banner" class="verdict-banner ${r.status}"><span class="v" id="gameday-status">${r.status}</span>${r.reason}</div>
<div class="actions">
${v.active && !ended && operator ? html`<button class="btn danger" id="gameday-stop" data-action="stop-gameday" data-gameday="${r.id}">Stop game day (revert every fault)</button>` : ''}
${!ended && !v.active ? html`<span class="muted small">run by another process (faultline gameday run): stop it there, or halt</span>` : ''}
${operator ? html`<button class="btn danger" id="gameday-halt" data-open-halt type="button">Halt everything</button>` : ''}
${['html', 'md', 'json'].map((f) => html`<a class="btn" href="/api/v1/gamedays/${r.id}?format=${f}">${f.toUpperCase()} report</a>`)}
</div>
${stagesTable(v, operator)}
<div class="cols">
${currentCard(v.current)}
<div><div class="card"><h2>Game day</h2><dl class="kv">
<dt>Facilitator</dt><dd>${r.facilitator}</dd><dt>Observers</dt><dd>${r.observers.join(', ') || '-'}</dd>
<dt>Started</dt><dd>${when(r.startedAt)}</dd><dt>Ended</dt><dd>${when(r.endedAt)}</dd></dl></div>
<div class="card"><h2>Game-day timeline</h2><ol class="timeline" id="gameday-timeline">${r.timeline.map(
    (e) => html`<li><span class="t">${e.t.slice(11, 19)}</span><span class="e">${e.event}</span><span>${e.detail}</span></li>`,
  )}</ol></div>
<div class="card"><h2>Findings and action items</h2>${
    r.findings.length || r.actionItems.length
      ? html`<ul id="notes">${r.findings.map((n) => html`<li><b>${n.severity}</b> ${n.text} <span class="muted small">${n.author}</span></li>`)}${r.actionItems.map(
          (n) => html`<li>action: ${n.text} <span class="muted small">owner ${n.owner}${n.due ? `, due ${n.due}` : ''}</span></li>`,
        )}</ul>`
      : html`<p class="muted">None yet: add them here, with <code>faultline gameday finding ID TEXT</code> or the API.</p>`
  }${operator ? noteForms(r.id) : ''}</div></div></div>`;
}

/** An operator adds findings and action items from the page (POST .../findings and .../actions, audited). */
function noteForms(id: string): Html {
  return html`<form class="note-form" id="add-finding" data-note="findings" data-gameday="${id}">
<input name="text" id="finding-text" placeholder="a finding: what was learned" required maxlength="2000">
<select name="severity" id="finding-severity">${['low', 'medium', 'high', 'critical'].map((s) => html`<option${s === 'medium' ? ' selected' : ''}>${s}</option>`)}</select>
<button class="btn" type="submit">Add finding</button></form>
<form class="note-form" id="add-action" data-note="actions" data-gameday="${id}">
<input name="text" id="action-text" placeholder="an action item" required maxlength="2000">
<input name="owner" id="action-owner" placeholder="owner" required maxlength="200">
<input name="due" id="action-due" type="date">
<button class="btn" type="submit">Add action item</button></form>`;
}
