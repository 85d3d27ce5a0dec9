/**
 * The one way faultline writes its figures for people: the CLI, every report format, notifications and
 * the dashboard all call these, so the same figure reads the same everywhere (`850ms`, `2.5s`, `99.5%`).
 * Machines read the JSON report, where figures stay raw numbers.
 */
import { formatDuration } from './duration.js';

export { formatDuration };

const MISSING = '-';

function finite(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/** A ratio as a percentage with at most two decimals: `100%`, `99.5%`, `0.02%`. */
export function formatPercent(ratio: number | null | undefined): string {
  if (!finite(ratio)) return MISSING;
  const pct = ratio * 100;
  if (pct !== 0 && Math.abs(pct) < 0.01) return `${pct.toPrecision(2)}%`;
  return `${Number(pct.toFixed(2))}%`;
}

/** A latency in ms: one decimal under 10ms (`2.4ms`), whole ms under a second, then as a duration. */
export function formatLatency(ms: number | null | undefined): string {
  if (!finite(ms)) return MISSING;
  if (ms < 10) return `${Number(ms.toFixed(1))}ms`;
  return formatDuration(ms);
}

/** A time measured from probe samples, with its uncertainty of one probe interval: `1.25s ± 500ms`. */
export function formatTimed(ms: number | null | undefined, intervalMs: number | null | undefined): string {
  if (!finite(ms)) return MISSING;
  return finite(intervalMs) ? `${formatDuration(ms)} ± ${formatDuration(intervalMs)}` : formatDuration(ms);
}

/** A plain figure (a burn rate, a count, a tolerance value): integers as they are, else at most 4 decimals. */
export function formatNumber(value: number | null | undefined): string {
  if (!finite(value)) return MISSING;
  if (Number.isInteger(value)) return String(value);
  const rounded = Number(value.toFixed(4));
  return rounded === 0 ? value.toPrecision(3) : String(rounded);
}

export const NOT_APPLICABLE = 'not applicable';
export const NOT_RECOVERED = 'not recovered';

/** What a report says of its recovery; `mttdMs` null means nothing failed, so there was nothing to recover from. */
export interface RecoveryFigures {
  mttdMs: number | null;
  mttrMs: number | null;
  probeIntervalMs: number | null;
}

/** MTTR as people read it: the time with its uncertainty, `not recovered`, or `not applicable` when nothing failed. */
export function formatMttr(m: RecoveryFigures): string {
  if (m.mttrMs !== null) return formatTimed(m.mttrMs, m.probeIntervalMs);
  return m.mttdMs === null ? NOT_APPLICABLE : NOT_RECOVERED;
}

/** A figure in its unit: times as latencies and durations, ratios and counts as plain numbers (as objectives are written). */
export function formatFigure(unit: 'ms' | 'ratio' | 'count', value: number | null | undefined): string {
  return unit === 'ms' ? formatLatency(value) : formatNumber(value);
}

/** The unit of a steady-state tolerance's figure, from its name: `latencyP95Ms` in ms, `availability` a ratio. */
export function toleranceUnit(name: string): 'ms' | 'ratio' | 'count' {
  if (name.endsWith('Ms')) return 'ms';
  return name === 'availability' || name === 'failureRate' ? 'ratio' : 'count';
}

/** What a tolerance measured, as objectives are written (`360ms`, `0.75`, `3`), or `not measurable`. */
export function formatToleranceActual(t: { name: string; actual: number | null }): string {
  return t.actual === null ? 'not measurable' : formatFigure(toleranceUnit(t.name), t.actual);
}

/** How an objective's status reads in a table. */
export const OBJECTIVE_STATUS_TEXT = { met: '✅ met', missed: '❌ missed', unknown: '❔ unknown' } as const;
