/**
 * The HTML report: one self-contained file (inline CSS, inline SVG charts, no script, no external URL)
 * that a person opens in a browser or attaches to a ticket: the verdict, the hypothesis, the numbers
 * with their sample counts and uncertainty, a timeline chart per probe with the fault windows shaded,
 * a table per probe, the faults, the alerts and every event.
 *
 * The charts need the probe samples, which the report does not carry: they come in the render context
 * (`faultline report`, `run --report-dir` and `demo` pass them). Without them the page says so.
 */

import { percentile } from '../measure/percentile.js';
import type { Phase, Sample } from '../probes/sample.js';
import {
  formatDuration,
  formatFigure,
  formatLatency,
  formatMttr,
  formatNumber,
  formatPercent,
  formatToleranceActual,
  OBJECTIVE_STATUS_TEXT,
} from '../util/format.js';
import { CHART_CSS, type ChartMarker, type ChartWindow, escapeHtml, renderProbeChart } from './chart.js';
import { engineVerdictLine } from './engine-verdict.js';
import { formatOffset } from './markdown.js';
import { failureScreenshots } from './probe-artifacts.js';
import { type RenderContext, registerReportFormat } from './registry.js';
import type { ReportFault, RunReport, Verdict } from './types.js';

const VERDICT_TEXT: Record<Verdict, string> = {
  passed: 'the hypothesis held',
  failed: 'the hypothesis was refuted',
  aborted: 'the run was stopped before the end',
  error: 'the run could not be completed',
  interrupted: 'the run was interrupted by the operator',
};

/** Keys of `measurements` drawn by name; any other key (added later) is listed under "More measurements". */
const KNOWN_MEASUREMENTS = new Set([
  'mttdMs',
  'mttdAlertMs',
  'mttrMs',
  'mttrReason',
  'availability',
  'availabilityByPhase',
  'samplesByPhase',
  'latencyMs',
  'probeIntervalMs',
  'recoverySamples',
  'slo',
]);

/** Top-level keys drawn by name; any other key (added later) gets a generic section. */
const KNOWN_KEYS = new Set([
  'schemaVersion',
  'runId',
  'experiment',
  'hypothesis',
  'verdict',
  'reason',
  'startedAt',
  'endedAt',
  'seed',
  'targets',
  'faults',
  'probes',
  'tolerances',
  'objectives',
  'measurements',
  'alerts',
  'timeline',
]);

/** Headings of report sections added after this renderer, drawn generically. */
const SECTION_TITLES: Record<string, string> = { dataLoss: 'Data loss (write probe)', progressive: 'Progressive stages' };

const MARKER_EVENTS: Record<string, string> = {
  'stop-condition': 'stop',
  halted: 'halt',
  stalled: 'stall',
  'probe-failed': 'stopOnFailure',
  alert: 'alert',
};

const STYLE = `
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--ok:#16a34a;--bad:#dc2626;--warn:#d97706;--blue:#2563eb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1020px;margin:0 auto;padding:0 20px 40px}
h1{font-size:22px;margin:4px 0 6px;word-break:break-word}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.banner{margin:0 -20px;padding:18px 20px 16px;color:#fff}
.banner.passed{background:#15803d}.banner.failed{background:#b91c1c}.banner.aborted{background:#b45309}
.banner.error{background:#7f1d1d}.banner.interrupted{background:#4b5563}
.verdict{display:inline-block;font-weight:700;letter-spacing:.06em;font-size:13px;padding:2px 10px;border-radius:999px;background:rgba(255,255,255,.2)}
.banner .why{margin:0;font-size:15px;opacity:.95;word-break:break-word}
.meta{display:flex;flex-wrap:wrap;gap:4px 18px;margin:10px 0 0;font-size:12.5px;opacity:.9}
.meta span b{font-weight:600}
blockquote{margin:0;padding:10px 14px;background:#fff;border-left:4px solid var(--blue);white-space:pre-wrap}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(185px,1fr));gap:10px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:22px;font-weight:650;margin:2px 0}
.card .value .pm{font-size:14px;font-weight:500;color:var(--muted)}
.card .sub{color:var(--muted);font-size:12px}
.card.bad .value{color:var(--bad)}.card.good .value{color:var(--ok)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top;word-break:break-word}
th{background:#f3f4f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.bad td{background:#fef2f2}
.ok{color:var(--ok)}.bad{color:var(--bad)}.muted{color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12.5px;color:var(--muted);margin:0 0 6px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:4px}
.chart-box{background:#fff;border:1px solid var(--line);border-radius:8px;padding:6px 8px 2px;margin-bottom:12px;overflow-x:auto}
.chart-box h3{margin:4px 4px 0}
${CHART_CSS}
.event-injected td:nth-child(2),.event-reverted td:nth-child(2){color:#92400e;font-weight:600}
.event-bad td:nth-child(2){color:var(--bad);font-weight:600}
footer{margin-top:30px;color:var(--muted);font-size:12px}
figure.shot{margin:8px 0;border:1px solid var(--line);border-radius:6px;padding:6px}figure.shot img{max-width:100%}figure.shot pre{white-space:pre-wrap;margin:4px 0 0}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0;background:#fff;border:1px solid var(--line);padding:8px 12px}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
@media print{.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}.chart-box{break-inside:avoid}}
`;

