/**
 * The shell of every dashboard page: the navigation, who is logged in, the halt switch (on every page,
 * as the issue asks: one button stops everything) and the banner while it is on.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type Principal, roleAtLeast } from '../auth/roles.js';
import type { Halt } from '../safety/halt.js';
import { CLIENT_ENTRY } from './client-script.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const ASSET_VERSION = Date.now().toString(36);

const NAV = [
  ['overview', '/', 'Overview'],
  ['runs', '/runs', 'Runs'],
  ['experiments', '/experiments', 'Experiments'],
  ['schedules', '/schedules', 'Schedules'],
  ['gamedays', '/gamedays', 'Game days'],
  ['scorecard', '/scorecard', 'Scorecard'],
  ['audit', '/audit', 'Audit log'],
] as const;

export interface PageOptions {
  title: string;
  /** which nav entry is current */
  section: (typeof NAV)[number][0] | 'none';
  /** `data-page` of the body: what the script does on it */
  page: string;
  principal: Principal;
  halt: Halt | undefined;
  /** the daemon's latest live event that this page already shows (its script listens from there) */
  eventsSeen: number;
  data?: Record<string, string>;
  body: Html;
}

export function layout(o: PageOptions): Html {
  const operator = roleAtLeast(o.principal.role, 'operator');
  const data = Object.entries(o.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · faultline</title>
<link rel="stylesheet" href="/assets/app.css?v=${ASSET_VERSION}">
<script type="module" src="${CLIENT_ENTRY}?v=${ASSET_VERSION}"></script>
</head>
<body data-page="${o.page}" data-role="${o.principal.role}" data-events-seen="${o.eventsSeen}"${data}>
<header class="top">
  <a class="brand" href="/">fault<span>line</span></a>
  <nav>${NAV.map(([key, href, label]) => html`<a href="${href}" class="${key === o.section ? 'current' : ''}">${label}</a>`)}</nav>
  <div class="who"><span>${o.principal.user} · ${o.principal.role}</span>
    <form method="post" action="/logout"><button type="submit">Log out</button></form></div>
  <button id="halt-button" class="halt" type="button" ${operator ? '' : 'disabled'} title="${operator ? 'Stop every run now and refuse new ones' : 'needs the operator role'}">HALT</button>
</header>
${
  o.halt
    ? html`<div class="halted-banner" id="halted-banner">HALTED by ${o.halt.who} at ${o.halt.at}: ${o.halt.reason}. No run starts; schedules skip their occurrences.
  ${operator && !o.principal.scope ? html`<button id="unhalt-button" type="button">Lift halt</button>` : ''}</div>`
    : ''
}
<main>
<div id="flash" hidden></div>
${o.body}
</main>
<dialog id="halt-dialog">
  <form method="dialog">
    <h2>Halt every run</h2>
    <p>Every run on this host reverts its faults within a second and ends <b>aborted</b>. No run starts, and schedules skip, until the halt is lifted.</p>
    <label for="halt-reason">Why (recorded with your name in the audit log)</label>
    <textarea id="halt-reason" required placeholder="incident INC-1234: checkout errors"></textarea>
    <div class="actions"><button class="btn danger" id="halt-confirm" type="submit">Halt everything</button><button class="btn" id="halt-cancel" type="button">Cancel</button></div>
  </form>
</dialog>
</body>
</html>`;
}

export function verdictBadge(verdict: string | null, running = false): Html {
  const text = running || verdict === null ? 'running' : verdict;
  return html`<span class="badge ${text}">${text}</span>`;
}

export function when(iso: string | null): Html {
  return iso ? html`<span data-ago="${iso}" title="${iso}">${iso.replace('T', ' ').slice(0, 19)}</span>` : html`-`;
}

/** The dashboard writes figures as the CLI and the reports do (src/util/format.ts). */
export { formatDuration as ms, formatPercent as percent } from '../util/format.js';
