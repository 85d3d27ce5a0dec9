/**
 * Runs probes: once (SOT, EOT, Edge, guards) or on an interval (Continuous, OnChaos) until stopped.
 * Each sample is stamped with the time its first attempt started and the phase of the run then (one
 * still in flight when the chaos began counts in it: see phaseOfSample).
 */
import type { ProbeSpec } from '../spec/schema.js';
import { sleep } from '../util/sleep.js';
import { findProbeType } from './registry.js';
import { type Phase, phaseOfSample, type Sample } from './sample.js';

export type SampleListener = (sample: Sample, probe: ProbeSpec) => void;

/** One sample: up to `retry` attempts, good at the first attempt that passes. */
export async function sampleProbe(probe: ProbeSpec, phase: Phase, signal: AbortSignal): Promise<Sample> {
  const probeType = findProbeType(probe.type);
  if (!probeType) throw new Error(`probe type ${probe.type} is not registered`);
  const t = Date.now();
  let outcome = { ok: false, latencyMs: 0, detail: 'not run' };
  for (let attempt = 1; attempt <= probe.retry && !signal.aborted; attempt++) {
    outcome = await probeType.check(probe.config, probe.expect, { timeoutMs: probe.timeoutMs, signal });
    if (outcome.ok) break;
    if (attempt < probe.retry) {
      outcome.detail = `${outcome.detail} (attempt ${attempt}/${probe.retry})`;
      if (probe.retryIntervalMs > 0) await sleep(probe.retryIntervalMs, signal);
    }
  }
  return { probe: probe.name, t, ok: outcome.ok, latencyMs: outcome.latencyMs, endedAt: Date.now(), phase, detail: outcome.detail };
}

/** A probe sampled every `interval` until `stop()`; a sample cut short by stop() is discarded. */
export class ProbeLoop {
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;

  constructor(
    readonly probe: ProbeSpec,
    private readonly phase: () => Phase,
    private readonly onSample: SampleListener,
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    await sleep(this.probe.initialDelayMs, signal);
    while (!signal.aborted) {
      const started = Date.now();
      const sample = await sampleProbe(this.probe, this.phase(), signal);
      if (signal.aborted) break;
      sample.phase = phaseOfSample(sample.phase, this.phase());
      this.onSample(sample, this.probe);
      await sleep(started + this.probe.intervalMs - Date.now(), signal);
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.done;
  }
}