const PHASES: Phase[] = ['before', 'during', 'after'];

const num = formatNumber;
const percent = formatPercent;

function ms(value: number | null | undefined): string {
  return formatDuration(value);
}

function table(header: string[], rows: string[][], options: { numeric?: number[]; rowClass?: (i: number) => string } = {}): string {
  const numeric = new Set(options.numeric ?? []);
  const cell = (tag: string, text: string, i: number) => `<${tag}${numeric.has(i) ? ' class="num"' : ''}>${text}</${tag}>`;
  const head = `<tr>${header.map((h, i) => cell('th', escapeHtml(h), i)).join('')}</tr>`;
  const body = rows.map((r, ri) => {
    const cls = options.rowClass?.(ri) ?? '';
    return `<tr${cls ? ` class="${cls}"` : ''}>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`;
  });
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

function card(label: string, value: string, sub: string, tone = ''): string {
  return `<div class="card${tone ? ` ${tone}` : ''}"><div class="label">${escapeHtml(label)}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`;
}

/** A time measurement with its uncertainty, as card HTML. */
function timed(value: number | null | undefined, intervalMs: number | null): string {
  if (value === null || value === undefined) return '-';
  return `${escapeHtml(ms(value))}${intervalMs === null ? '' : ` <span class="pm">± ${escapeHtml(ms(intervalMs))}</span>`}`;
}

function numbers(r: RunReport): string {
  const m = r.measurements;
  const interval = m.probeIntervalMs;
  const uncertainty = interval === null ? '' : `; ± one probe interval (${escapeHtml(ms(interval))})`;
  const injected = r.faults.filter((f) => f.injectedAt !== null);
  const reverted = injected.filter((f) => f.revertedAt !== null);
  const during = m.samplesByPhase.during;
  const good = m.availability === null ? null : Math.round(m.availability * during);
  const duration = Date.parse(r.endedAt) - Date.parse(r.startedAt);
  const mttr = formatMttr(m);
  const notRecovered = m.mttrMs === null && m.mttdMs !== null;
  const cards = [
    card(
      'MTTD',
      injected.length ? timed(m.mttdMs, interval) : '-',
      injected.length
        ? m.mttdMs === null
          ? `no failing sample after the first fault (n=${during})`
          : `first fault to first failing sample${uncertainty}`
        : 'no fault was injected',
      m.mttdMs === null ? '' : 'bad',
    ),
  ];
  if (m.mttdAlertMs !== undefined) {
    cards.push(
      card(
        'MTTD (alert)',
        timed(m.mttdAlertMs, null),
        m.mttdAlertMs === null ? 'no alert fired after the first fault' : 'first fault to first firing alert received',
      ),
    );
  }
  cards.push(
    card(
      'MTTR',
      m.mttrMs === null ? escapeHtml(mttr) : timed(m.mttrMs, interval),
      m.mttrMs === null
        ? escapeHtml(m.mttrReason ?? `no ${m.recoverySamples} consecutive good samples after the last fault`)
        : `last fault end to first of ${m.recoverySamples} good samples${uncertainty}`,
      notRecovered ? 'bad' : '',
    ),
    card(
      'Availability during',
      escapeHtml(percent(m.availability)),
      good === null ? `n=${during}` : `${good} of ${during} samples good`,
      m.availability === null ? '' : m.availability < 1 ? 'bad' : 'good',
    ),
    card(
      'Availability before / after',
      `${escapeHtml(percent(m.availabilityByPhase.before))} <span class="pm">/ ${escapeHtml(percent(m.availabilityByPhase.after))}</span>`,
      `n=${m.samplesByPhase.before} before, n=${m.samplesByPhase.after} after`,
    ),
    card(
      'p95 latency during',
      escapeHtml(ms(m.latencyMs.during.p95)),
      `n=${m.latencyMs.during.n}; before ${escapeHtml(ms(m.latencyMs.before.p95))} (n=${m.latencyMs.before.n})`,
    ),
    card(
      'Faults',
      `${injected.length} <span class="pm">injected</span>`,
      `${reverted.length} reverted${injected.length > reverted.length ? `, <b class="bad">${injected.length - reverted.length} not reverted</b>` : ''}; run ${escapeHtml(ms(duration))}`,
      injected.length > reverted.length ? 'bad' : '',
    ),
  );
  const latency = table(
    ['Phase', 'p50', 'p95', 'p99', 'n'],
    PHASES.map((p) => [
      p,
      formatLatency(m.latencyMs[p].p50),
      formatLatency(m.latencyMs[p].p95),
      formatLatency(m.latencyMs[p].p99),
      String(m.latencyMs[p].n),
    ]).map((row) => row.map(escapeHtml)),
    { numeric: [1, 2, 3, 4] },
  );
  const slo = m.slo;
  if (slo) {
    const days = slo.windowMs / 86_400_000;
    cards.push(
      card(
        'Error budget consumed',
        escapeHtml(percent(slo.errorBudgetConsumed)),
        `SLO ${escapeHtml(percent(slo.objective))} over ${escapeHtml(Number.isInteger(days) ? `${days}d` : ms(slo.windowMs))} (${escapeHtml(slo.probe)}); burn rate ${escapeHtml(num(slo.burnRate))}×; ${slo.badSamples} bad of ${slo.samples} samples`,
        slo.errorBudgetConsumed !== null && slo.errorBudgetConsumed > 0 ? 'bad' : '',
      ),
    );
  }
  const loss = r.dataLoss;
  if (loss) {
    const rpo = loss.rpoMs === null ? '-' : `${ms(loss.rpoMs)} ± ${ms(loss.rpoResolutionMs)}`;
    cards.push(
      card(
        'Lost writes',
        `${loss.lost} <span class="pm">of ${loss.acknowledged} acknowledged</span>`,
        `RPO ${escapeHtml(rpo)}; ${loss.indeterminate} indeterminate, ${loss.unreadable} unreadable (${escapeHtml(loss.probe)})`,
        loss.lost > 0 ? 'bad' : 'good',
      ),
    );
  }
  const extra = Object.entries(m).filter(([key, v]) => !KNOWN_MEASUREMENTS.has(key) && v !== null && v !== undefined);
  return [
    '<section id="numbers">',
    '<h2>Numbers</h2>',
    `<div class="cards">\n${cards.join('\n')}\n</div>`,
    '<h3>Latency of the steady-state probes</h3>',
    latency,
    extra.length ? `<h3>More measurements</h3>\n${keyValues(extra)}` : '',
    '<h3>Steady-state tolerances</h3>',
    r.tolerances.length === 0
      ? '<p class="muted">No tolerance was checked (no steady-state probe, or no fault was injected).</p>'
      : table(
          ['Tolerance', 'Expected', 'Measured', 'OK', 'n'],
          r.tolerances.map((t) => [
            escapeHtml(t.name),
            escapeHtml(t.expected),
            escapeHtml(formatToleranceActual(t)),
            t.ok ? '<span class="ok">✔ yes</span>' : '<span class="bad">✘ no</span>',
            String(t.n),
          ]),
          { numeric: [2, 4], rowClass: (i) => (r.tolerances[i]?.ok ? '' : 'bad') },
        ),
    ...objectivesTable(r),
    '</section>',
  ].join('\n');
}

/** `spec.objectives`, one row each: an unknown objective is shown as such, never as met. */
function objectivesTable(r: RunReport): string[] {
  if (!r.objectives) return [];
  const tone = { met: 'ok', missed: 'bad', unknown: 'muted' } as const;
  return [
    '<h3>Objectives</h3>',
    table(
      ['Objective', 'Expected', 'Measured', 'Status', 'Detail'],
      r.objectives.map((o) => [
        escapeHtml(o.name),
        escapeHtml(o.expected),
        escapeHtml(formatFigure(o.unit, o.actual)),
        `<span class="${tone[o.status]}">${escapeHtml(OBJECTIVE_STATUS_TEXT[o.status])}</span>`,
        escapeHtml(o.detail),
      ]),
      { numeric: [2], rowClass: (i) => (r.objectives?.[i]?.status === 'missed' ? 'bad' : '') },
    ),
  ];
}

/** Any JSON value as HTML: objects as key/value lists, arrays of objects as tables. */
function value(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return escapeHtml(num(v));
  if (typeof v === 'string' || typeof v === 'boolean') return escapeHtml(String(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return '<span class="muted">none</span>';
    if (v.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
      const keys = [...new Set(v.flatMap((item) => Object.keys(item as object)))];
      return table(
        keys,
        v.map((item) => keys.map((k) => value((item as Record<string, unknown>)[k]))),
      );
    }
    return v.map(value).join(', ');
  }
  if (typeof v === 'object') return keyValues(Object.entries(v as Record<string, unknown>));
  return escapeHtml(String(v));
}

function keyValues(entries: [string, unknown][]): string {
  return `<dl class="kv">${entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${value(v)}</dd>`).join('')}</dl>`;
}

/** One shaded window per step and fault: the targets of one step share it. */
export function faultWindows(faults: readonly ReportFault[], startedAt: string): ChartWindow[] {
  const groups = new Map<string, ReportFault[]>();
  for (const f of faults) {
    if (f.injectedAt === null) continue;
    const key = `${f.step}\u0000${f.fault}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as ReportFault;
    const start = Math.min(...group.map((f) => Date.parse(f.injectedAt as string)));
    const open = group.some((f) => f.revertedAt === null);
    const end = open ? null : Math.max(...group.map((f) => Date.parse(f.revertedAt as string)));
    const lines = group.map(
      (f) =>
        `${f.fault} on ${f.target}: injected ${formatOffset(f.injectedAt, startedAt)}, ${f.revertedAt === null ? 'NOT reverted' : `reverted ${formatOffset(f.revertedAt, startedAt)}`}${f.description ? ` (${f.description})` : ''}`,
    );
    return {
      label: `${first.step}: ${first.fault}${group.length > 1 ? ` ×${group.length}` : ''}`,
      title: `step ${first.step}\n${lines.join('\n')}`,
      start,
      end,
    };
  });
}

