/**
 * How much of the chaos window a probe's samples cover. A verdict rests on samples: when a stalled
 * runner or a hung probe leaves a gap, the samples say nothing about that part of the window, and a
 * run whose samples cover too little of it cannot be called `passed`.
 *
 * Each sample covers from its start to the moment the next one was due: its start plus the longer of
 * the probe's interval and its own duration (every attempt), with slack for scheduling: half an interval, and
 * at least SCHEDULING_SLACK_MS, because a busy machine fires timers late by up to a few hundred milliseconds and
 * such a delay says nothing about the system under test (a stall of a second or more still shows).
 */
import type { Sample } from '../probes/sample.js';

/** Below this share of the chaos window covered by samples, a run cannot pass. */
export const MIN_COVERAGE = 0.9;

/** The least scheduling slack a sample is given beyond its interval, ms. */
export const SCHEDULING_SLACK_MS = 200;

export interface Coverage {
  probe: string;
  /** covered share of the window, 0 to 1 */
  ratio: number;
  windowMs: number;
  /** the longest stretch of the window without a sample, ms */
  longestGapMs: number;
  samples: number;
}

/** The cadence of a probe: a sample may legitimately take up to `retry` attempts of `timeoutMs` each. */
export interface SampledEvery {
  intervalMs: number;
  timeoutMs: number;
  retry: number;
}

export function sampleCoverage(
  probe: string,
  samples: readonly Sample[],
  window: { from: number; to: number },
  { intervalMs, timeoutMs, retry }: SampledEvery,
): Coverage {
  // a sample that took longer than its attempts' timeouts allow was held up by the runner itself (a
  // stalled event loop delays the timeout too): it covers no more than a sample that timed out
  const longest = retry * timeoutMs + intervalMs;
  const slackMs = Math.max(intervalMs / 2, SCHEDULING_SLACK_MS);
  const windowMs = Math.max(0, window.to - window.from);
  const own = samples.filter((s) => s.probe === probe).sort((a, b) => a.t - b.t);
  let covered = 0;
  let longestGapMs = 0;
  let reach = window.from; // the window is covered up to here
  let counted = 0;
  for (const s of own) {
    const took = Math.min(longest, (s.endedAt ?? s.t + s.latencyMs) - s.t); // every attempt of the sample
    const end = Math.min(window.to, s.t + Math.max(intervalMs, took) + slackMs);
    if (end <= window.from || s.t >= window.to) continue;
    counted++;
    const start = Math.max(window.from, s.t);
    if (start > reach) longestGapMs = Math.max(longestGapMs, start - reach);
    if (end > reach) {
      covered += end - Math.max(start, reach);
      reach = end;
    }
  }
  longestGapMs = Math.max(longestGapMs, window.to - reach);
  return { probe, ratio: windowMs === 0 ? 1 : Math.min(1, covered / windowMs), windowMs, longestGapMs, samples: counted };
}
