/**
 * The one chart module: inline SVG for the HTML report, the dashboard (drawn on the server, and live in
 * the browser, whose script imports this file) and the scorecard.
 * - the probe chart: latency of each sample over time, a success strip under it (green while the probe
 *   passed, red while it failed), the fault windows shaded across both, markers such as a tripped stop;
 * - the series chart: figures per run over time (MTTD and MTTR);
 * - the bar chart: a ratio per bucket (pass rate per day).
 * Plain SVG, no library: the numbers are computed here, the look comes from CHART_CSS. It imports only
 * the duration formatter, so the browser can load it as it is.
 */
import type { Sample } from '../probes/sample.js';
import { formatDuration } from '../util/duration.js';

/** The look of every chart, shared by the HTML report and the dashboard. */
export const CHART_CSS = `svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}
svg .grid{stroke:#eef0f3;stroke-width:1}
svg .tick{stroke:#9ca3af}
svg .frame{fill:none;stroke:#d1d5db}
svg .axis{fill:#6b7280;font-size:11px}
svg .axis-title{fill:#9ca3af;font-size:11px}
svg .fault-window{fill:#f59e0b;fill-opacity:.2;stroke:#f59e0b;stroke-opacity:.6}
svg .fault-window.open{fill:#dc2626;fill-opacity:.14;stroke:#dc2626;stroke-dasharray:4 3}
svg .fault-label{fill:#92400e;font-size:11px;font-weight:600}
svg .strip.ok{fill:#86efac}
svg .strip.failed{fill:#dc2626}
svg .latency{fill:none;stroke:#93c5fd;stroke-width:1.2}
svg .point.ok{fill:#2563eb}
svg .point.failed{fill:#dc2626;stroke:#fff;stroke-width:.8}
svg .marker{stroke:#7c3aed;stroke-width:1.5;stroke-dasharray:5 3}
svg .marker-label{fill:#7c3aed;font-size:11px;font-weight:600}
svg .empty{fill:#9ca3af;font-size:13px}
svg .series-line{fill:none;stroke-width:2}
svg .series-mttd{stroke:#bf8700;fill:#bf8700}svg .series-mttr{stroke:#0969da;fill:#0969da}
svg .bar.ok{fill:#1a7f37}svg .bar.bad{fill:#cf222e}
`;

/** Text and attribute values safe in HTML and SVG: markup characters as entities, control characters dropped. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A shaded span of time: a fault applied (start) until reverted (end). */
export interface ChartWindow {
  /** short text drawn above the window */
  label: string;
  /** tooltip */
  title: string;
  /** epoch ms */
  start: number;
  /** epoch ms; the window is drawn to the end of the chart and marked when the fault was never reverted */
  end: number | null;
}

/** A moment worth a vertical line, e.g. `stop` when a stop condition tripped. */
export interface ChartMarker {
  label: string;
  title: string;
  /** epoch ms */
  t: number;
}

export interface ProbeChart {
  probe: string;
  samples: readonly Sample[];
  /** the x axis, epoch ms: the run's start and end */
  from: number;
  to: number;
  windows: readonly ChartWindow[];
  markers?: readonly ChartMarker[];
  /** the probe's interval, to size the last red span of the success strip */
  intervalMs?: number | null;
}

const WIDTH = 960;
const LEFT = 64;
const RIGHT = 16;
const TOP = 34; // two rows of window labels
const PLOT_HEIGHT = 160;
const STRIP_GAP = 8;
const STRIP_HEIGHT = 12;
const AXIS_HEIGHT = 26;
const HEIGHT = TOP + PLOT_HEIGHT + STRIP_GAP + STRIP_HEIGHT + AXIS_HEIGHT;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
/** above this many samples, keep per pixel column the slowest good and the slowest failed sample */
const MAX_POINTS = 2 * PLOT_WIDTH;

const round = (v: number) => Math.round(v * 10) / 10;

/** Up to about `count` round tick values from 0 to at least `max`. */
export function niceTicks(max: number, count = 4): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < top + step / 2 && ticks.length < 20; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks.at(-1) ?? 0) < top) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