function markers(r: RunReport): ChartMarker[] {
  return r.timeline
    .filter((e) => MARKER_EVENTS[e.event] !== undefined && !(e.event === 'alert' && e.detail.endsWith('resolved')))
    .map((e) => ({ label: MARKER_EVENTS[e.event] as string, title: `${e.event}: ${e.detail}`, t: Date.parse(e.t) }))
    .filter((m) => Number.isFinite(m.t));
}

function charts(r: RunReport, samples: readonly Sample[] | undefined): string {
  const head = [
    '<section id="chart">',
    '<h2>Timeline chart</h2>',
    '<div class="legend">',
    '<span><span class="swatch" style="background:#2563eb"></span>sample latency</span>',
    '<span><span class="swatch" style="background:#dc2626"></span>failed sample</span>',
    '<span><span class="swatch" style="background:#86efac"></span>probe passing</span>',
    '<span><span class="swatch" style="background:#fcd9a0;border:1px solid #f59e0b"></span>fault active</span>',
    '<span><span class="swatch" style="background:#fff;border:1px dashed #7c3aed"></span>stop condition, halt or alert</span>',
    '</div>',
  ];
  if (!samples) {
    return [
      ...head,
      '<p class="muted">The probe samples were not given to the renderer; <code>faultline report RUN_ID --format html</code> includes them.</p>',
      '</section>',
    ].join('\n');
  }
  const from = Date.parse(r.startedAt);
  const to = Date.parse(r.endedAt);
  const windows = faultWindows(r.faults, r.startedAt);
  const marks = markers(r);
  const names = [...new Set([...r.probes.map((p) => p.name), ...samples.map((s) => s.probe)])];
  const boxes = names.map((name) => {
    const own = samples.filter((s) => s.probe === name);
    const info = r.probes.find((p) => p.name === name);
    const kind = info ? ` <span class="muted">${escapeHtml(`${info.type}, ${info.mode}`)}</span>` : '';
    return [
      `<div class="chart-box" id="chart-${escapeHtml(name)}">`,
      `<h3>${escapeHtml(name)}${kind}</h3>`,
      renderProbeChart({ probe: name, samples: own, from, to, windows, markers: marks }),
      '</div>',
    ].join('\n');
  });
  return [...head, boxes.length ? boxes.join('\n') : '<p class="muted">No probe took a sample.</p>', '</section>'].join('\n');
}

