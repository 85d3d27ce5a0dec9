/**
 * The faults and watched probes of one test, for the test-runner integrations (faultline/playwright,
 * faultline/vitest): `inject` holds a fault until the test ends, `watch` samples a probe in the background,
 * `end()` reverts and stops them whatever the ending, and `record()` is what the runner's report shows
 * (each fault with its injection and revert times, the timeline, every sample with its phase).
 */
import type { Phase } from '../probes/sample.js';
import { formatPercent } from '../util/format.js';
import type { FaultHandle } from './handle.js';
import { inject } from './inject.js';
import type { InjectOptions, ProbeInput } from './spec.js';
import { ProbeWatch } from './watch.js';

export interface Chaos {
  /** injects a fault held until `revert()` or the end of the test */
  inject(options: InjectOptions): Promise<FaultHandle>;
  /** samples a probe (http, tcp, cmd, browser, ...) in the background until the end of the test */
  watch(probe: ProbeInput): ProbeWatch;
  /** every fault injected in this test */
  readonly faults: readonly FaultHandle[];
}

export type ChaosRecord = ReturnType<TestChaos['record']>;

export class TestChaos implements Chaos {
  readonly faults: FaultHandle[] = [];
  readonly watches: ProbeWatch[] = [];
  private injectedOnce = false;

  async inject(options: InjectOptions): Promise<FaultHandle> {
    const handle = await inject(options);
    this.faults.push(handle);
    this.injectedOnce = true;
    return handle;
  }

  watch(probe: ProbeInput): ProbeWatch {
    const watch = new ProbeWatch(probe, () => this.phase());
    this.watches.push(watch);
    return watch;
  }

  /** whether anything was injected or watched (a test that used neither has nothing to report) */
  get used(): boolean {
    return this.faults.length > 0 || this.watches.length > 0;
  }

  private phase(): Phase {
    if (this.faults.some((f) => f.active)) return 'during';
    return this.injectedOnce ? 'after' : 'before';
  }

  /** Reverts every fault, stops every probe; returns the revert errors. */
  async end(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const fault of this.faults) await fault.revert().catch((error) => errors.push(error));
    await Promise.all(this.watches.map((w) => w.stop()));
    return errors;
  }

  /** What the report holds. */
  record() {
    return {
      faults: this.faults.flatMap((f) => f.faults),
      timeline: this.faults.flatMap((f) => f.timeline).sort((a, b) => a.t.localeCompare(b.t)),
      probes: this.watches.map((w) => ({
        name: w.name,
        availability: { before: w.availability('before'), during: w.availability('during'), after: w.availability('after') },
        samples: w.samples.map(({ endedAt: _endedAt, ...sample }) => ({ ...sample, t: new Date(sample.t).toISOString() })),
      })),
    };
  }

  /** The record in a few lines for a person. */
  summary(): string {
    const { faults, probes } = this.record();
    const lines = faults.map(
      (f) =>
        `${f.fault} on ${f.target}: injected ${f.injectedAt ?? 'never'}, reverted ${f.revertedAt ?? 'NOT REVERTED'}${f.error ? ` (${f.error})` : ''}`,
    );
    for (const p of probes) {
      const { before, during, after } = p.availability;
      lines.push(
        `probe ${p.name}: ${p.samples.length} samples; availability before ${formatPercent(before)}, during ${formatPercent(during)}, after ${formatPercent(after)}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