const TIME_STEPS_MS = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000];

/** Offsets (ms from the start) for at most ~10 time ticks. */
export function timeTicks(spanMs: number): number[] {
  const step = TIME_STEPS_MS.find((s) => spanMs / s <= 10) ?? Math.ceil(spanMs / 10 / 3_600_000) * 3_600_000;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs && ticks.length < 40; t += step) ticks.push(t);
  return ticks;
}

function offsetLabel(ms: number): string {
  return ms === 0 ? '0s' : `+${formatDuration(ms)}`;
}

/** Keeps every sample when few; else, per pixel column, the slowest good and the slowest failed one. */
function thin(samples: readonly Sample[], x: (t: number) => number): Sample[] {
  if (samples.length <= MAX_POINTS) return [...samples];
  const columns = new Map<number, { ok?: Sample; failed?: Sample }>();
  for (const s of samples) {
    const column = Math.round(x(s.t));
    const kept = columns.get(column) ?? {};
    const key = s.ok ? 'ok' : 'failed';
    const current = kept[key];
    if (!current || s.latencyMs > current.latencyMs) kept[key] = s;
    columns.set(column, kept);
  }
  return [...columns.values()].flatMap((c) => [c.ok, c.failed].filter((s): s is Sample => s !== undefined)).sort((a, b) => a.t - b.t);
}

/** Spans of consecutive failed samples, as [start, end) in epoch ms. */
export function failureSpans(samples: readonly Sample[], intervalMs: number): [number, number][] {
  const spans: [number, number][] = [];
  let start: number | null = null;
  let last = 0;
  for (const s of samples) {
    if (!s.ok && start === null) start = s.t;
    if (s.ok && start !== null) {
      spans.push([start, s.t]);
      start = null;
    }
    last = s.t;
  }
  if (start !== null) spans.push([start, last + intervalMs]);
  return spans;
}

function medianGap(samples: readonly Sample[]): number {
  const gaps = samples
    .slice(1)
    .map((s, i) => s.t - (samples[i] as Sample).t)
    .sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 0;
}