function probeTables(r: RunReport, samples: readonly Sample[] | undefined): string {
  const names = [...new Set([...r.probes.map((p) => p.name), ...(samples ?? []).map((s) => s.probe)])];
  if (names.length === 0) return '<section id="probes"><h2>Probes</h2><p class="muted">No probe took a sample.</p></section>';
  const blocks = names.map((name) => {
    const info = r.probes.find((p) => p.name === name);
    const head = `<h3>${escapeHtml(name)}${info ? ` <span class="muted">${escapeHtml(`${info.type}, mode ${info.mode}`)}</span>` : ''}</h3>`;
    const last = `${info?.lastFailure ? `<p>Last failure: <code>${escapeHtml(info.lastFailure)}</code></p>` : ''}${failureScreenshots(r.runId, name)}`;
    if (!samples) {
      const rows = info
        ? [[String(info.samples), String(info.ok), String(info.failed), percent(info.samples ? info.ok / info.samples : null)]]
        : [];
      return `${head}\n${table(['Samples', 'OK', 'Failed', 'Availability'], rows, { numeric: [0, 1, 2, 3] })}\n${last}`;
    }
    const own = samples.filter((s) => s.probe === name);
    const rows = [...PHASES.map((p) => [p, own.filter((s) => s.phase === p)] as const), ['all', own] as const].map(([phase, list]) => {
      const ok = list.filter((s) => s.ok).length;
      const latencies = list.map((s) => s.latencyMs);
      return [
        phase,
        String(list.length),
        String(ok),
        String(list.length - ok),
        percent(list.length ? ok / list.length : null),
        ms(percentile(latencies, 50)),
        ms(percentile(latencies, 95)),
        ms(percentile(latencies, 99)),
        ms(latencies.length ? latencies.reduce((max, v) => Math.max(max, v)) : null),
      ].map(escapeHtml);
    });
    return `${head}\n${table(['Phase', 'Samples', 'OK', 'Failed', 'Availability', 'p50', 'p95', 'p99', 'max'], rows, {
      numeric: [1, 2, 3, 4, 5, 6, 7, 8],
      rowClass: (i) => (rows[i]?.[3] !== '0' ? 'bad' : ''),
    })}\n${last}`;
  });
  return ['<section id="probes">', '<h2>Probes</h2>', ...blocks, '</section>'].join('\n');
}

