/**
 * A probe sampled in the background while a test goes (`chaos.watch(...)` in the Playwright fixture):
 * the same probe types and expectations as an experiment's, each sample stamped with its phase
 * (`during` while a fault of this process is held).
 */
import { randomBytes } from 'node:crypto';
import '../probes/index.js';
import { findProbeType } from '../probes/registry.js';
import type { Phase, Sample } from '../probes/sample.js';
import { ProbeLoop } from '../probes/scheduler.js';
import { type ProbeInput, probeOf } from './spec.js';

/** Samples kept per watched probe; older ones are dropped (a long test keeps bounded memory). */
const MAX_SAMPLES = 10_000;

export class ProbeWatch {
  readonly samples: Sample[] = [];
  private readonly loop: ProbeLoop;
  private readonly finish: () => Promise<unknown>;

  constructor(probe: ProbeInput, phase: () => Phase) {
    const parsed = probeOf(probe);
    // a probe type that keeps state (the browser probe's browser) gets its own, released at stop()
    const type = findProbeType(parsed.type);
    const info = {
      runId: `watch-${randomBytes(4).toString('hex')}`,
      probe: parsed.name,
      intervalMs: parsed.intervalMs,
      timeoutMs: parsed.timeoutMs,
    };
    const spec = type?.forRun ? { ...parsed, config: type.forRun(parsed.config, info) } : parsed;
    this.finish = async () => type?.finish?.(spec.config, spec.expect, { interruptedAt: null, signal: new AbortController().signal });
    this.loop = new ProbeLoop(spec, phase, (sample) => {
      this.samples.push(sample);
      if (this.samples.length > MAX_SAMPLES) this.samples.shift();
    });
  }

  get name(): string {
    return this.loop.probe.name;
  }

  /** the share of good samples, in [0, 1] (null before the first sample), for a phase or for all */
  availability(phase?: Phase): number | null {
    const samples = phase ? this.samples.filter((s) => s.phase === phase) : this.samples;
    return samples.length ? samples.filter((s) => s.ok).length / samples.length : null;
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.finish();
  }
}