/** One probe's chart as an `<svg>` element. */
export function renderProbeChart(chart: ProbeChart): string {
  const from = chart.from;
  const to = chart.to > from ? chart.to : from + 1;
  const samples = [...chart.samples].sort((a, b) => a.t - b.t);
  const x = (t: number) => LEFT + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * PLOT_WIDTH;
  // a little headroom, so the slowest points do not sit on the frame
  const yTicks = niceTicks(samples.reduce((max, s) => Math.max(max, s.latencyMs), 1) * 1.08);
  const yMax = yTicks.at(-1) as number;
  const y = (ms: number) => TOP + PLOT_HEIGHT - (Math.max(0, ms) / yMax) * PLOT_HEIGHT;
  const stripY = TOP + PLOT_HEIGHT + STRIP_GAP;
  const bottom = stripY + STRIP_HEIGHT;
  const failed = samples.filter((s) => !s.ok).length;
  const parts: string[] = [];

  const title = `${chart.probe}: latency and success of ${samples.length} samples (${failed} failed), with ${chart.windows.length} fault window(s)`;
  parts.push(
    `<svg class="chart" data-probe="${escapeHtml(chart.probe)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">`,
    `<title>${escapeHtml(title)}</title>`,
  );

  // grid and axes
  for (const v of yTicks) {
    const yy = round(y(v));
    parts.push(`<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="axis" x="${LEFT - 6}" y="${yy + 4}" text-anchor="end">${escapeHtml(formatDuration(v))}</text>`);
  }
  for (const offset of timeTicks(to - from)) {
    const xx = round(x(from + offset));
    parts.push(`<line class="tick" x1="${xx}" x2="${xx}" y1="${bottom}" y2="${bottom + 4}"/>`);
    parts.push(`<text class="axis" x="${xx}" y="${bottom + 17}" text-anchor="middle">${escapeHtml(offsetLabel(offset))}</text>`);
  }
  parts.push(
    `<text class="axis-title" x="12" y="${TOP + PLOT_HEIGHT / 2}" transform="rotate(-90 12 ${TOP + PLOT_HEIGHT / 2})" text-anchor="middle">latency</text>`,
  );

  // fault windows, under the data; labels in two rows so neighbours do not overlap
  const labelEnds = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const w of chart.windows) {
    const x1 = x(w.start);
    const x2 = x(w.end ?? to);
    const width = Math.max(2, x2 - x1);
    const open = w.end === null ? ' open' : '';
    parts.push(
      `<rect class="fault-window${open}" x="${round(x1)}" y="${TOP}" width="${round(width)}" height="${bottom - TOP}"><title>${escapeHtml(w.title)}</title></rect>`,
    );
    const row = (labelEnds[0] as number) <= x1 ? 0 : (labelEnds[1] as number) <= x1 ? 1 : 0;
    const text = w.label.length > 40 ? `${w.label.slice(0, 39)}…` : w.label;
    labelEnds[row] = x1 + text.length * 6.2 + 8;
    parts.push(`<text class="fault-label" x="${round(x1 + 2)}" y="${row === 0 ? 12 : 26}">${escapeHtml(text)}</text>`);
  }

  // the success strip: green where the probe sampled, red over each run of failures
  if (samples.length) {
    const interval = chart.intervalMs ?? medianGap(samples);
    const first = (samples[0] as Sample).t;
    const last = (samples.at(-1) as Sample).t + interval;
    parts.push(
      `<rect class="strip ok" x="${round(x(first))}" y="${stripY}" width="${round(Math.max(1, x(last) - x(first)))}" height="${STRIP_HEIGHT}"/>`,
    );
    for (const [start, end] of failureSpans(samples, interval)) {
      parts.push(
        `<rect class="strip failed" x="${round(x(start))}" y="${stripY}" width="${round(Math.max(2, x(end) - x(start)))}" height="${STRIP_HEIGHT}"><title>${escapeHtml(`failing ${offsetLabel(start - from)} to ${offsetLabel(end - from)}`)}</title></rect>`,
      );
    }
  }

  // latency: a line through the samples, a dot per sample (red when it failed)
  const points = thin(samples, x);
  if (points.length > 1) {
    const d = points.map((s, i) => `${i === 0 ? 'M' : 'L'}${round(x(s.t))} ${round(y(s.latencyMs))}`).join('');
    parts.push(`<path class="latency" d="${d}"/>`);
  }
  for (const s of points) {
    const state = s.ok ? 'ok' : `failed: ${s.detail}`;
    parts.push(
      `<circle class="point ${s.ok ? 'ok' : 'failed'}" cx="${round(x(s.t))}" cy="${round(y(s.latencyMs))}" r="${s.ok ? 2.5 : 3.5}"><title>${escapeHtml(`${offsetLabel(s.t - from)} ${formatDuration(s.latencyMs)} ${s.phase}, ${state}`)}</title></circle>`,
    );
  }

  for (const m of chart.markers ?? []) {
    const xx = round(x(m.t));
    parts.push(
      `<line class="marker" x1="${xx}" x2="${xx}" y1="${TOP}" y2="${bottom}"><title>${escapeHtml(m.title)}</title></line>`,
      `<text class="marker-label" x="${xx + 3}" y="${TOP + 11}">${escapeHtml(m.label)}</text>`,
    );
  }

  parts.push(`<rect class="frame" x="${LEFT}" y="${TOP}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}"/>`);
  if (!samples.length) {
    parts.push(`<text class="empty" x="${LEFT + PLOT_WIDTH / 2}" y="${TOP + PLOT_HEIGHT / 2}" text-anchor="middle">no samples</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

const SMALL_WIDTH = 460;
const SMALL_HEIGHT = 200;
const SMALL = { left: 56, right: 12, top: 12, bottom: 28 };

export interface SeriesPoint {
  /** epoch ms */
  t: number;
  value: number;
  title: string;
}

export interface Series {
  /** class suffix: `series-NAME` */
  name: string;
  points: readonly SeriesPoint[];
}

const dateLabel = (t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');

/** Durations per run over time, one line and a dot per point for each series (MTTD, MTTR). */
export function renderSeriesChart(options: { id?: string; label: string; series: readonly Series[] }): string {
  const all = options.series.flatMap((s) => s.points);
  const { left, right, top, bottom } = SMALL;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(t0 + 1000, ...all.map((p) => p.t));
  const ticks = niceTicks(Math.max(100, ...all.map((p) => p.value)) * 1.08);
  const max = ticks.at(-1) as number;
  const x = (t: number) => round(left + ((SMALL_WIDTH - left - right) * (t - t0)) / (t1 - t0));
  const y = (v: number) => round(top + (SMALL_HEIGHT - top - bottom) * (1 - v / max));
  const parts = [
    `<svg class="chart"${options.id ? ` id="${escapeHtml(options.id)}"` : ''} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SMALL_WIDTH} ${SMALL_HEIGHT}" role="img" aria-label="${escapeHtml(options.label)}">`,
  ];
  for (const v of ticks) {
    parts.push(`<line class="grid" x1="${left}" x2="${SMALL_WIDTH - right}" y1="${y(v)}" y2="${y(v)}"/>`);
    parts.push(`<text class="axis" x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeHtml(formatDuration(v))}</text>`);
  }
  parts.push(`<text class="axis" x="${left}" y="${SMALL_HEIGHT - 8}">${escapeHtml(dateLabel(t0))}</text>`);
  parts.push(`<text class="axis" x="${SMALL_WIDTH - right}" y="${SMALL_HEIGHT - 8}" text-anchor="end">${escapeHtml(dateLabel(t1))}</text>`);
  for (const s of options.series) {
    const points = [...s.points].sort((a, b) => a.t - b.t);
    if (points.length > 1) {
      parts.push(`<polyline class="series-line series-${s.name}" points="${points.map((p) => `${x(p.t)},${y(p.value)}`).join(' ')}"/>`);
    }
    for (const p of points) {
      parts.push(`<circle class="series-${s.name}" cx="${x(p.t)}" cy="${y(p.value)}" r="3"><title>${escapeHtml(p.title)}</title></circle>`);
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export interface Bar {
  label: string;
  /** 0 to 1 */
  value: number;
  /** `ok` or `bad` */
  tone: 'ok' | 'bad';
  title: string;
}

/** A ratio per bucket as bars from 0 to 100% (the pass rate per day). */
export function renderBarChart(options: { id?: string; label: string; bars: readonly Bar[] }): string {
  const { left, right, top, bottom } = SMALL;
  const slot = (SMALL_WIDTH - left - right) / Math.max(1, options.bars.length);
  const y = (v: number) => round(top + (SMALL_HEIGHT - top - bottom) * (1 - v));
  const parts = [
    `<svg class="chart"${options.id ? ` id="${escapeHtml(options.id)}"` : ''} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SMALL_WIDTH} ${SMALL_HEIGHT}" role="img" aria-label="${escapeHtml(options.label)}">`,
  ];
  for (const v of [0, 0.5, 1]) {
    parts.push(`<line class="grid" x1="${left}" x2="${SMALL_WIDTH - right}" y1="${y(v)}" y2="${y(v)}"/>`);
    parts.push(`<text class="axis" x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v * 100}%</text>`);
  }
  options.bars.forEach((b, i) => {
    const x = round(left + i * slot + slot * 0.15);
    parts.push(
      `<rect class="bar ${b.tone}" data-label="${escapeHtml(b.label)}" x="${x}" y="${y(b.value)}" width="${round(slot * 0.7)}" height="${round(SMALL_HEIGHT - bottom - y(b.value))}"><title>${escapeHtml(b.title)}</title></rect>`,
    );
  });
  const first = options.bars[0];
  const last = options.bars.at(-1);
  if (first && last) {
    parts.push(`<text class="axis" x="${left}" y="${SMALL_HEIGHT - 8}">${escapeHtml(first.label)}</text>`);
    parts.push(`<text class="axis" x="${SMALL_WIDTH - right}" y="${SMALL_HEIGHT - 8}" text-anchor="end">${escapeHtml(last.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