function faultsTable(r: RunReport): string {
  const body =
    r.faults.length === 0
      ? '<p class="muted">No fault was planned.</p>'
      : table(
          ['Step', 'Fault', 'Target', 'Injected', 'Reverted', 'Held', 'Error'],
          r.faults.map((f) => {
            const notReverted = f.injectedAt !== null && f.revertedAt === null;
            const held = f.injectedAt !== null && f.revertedAt !== null ? ms(Date.parse(f.revertedAt) - Date.parse(f.injectedAt)) : '-';
            return [
              escapeHtml(f.step),
              `<b>${escapeHtml(f.fault)}</b>${f.description ? `<br><span class="muted">${escapeHtml(f.description)}</span>` : ''}${f.engine ? `<br><span class="engine-verdict">${escapeHtml(engineVerdictLine(f.engine))}</span>` : ''}`,
              escapeHtml(f.target),
              escapeHtml(formatOffset(f.injectedAt, r.startedAt)),
              notReverted ? '<b class="bad">not reverted</b>' : escapeHtml(formatOffset(f.revertedAt, r.startedAt)),
              escapeHtml(held),
              f.error ? `<span class="bad">${escapeHtml(f.error)}</span>` : '-',
            ];
          }),
          { numeric: [3, 4, 5], rowClass: (i) => (r.faults[i]?.error ? 'bad' : '') },
        );
  return `<section id="faults">\n<h2>Faults</h2>\n${body}\n</section>`;
}

