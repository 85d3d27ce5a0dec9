/**
 * Inline SVG timeline charts for the HTML report: one chart per probe, latency of each sample over
 * time, a success strip under it (green while the probe passed, red while it failed), the fault windows
 * shaded across both and markers for events such as a tripped stop condition. Plain SVG, no library and
 * no script: the numbers are computed here, the look comes from the page's CSS classes.
 */
import type { Sample } from '../probes/sample.js';
import { formatDuration } from '../util/duration.js';

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
