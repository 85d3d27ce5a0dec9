/**
 * A probe sampled in the background while a test goes (`chaos.watch(...)` in the Playwright fixture):
 * the same probe types and expectations as an experiment's, each sample stamped with its phase
 * (`during` while a fault of this process is held).
 */
import '../probes/index.js';
import type { Phase, Sample } from '../probes/sample.js';
import { ProbeLoop } from '../probes/scheduler.js';
import { type ProbeInput, probeOf } from './spec.js';

/** Samples kept per watched probe; older ones are dropped (a long test keeps bounded memory). */
const MAX_SAMPLES = 10_000;

export class ProbeWatch {
  readonly samples: Sample[] = [];
  private readonly loop: ProbeLoop;

  constructor(probe: ProbeInput, phase: () => Phase) {
    this.loop = new ProbeLoop(probeOf(probe), phase, (sample) => {
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

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