function alertsTable(r: RunReport): string {
  if (!r.alerts?.length) return '';
  return [
    '<section id="alerts">',
    '<h2>Alerts received</h2>',
    table(
      ['Time', 'Alert', 'Status', 'Labels'],
      r.alerts.map((a) => [
        escapeHtml(formatOffset(a.receivedAt, r.startedAt)),
        escapeHtml(a.name),
        a.status === 'firing' ? '<span class="bad">firing</span>' : '<span class="ok">resolved</span>',
        escapeHtml(
          Object.entries(a.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        ),
      ]),
      { numeric: [0] },
    ),
    '</section>',
  ].join('\n');
}

const BAD_EVENTS = /failed|refused|error|stop-condition|halted|stalled|warning/;

function timelineTable(r: RunReport): string {
  const body =
    r.timeline.length === 0
      ? '<p class="muted">No event was recorded.</p>'
      : table(
          ['Time', 'Event', 'Detail'],
          r.timeline.map((e) => [
            `<span class="mono">${escapeHtml(formatOffset(e.t, r.startedAt))}</span>`,
            escapeHtml(e.event),
            e.detail === '' ? '-' : escapeHtml(e.detail),
          ]),
          {
            numeric: [0],
            rowClass: (i) => {
              const event = r.timeline[i]?.event ?? '';
              return BAD_EVENTS.test(event) ? 'event-bad' : event === 'injected' || event === 'reverted' ? `event-${event}` : '';
            },
          },
        );
  return `<section id="timeline">\n<h2>Timeline of events</h2>\n${body}\n</section>`;
}

function otherSections(r: RunReport): string {
  const extra = Object.entries(r).filter(([key, v]) => !KNOWN_KEYS.has(key) && v !== undefined);
  return extra
    .map(
      ([key, v]) => `<section id="extra-${escapeHtml(key)}">\n<h2>${escapeHtml(SECTION_TITLES[key] ?? key)}</h2>\n${value(v)}\n</section>`,
    )
    .join('\n');
}

export function renderHtml(r: RunReport, context: RenderContext = {}): string {
  const duration = ms(Date.parse(r.endedAt) - Date.parse(r.startedAt));
  const meta = [
    ['run', `<span class="mono">${escapeHtml(r.runId)}</span>`],
    ['file', escapeHtml(r.experiment.file ?? '-')],
    ['started', escapeHtml(r.startedAt)],
    ['duration', escapeHtml(duration)],
    ['seed', String(r.seed)],
    ['targets', escapeHtml(r.targets.length ? r.targets.join(', ') : '-')],
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="faultline-run-id" content="${escapeHtml(r.runId)}">`,
    `<title>${escapeHtml(`${r.verdict.toUpperCase()} · ${r.experiment.name} · faultline run ${r.runId}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header class="banner ${r.verdict}" id="verdict" data-verdict="${r.verdict}">`,
    `<span class="verdict">${escapeHtml(r.verdict.toUpperCase())}</span> <span>${escapeHtml(VERDICT_TEXT[r.verdict])}</span>`,
    `<h1>${escapeHtml(r.experiment.name)}</h1>`,
    `<p class="why">${escapeHtml(r.reason)}</p>`,
    `<div class="meta">${meta.map(([k, v]) => `<span><b>${k}</b> ${v}</span>`).join('')}</div>`,
    '</header>',
    '<section id="hypothesis">',
    '<h2>Hypothesis</h2>',
    r.hypothesis.trim() ? `<blockquote>${escapeHtml(r.hypothesis.trim())}</blockquote>` : '<p class="muted">No hypothesis was stated.</p>',
    '</section>',
    numbers(r),
    charts(r, context.samples),
    probeTables(r, context.samples),
    faultsTable(r),
    alertsTable(r),
    otherSections(r),
    timelineTable(r),
    `<footer>faultline report · run <span class="mono">${escapeHtml(r.runId)}</span> · ${escapeHtml(r.startedAt)} to ${escapeHtml(r.endedAt)} · replay the selection with <code>--seed ${r.seed}</code></footer>`,
    '</main>',
    '</body>',
    '</html>',
  ]
    .filter((part) => part !== '')
    .join('\n')
    .concat('\n');
}

registerReportFormat({
  name: 'html',
  order: 4,
  extension: 'html',
  summary: 'one self-contained HTML page with charts (needs the samples: run --report-dir, report --format html)',
  render: renderHtml,
});
