/** Checks the steady-state tolerance (availability, failure rate, latency percentiles) over a set of samples. */

import type { Sample } from '../probes/sample.js';
import type { ReportTolerance } from '../report/types.js';
import { compareNumber, describeNumber, type NumberComparison } from '../spec/comparators.js';
import type { Tolerance } from '../spec/schema.js';
import { maxConsecutiveFailures } from './measurements.js';
import { percentile, ratio } from './percentile.js';

/** With no tolerance written, the hypothesis is that every sample is good. */
const DEFAULT_TOLERANCE: Tolerance = { availability: { gte: 1 } };

type Measure = (samples: readonly Sample[]) => number | null;

const MEASURES: Record<Exclude<keyof Tolerance, 'maxConsecutiveFailures'>, Measure> = {
  availability: (s) => ratio(s.filter((x) => x.ok).length, s.length),
  failureRate: (s) => ratio(s.filter((x) => !x.ok).length, s.length),
  latencyP50Ms: (s) =>
    percentile(
      s.map((x) => x.latencyMs),
      50,
    ),
  latencyP95Ms: (s) =>
    percentile(
      s.map((x) => x.latencyMs),
      95,
    ),
  latencyP99Ms: (s) =>
    percentile(
      s.map((x) => x.latencyMs),
      99,
    ),
};

export function evaluateTolerance(tolerance: Tolerance, samples: readonly Sample[]): ReportTolerance[] {
  const effective = Object.values(tolerance).some((v) => v !== undefined) ? tolerance : DEFAULT_TOLERANCE;
  const results: ReportTolerance[] = [];
  for (const [name, measureOf] of Object.entries(MEASURES)) {
    const expected = effective[name as keyof typeof MEASURES] as NumberComparison | undefined;
    if (expected === undefined) continue;
    const actual = measureOf(samples);
    // No sample at all is not evidence that the hypothesis held.
    results.push({
      name,
      expected: describeNumber(expected),
      actual,
      ok: actual !== null && compareNumber(actual, expected),
      n: samples.length,
    });
  }
  if (effective.maxConsecutiveFailures !== undefined) {
    const actual = maxConsecutiveFailures(samples);
    results.push({
      name: 'maxConsecutiveFailures',
      expected: `<= ${effective.maxConsecutiveFailures}`,
      actual,
      ok: actual <= effective.maxConsecutiveFailures,
      n: samples.length,
    });
  }
  return results;
}
