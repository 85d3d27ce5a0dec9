/** Stop-condition rules on a window of samples: every criterion the format accepts is evaluated. */
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../src/engine/stop-conditions.js';
import type { Sample } from '../src/probes/sample.js';
import type { StopCondition } from '../src/spec/schema.js';

const now = 10_000;
function samples(latencies: number[], ok = true): Sample[] {
  return latencies.map((latencyMs, i) => ({
    probe: 'p',
    t: now - (latencies.length - i) * 100,
    ok,
    latencyMs,
    phase: 'during',
    detail: '',
  }));
}
const condition = (extra: Partial<StopCondition>): StopCondition =>
  ({ probe: 'p', window: 5000, minSamples: 1, ...extra }) as StopCondition;

describe('evaluateCondition', () => {
  // 10 samples: nine at 10ms and one at 900ms — p50 10, p95 and p99 900
  const window = samples([10, 10, 10, 10, 10, 10, 10, 10, 10, 900]);

  it('trips on each latency percentile it is given, and only when that percentile breaks', () => {
    expect(evaluateCondition(condition({ latencyP50Ms: { gt: 100 } }), window, now)).toBeNull();
    expect(evaluateCondition(condition({ latencyP50Ms: { gt: 5 } }), window, now)).toBe('latencyP50Ms 10.0 over 10 samples');
    expect(evaluateCondition(condition({ latencyP95Ms: { gt: 800 } }), window, now)).toBe('latencyP95Ms 900.0 over 10 samples');
    expect(evaluateCondition(condition({ latencyP99Ms: { gt: 800 } }), window, now)).toBe('latencyP99Ms 900.0 over 10 samples');
    expect(evaluateCondition(condition({ latencyP99Ms: { gt: 1000 } }), window, now)).toBeNull();
  });

  it('trips on a failure rate and on consecutive failures, and waits for minSamples', () => {
    const failing = [...samples([10, 10]), ...samples([10, 10, 10], false)];
    expect(evaluateCondition(condition({ failureRate: { gte: 0.5 } }), failing, now)).toBe('failureRate 0.600 over 5 samples');
    expect(evaluateCondition(condition({ failureRate: { gte: 0.5 }, minSamples: 6 }), failing, now)).toBeNull();
    expect(evaluateCondition(condition({ consecutiveFailures: 3 }), failing, now)).toMatch(/^3 consecutive failures/);
    expect(evaluateCondition(condition({ consecutiveFailures: 4 }), failing, now)).toBeNull();
  });

  it('only looks at the samples inside its window', () => {
    const old = samples([5000]).map((s) => ({ ...s, t: now - 60_000 }));
    expect(evaluateCondition(condition({ latencyP99Ms: { gt: 1000 }, window: 5000 }), [...old, ...window], now)).toBeNull();
  });
});
