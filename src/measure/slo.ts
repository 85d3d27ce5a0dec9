/**
 * The run against its SLO (`spec.slo`): error budget consumed, burn rate, and the multiwindow burn-rate
 * stop condition. Definitions: reference notes, commercial-sre.md 5.1 to 5.3.
 *
 * - a sample is good when it is ok and, with `maxLatency` L, not slower than L;
 * - each sample stands for Δ of time: the probe interval, or the time to the next sample when a slow
 *   check delayed it (a hung service probed with a 2s timeout is down for 2s per sample, not Δ);
 * - downtime = Σ Δ over bad samples; budget B = (1 − T) · P;
 * - consumed (time) = downtime / B; consumed (events) = bad / ((1 − T) · events expected in P);
 * - BR(w) = errorRatio(w) / (1 − T); a burn BR held for w consumes BR · w / P of the budget, so the
 *   threshold for "this run may consume X" over a long window W is X · P / W (Google's 14.4 = 0.02 · 720h / 1h).
 */
import type { Sample } from '../probes/sample.js';
import type { SloMeasurement } from '../report/types.js';
import type { Experiment } from '../spec/load.js';
import type { Step } from '../spec/schema.js';
import { formatDuration } from '../util/duration.js';

export interface SloSpec {
  objective: number;
  /** P, ms */
  window: number;
  probe: string;
  /** L, ms */
  maxLatency?: number;
}

export interface BurnRateSpec {
  /** fraction of the period's error budget the run may burn */
  consumed: number;
  longWindow?: number;
  shortWindow?: number;
}

/** What the burn-rate stop condition needs to know about the experiment. */
export interface SloContext extends SloSpec {
  intervalMs: number;
  /** the planned length of the method: the default long window */
  methodMs: number;
}

export function sloContext(experiment: Experiment): SloContext | undefined {
  const slo = experiment.slo;
  if (!slo) return undefined;
  const probe = experiment.probes.find((p) => p.name === slo.probe);
  return { ...slo, intervalMs: probe?.intervalMs ?? 1000, methodMs: plannedMethodMs(experiment.method) };
}

/** The method's length as planned: steps one after the other, parallel steps as long as the longest. */
export function plannedMethodMs(method: readonly Step[]): number {
  let total = 0;
  for (const step of method) {
    if (step.kind === 'fault' || step.kind === 'pause') total += step.durationMs ?? 0;
    else if (step.kind === 'parallel') total += Math.max(0, ...step.steps.map((s) => s.durationMs ?? 0));
    else total += step.stages.reduce((sum, s) => sum + (s.step.durationMs ?? 0), 0) + step.pauseMs * (step.stages.length - 1);
  }
  return total;
}

export function isGood(sample: Sample, maxLatency: number | undefined): boolean {
  return sample.ok && (maxLatency === undefined || sample.latencyMs <= maxLatency);
}

/** The time each sample (sorted by t) stands for. */
export function sampleSpans(sorted: readonly Sample[], intervalMs: number): number[] {
  return sorted.map((s, i) => {
    const next = sorted[i + 1];
    return Math.max(intervalMs, next ? next.t - s.t : s.latencyMs);
  });
}

/** The run's cost against its SLO, over the SLI probe's samples from the first fault on. */
export function measureSlo(experiment: Experiment, samples: readonly Sample[], injectedAt: number | null): SloMeasurement | undefined {
  const ctx = sloContext(experiment);
  if (!ctx) return undefined;
  const budgetMs = (1 - ctx.objective) * ctx.window;
  const own = samples.filter((s) => s.probe === ctx.probe && injectedAt !== null && s.t >= injectedAt).sort((a, b) => a.t - b.t);
  const spans = sampleSpans(own, ctx.intervalMs);
  let downtimeMs = 0;
  let bad = 0;
  own.forEach((s, i) => {
    if (isGood(s, ctx.maxLatency)) return;
    bad++;
    downtimeMs += spans[i] as number;
  });
  const covered = spans.reduce((a, b) => a + b, 0);
  const n = own.length;
  const expectedEventsInP = n === 0 ? 0 : (ctx.window * n) / covered;
  const round = (v: number) => Number(v.toPrecision(6));
  return {
    probe: ctx.probe,
    objective: ctx.objective,
    windowMs: ctx.window,
    budgetMs: Math.round(budgetMs),
    errorBudgetConsumed: n === 0 ? null : round(downtimeMs / budgetMs),
    errorBudgetConsumedByEvents: n === 0 ? null : round(bad / ((1 - ctx.objective) * expectedEventsInP)),
    burnRate: n === 0 ? null : round(bad / n / (1 - ctx.objective)),
    sli: n === 0 ? null : round((n - bad) / n),
    badSamples: bad,
    samples: n,
    downtimeMs: Math.round(downtimeMs),
  };
}

export interface BurnRateWindows {
  longMs: number;
  shortMs: number;
  /** BR* = consumed · P / longWindow */
  threshold: number;
}

/** The windows scaled to the run: the long one defaults to the method's length (at least 12 samples), the short one to 1/12 of it. */
export function burnRateWindows(spec: BurnRateSpec, ctx: SloContext): BurnRateWindows {
  const longMs = spec.longWindow ?? Math.max(ctx.methodMs, 12 * ctx.intervalMs);
  const shortMs = spec.shortWindow ?? Math.max(longMs / 12, ctx.intervalMs);
  return { longMs, shortMs, threshold: (spec.consumed * ctx.window) / longMs };
}

/**
 * BR over the window that ends with the last sample: bad time in the window / (window · (1 − T)). While
 * the run is younger than the window, the part not yet observed counts as good, so the first bad sample
 * does not look like a whole window of errors: the condition means "has burnt X of the budget", as the
 * threshold says.
 */
export function burnRateOver(sorted: readonly Sample[], windowMs: number, ctx: SloContext): number {
  const last = sorted.at(-1);
  if (!last) return 0;
  const spans = sampleSpans(sorted, ctx.intervalMs);
  const end = last.t + (spans.at(-1) as number);
  const start = end - windowMs;
  let badMs = 0;
  sorted.forEach((s, i) => {
    if (isGood(s, ctx.maxLatency)) return;
    const overlap = Math.min(end, s.t + (spans[i] as number)) - Math.max(start, s.t);
    if (overlap > 0) badMs += overlap;
  });
  return badMs / windowMs / (1 - ctx.objective);
}

/** The observation that trips a burnRate condition, or null: BR(long) and BR(short) both above the threshold. */
export function evaluateBurnRate(spec: BurnRateSpec, samples: readonly Sample[], ctx: SloContext): string | null {
  const { longMs, shortMs, threshold } = burnRateWindows(spec, ctx);
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const long = burnRateOver(sorted, longMs, ctx);
  const short = burnRateOver(sorted, shortMs, ctx);
  if (long <= threshold || short <= threshold) return null;
  return `burn rate ${long.toFixed(1)} over ${formatDuration(longMs)} and ${short.toFixed(1)} over ${formatDuration(shortMs)}, above ${threshold.toFixed(1)} (${formatPercent(spec.consumed)} of the ${formatWindow(ctx.window)} error budget)`;
}

export function describeBurnRate(spec: BurnRateSpec): string {
  const windows = spec.longWindow ? ` over ${formatDuration(spec.longWindow)}` : ' over the method';
  return `burnRate consuming ${formatPercent(spec.consumed)} of the error budget${windows}${spec.shortWindow ? ` and ${formatDuration(spec.shortWindow)}` : ''}`;
}

/** An SLO window as people write it: `30d`, `7d`, else a duration such as `12h`. */
export function formatWindow(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : formatDuration(ms);
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
