/**
 * The SRE numbers of a run, from its timestamped samples and the times faults were applied and
 * reverted (definitions: reference notes, commercial-sre.md section 5). A number that cannot be
 * measured is null, never a guess.
 */

import type { Phase, Sample } from '../probes/sample.js';
import type { Measurements, PhaseLatency } from '../report/types.js';
import { percentile, ratio } from './percentile.js';

export interface Markers {
  /** first fault applied, epoch ms */
  injectedAt: number | null;
  /** last fault reverted, epoch ms */
  faultEndedAt: number | null;
}

const PHASES: Phase[] = ['before', 'during', 'after'];

function latencyOf(samples: readonly Sample[]): PhaseLatency {
  const values = samples.map((s) => s.latencyMs);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), p99: round(percentile(values, 99)), n: values.length };
}

/** Injection to the first failing steady-state sample taken after it. */
export function timeToDetect(samples: readonly Sample[], markers: Markers): number | null {
  if (markers.injectedAt === null) return null;
  const injectedAt = markers.injectedAt;
  const first = samples.filter((s) => s.t >= injectedAt && !s.ok).sort((a, b) => a.t - b.t)[0];
  return first ? Math.max(0, first.t - injectedAt) : null;
}

/**
 * End of the last fault to the first of k consecutive good samples of one probe. When the good streak
 * already began before the fault ended (the system healed itself, or never failed), recovery is 0.
 */
export function probeRecovery(samples: readonly Sample[], faultEndedAt: number, k: number): number | null {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  let streakStart = -1;
  let streak = 0;
  for (let i = 0; i < sorted.length; i++) {
    const sample = sorted[i] as Sample;
    if (!sample.ok) {
      streak = 0;
      continue;
    }
    if (streak === 0) streakStart = i;
    streak++;
    const last = sorted[i] as Sample;
    if (streak >= k && last.t >= faultEndedAt) {
      return Math.max(0, (sorted[streakStart] as Sample).t - faultEndedAt);
    }
  }
  return null;
}

/** The slowest probe's recovery; null when any probe did not recover. */
export function timeToRecover(samples: readonly Sample[], probes: readonly string[], markers: Markers, k: number): number | null {
  if (markers.faultEndedAt === null || probes.length === 0) return null;
  let worst = 0;
  for (const probe of probes) {
    const recovery = probeRecovery(
      samples.filter((s) => s.probe === probe),
      markers.faultEndedAt,
      k,
    );
    if (recovery === null) return null;
    worst = Math.max(worst, recovery);
  }
  return worst;
}

export function measure(
  samples: readonly Sample[],
  steadyProbes: readonly string[],
  markers: Markers,
  options: { recoverySamples: number; probeIntervalMs: number | null },
): Measurements {
  const steady = samples.filter((s) => steadyProbes.includes(s.probe));
  const byPhase = (phase: Phase) => steady.filter((s) => s.phase === phase);
  const availabilityOf = (list: Sample[]) => ratio(list.filter((s) => s.ok).length, list.length);
  const [before, during, after] = PHASES.map(byPhase) as [Sample[], Sample[], Sample[]];
  return {
    mttdMs: timeToDetect(steady, markers),
    mttrMs: timeToRecover(steady, steadyProbes, markers, options.recoverySamples),
    availability: availabilityOf(during),
    availabilityByPhase: { before: availabilityOf(before), during: availabilityOf(during), after: availabilityOf(after) },
    samplesByPhase: { before: before.length, during: during.length, after: after.length },
    latencyMs: { before: latencyOf(before), during: latencyOf(during), after: latencyOf(after) },
    probeIntervalMs: options.probeIntervalMs,
    recoverySamples: options.recoverySamples,
  };
}

/** The longest run of consecutive failures, per probe, worst of all probes. */
export function maxConsecutiveFailures(samples: readonly Sample[]): number {
  const byProbe = new Map<string, Sample[]>();
  for (const s of samples) byProbe.set(s.probe, [...(byProbe.get(s.probe) ?? []), s]);
  let worst = 0;
  for (const list of byProbe.values()) {
    let run = 0;
    for (const s of list.sort((a, b) => a.t - b.t)) {
      run = s.ok ? 0 : run + 1;
      worst = Math.max(worst, run);
    }
  }
  return worst;
}
