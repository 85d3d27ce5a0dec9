/**
 * Stop conditions (`spec.guards.stopWhen`), evaluated on every sample while faults are active. The
 * first that trips calls `onTrip` once with the condition, the values it saw and the time.
 */

import { percentile } from '../measure/percentile.js';
import { describeBurnRate, evaluateBurnRate, type SloContext } from '../measure/slo.js';
import type { Sample } from '../probes/sample.js';
import { compareNumber, describeNumber } from '../spec/comparators.js';
import type { StopCondition } from '../spec/schema.js';
import { formatDuration } from '../util/duration.js';
import { alertMatches, type ReceivedAlert } from './alerts.js';

const showLabels = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

export interface Trip {
  condition: string;
  observed: string;
  at: number;
}

const LATENCY_PERCENTILES = [
  ['latencyP50Ms', 50],
  ['latencyP95Ms', 95],
  ['latencyP99Ms', 99],
] as const;

/** `checkout failureRate > 0.2 over 10s`: how a condition reads in reports. */
export function describeCondition(c: StopCondition): string {
  if (c.alert !== undefined) return `alert ${c.alert === '*' ? '(any)' : c.alert} fires`;
  if (c.burnRate !== undefined) return describeBurnRate(c.burnRate);
  const parts: string[] = [];
  if (c.failureRate) parts.push(`failureRate ${describeNumber(c.failureRate)}`);
  if (c.consecutiveFailures) parts.push(`${c.consecutiveFailures} consecutive failures`);
  for (const [key] of LATENCY_PERCENTILES) {
    const expected = c[key];
    if (expected) parts.push(`${key} ${describeNumber(expected)}`);
  }
  return `${c.probe} ${parts.join(' or ')} over ${formatDuration(c.window)}`;
}

/** The observation that trips `condition` given the probe's samples so far, or null. */
export function evaluateCondition(condition: StopCondition, samples: readonly Sample[], now: number): string | null {
  const inWindow = samples.filter((s) => s.t >= now - condition.window);
  if (condition.consecutiveFailures) {
    const last = samples.slice(-condition.consecutiveFailures);
    if (last.length === condition.consecutiveFailures && last.every((s) => !s.ok)) {
      return `${last.length} consecutive failures, last: ${last.at(-1)?.detail}`;
    }
  }
  if (inWindow.length < condition.minSamples) return null;
  if (condition.failureRate) {
    const rate = inWindow.filter((s) => !s.ok).length / inWindow.length;
    if (compareNumber(rate, condition.failureRate)) return `failureRate ${rate.toFixed(3)} over ${inWindow.length} samples`;
  }
  for (const [key, p] of LATENCY_PERCENTILES) {
    const expected = condition[key];
    if (!expected) continue;
    const value = percentile(
      inWindow.map((s) => s.latencyMs),
      p,
    ) as number;
    if (compareNumber(value, expected)) return `${key} ${value.toFixed(1)} over ${inWindow.length} samples`;
  }
  return null;
}

/** How often a probe is sampled, to tell when it has gone quiet. */
export interface ProbeCadence {
  intervalMs: number;
  timeoutMs: number;
  initialDelayMs: number;
}

/** The default bound is never below this: a busy host delays a sample by a few hundred ms without any fault. */
const MIN_SAMPLE_GAP_MS = 1_000;

/** The longest a probe may give no sample while faults are active before its stop condition trips. */
export function sampleGapBound(condition: Pick<StopCondition, 'maxSampleGap'>, cadence: ProbeCadence): number {
  return condition.maxSampleGap ?? Math.max(MIN_SAMPLE_GAP_MS, 2 * cadence.intervalMs + cadence.timeoutMs);
}

export class StopWatcher {
  private readonly samples = new Map<string, Sample[]>();
  /** when each probe last gave a sample (or when the watch began), epoch ms */
  private readonly lastHeard = new Map<string, number>();
  tripped: Trip | null = null;

  constructor(
    private readonly conditions: readonly StopCondition[],
    private readonly onTrip: (trip: Trip) => void,
    /** the experiment's SLO, for burnRate conditions */
    private readonly slo?: SloContext,
    /** the cadence of each probe by name, for the no-sample rule */
    private readonly cadences: ReadonlyMap<string, ProbeCadence> = new Map(),
  ) {}

  /** The probe a condition judges (a burnRate condition judges the SLO's probe), or null for alerts. */
  private probeOf(condition: StopCondition): string | null {
    if (condition.alert !== undefined) return null;
    if (condition.burnRate) return this.slo?.probe ?? null;
    return condition.probe ?? null;
  }

  /** Faults became active at `now`: from here on, each watched probe must keep giving samples. */
  startWatching(now: number): void {
    for (const condition of this.conditions) {
      const probe = this.probeOf(condition);
      const cadence = probe ? this.cadences.get(probe) : undefined;
      // an OnChaos probe starts with the chaos: its first sample may wait for its initial delay
      if (probe && cadence && !this.lastHeard.has(probe)) this.lastHeard.set(probe, now + cadence.initialDelayMs);
    }
  }

  /**
   * Fail closed: a condition whose probe has gone quiet for longer than its bound trips, whatever the
   * reason (a stalled event loop, a probe that hangs): no sample must never read as no problem.
   */
  checkFreshness(now: number, only?: string): void {
    if (this.tripped) return;
    for (const condition of this.conditions) {
      const probe = this.probeOf(condition);
      if (only !== undefined && probe !== only) continue;
      const cadence = probe ? this.cadences.get(probe) : undefined;
      const since = probe ? this.lastHeard.get(probe) : undefined;
      if (!probe || !cadence || since === undefined) continue;
      const bound = sampleGapBound(condition, cadence);
      if (now - since > bound) {
        this.tripped = {
          condition: describeCondition(condition),
          observed: `no samples from probe ${probe} for ${formatDuration(now - since)} (bound ${formatDuration(bound)})`,
          at: now,
        };
        this.onTrip(this.tripped);
        return;
      }
    }
  }

  /** Feeds an alert received while faults were active. */
  observeAlert(alert: ReceivedAlert): void {
    if (this.tripped) return;
    const condition = this.conditions.find((c) => c.alert !== undefined && alertMatches(c.alert, alert));
    if (!condition) return;
    this.tripped = {
      condition: describeCondition(condition),
      observed: `alert ${alert.name} received (${showLabels(alert.labels)})`,
      at: alert.receivedAt,
    };
    this.onTrip(this.tripped);
  }

  /**
   * Feeds one sample taken while faults were active. `judged` false: it shows only that its probe is
   * alive, as it may have seen the system without the fault (see Injector.faultsHeldSince).
   */
  observe(sample: Sample, judged = true): void {
    // a sample that arrives after too long a silence trips first (whichever callback runs first after a stall)
    this.checkFreshness(Date.now(), sample.probe);
    this.lastHeard.set(sample.probe, Date.now());
    if (this.tripped || !judged) return;
    const list = this.samples.get(sample.probe) ?? [];
    list.push(sample);
    this.samples.set(sample.probe, list);
    for (const condition of this.conditions) {
      if (condition.alert !== undefined) continue;
      let observed: string | null;
      if (condition.burnRate) {
        if (this.slo?.probe !== sample.probe) continue;
        observed = evaluateBurnRate(condition.burnRate, list, this.slo);
      } else if (condition.probe === sample.probe) observed = evaluateCondition(condition, list, sample.t);
      else continue;
      if (observed !== null) {
        this.tripped = { condition: describeCondition(condition), observed, at: Date.now() };
        this.onTrip(this.tripped);
        return;
      }
    }
  }
}
