/** MTTD and MTTR over time, as an SVG drawn on the server (no chart library, no script). */
import { html, raw } from 'hono/html';
import type { RunRow } from '../store/daemon-store.js';
import type { Html } from './layout.js';
import { ms, percent } from './layout.js';

const W = 460;
const H = 200;
const L = 48;
const R = 12;
const T = 12;
const B = 28;

export function mttdMttrChart(runs: readonly RunRow[]): Html {
  const points = runs.filter((r) => r.mttdMs !== null || r.mttrMs !== null).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  if (points.length === 0) return html`<p class="muted">No run has measured MTTD or MTTR yet.</p>`;
  const t0 = Date.parse((points[0] as RunRow).startedAt);
  const t1 = Math.max(t0 + 1000, Date.parse((points.at(-1) as RunRow).startedAt));
  const max = Math.max(100, ...points.flatMap((p) => [p.mttdMs ?? 0, p.mttrMs ?? 0])) * 1.1;
  const x = (iso: string) => L + ((W - L - R) * (Date.parse(iso) - t0)) / (t1 - t0 || 1);
  const y = (v: number) => T + (H - T - B) * (1 - v / max);
  const series = (key: 'mttdMs' | 'mttrMs', cls: string) => {
    const pts = points.filter((p) => p[key] !== null).map((p) => [x(p.startedAt), y(p[key] as number), p] as const);
    const line = pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
    return html`<polyline class="${cls}" points="${line}"></polyline>${pts.map(
      ([px, py, p]) =>
        html`<circle class="dot-${cls}" cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3"><title>${p.experiment} ${p.id}: ${cls.toUpperCase()} ${ms(p[key])}</title></circle>`,
    )}`;
  };
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => max * f);
  const times = [0, 0.5, 1].map((f) => new Date(t0 + (t1 - t0) * f).toISOString());
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="MTTD and MTTR over time">
${ticks.map((v) => html`<line class="gridline" x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"></line><text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${ms(v)}</text>`)}
<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"></line>
${times.map((t, i) => html`<text x="${[L, (L + W - R) / 2, W - R][i]}" y="${H - 8}" text-anchor="${['start', 'middle', 'end'][i]}">${t.slice(5, 16).replace('T', ' ')}</text>`)}
${series('mttdMs', 'mttd')}${series('mttrMs', 'mttr')}
</svg>${raw('<div class="legend"><span><i class="mttd"></i>MTTD (time to detect)</span><span><i class="mttr"></i>MTTR (time to recover)</span></div>')}`;
}

/** Pass rate per day (UTC) as bars, with the judged runs of the day in each bar's title. */
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
  const points = [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(-60);
  if (points.length === 0) return html`<p class="muted">No judged run yet.</p>`;
  const slot = (W - L - R) / points.length;
  const y = (v: number) => T + (H - T - B) * (1 - v);
  return html`<svg class="chart" id="pass-rate-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="pass rate per day">
${[0, 0.5, 1].map((f) => html`<line class="gridline" x1="${L}" x2="${W - R}" y1="${y(f).toFixed(1)}" y2="${y(f).toFixed(1)}"></line><text x="${L - 6}" y="${(y(f) + 4).toFixed(1)}" text-anchor="end">${percent(f)}</text>`)}
<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"></line>
${points.map(([day, d], i) => {
  const rate = d.passed / d.judged;
  const x = L + i * slot + slot * 0.15;
  return html`<rect class="${rate === 1 ? 'ok' : 'bad'}" data-day="${day}" x="${x.toFixed(1)}" y="${y(rate).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(H - B - y(rate)).toFixed(1)}"><title>${day}: ${percent(rate)} (${d.passed} of ${d.judged} runs passed)</title></rect>`;
})}
<text x="${L}" y="${H - 8}">${(points[0] as [string, unknown])[0]}</text><text x="${W - R}" y="${H - 8}" text-anchor="end">${(points.at(-1) as [string, unknown])[0]}</text>
</svg>`;
}
