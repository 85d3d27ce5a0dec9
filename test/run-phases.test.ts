/**
 * The phases of a run (src/engine/run/), each on a run context built here with real probes and
 * stores: the baseline refuses a system whose steady state does not hold, and the verdict is settled
 * from the samples the run took.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Abort } from '../src/engine/abort.js';
import { takeBaseline } from '../src/engine/run/baseline.js';
import { RunContext } from '../src/engine/run/context.js';
import { decideVerdict } from '../src/engine/run/verdict.js';
import { Journal } from '../src/journal/journal.js';
import type { Sample } from '../src/probes/sample.js';
import { openControlDb } from '../src/safety/control-db.js';
import { parseExperiments } from '../src/spec/load.js';
import { RunStore } from '../src/store/store.js';
import { tempDir } from './support/cli.js';

const opened: RunContext[] = [];
afterEach(async () => {
  for (const ctx of opened.splice(0)) {
    await ctx.stopLoops(() => true);
    ctx.stores.journal.close();
    (ctx.stores.store as RunStore).close();
    ctx.stores.control.close();
  }
});

/** A context whose steady state is judged on one cmd probe every 50ms that runs `command`. */
function contextFor(command: string): RunContext {
  const [experiment] = parseExperiments(
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: phases }
spec:
  hypothesis: The checker keeps passing.
  targets:
    - { name: worker, process: { pid: ${process.pid} } }
  probes:
    - { name: checker, type: cmd, cmd: { command: [ "${command}" ] }, interval: 50ms }
  steadyState: { probes: [ checker ], tolerance: { availability: { gte: 0.9 } } }
  method:
    - { fault: process.pause, selector: { names: [ worker ] }, duration: 1s }
`,
    null,
    { project: null },
  );
  const dir = tempDir('faultline-phases-');
  const stores = {
    journal: new Journal(join(dir, 'journal.db')),
    store: new RunStore(join(dir, 'runs.db')),
    control: openControlDb(join(dir, 'control.db')),
    guarded: Promise.resolve(),
  };
  const ctx = new RunContext(experiment as NonNullable<typeof experiment>, {}, stores);
  opened.push(ctx);
  return ctx;
}

function samples(from: number, to: number, ok: (t: number) => boolean): Sample[] {
  const taken: Sample[] = [];
  for (let t = from; t < to; t += 50)
    taken.push({ probe: 'checker', t, ok: ok(t), latencyMs: 1, endedAt: t + 1, phase: 'during', detail: '' });
  return taken;
}

describe('the baseline phase', () => {
  it('refuses to go on, before any fault, when the steady state does not hold', async () => {
    const ctx = contextFor('false');
    const refused = takeBaseline(ctx);
    await expect(refused).rejects.toThrow(Abort);
    await expect(refused).rejects.toThrow(/steady state did not hold before any fault \(availability 0, expected/);
    expect(ctx.injector.firstInjectedAt).toBeNull();
    expect(ctx.samples.length).toBeGreaterThan(0);
    expect(ctx.samples.every((s) => s.phase === 'before' && !s.ok)).toBe(true);
  });

  it('goes on when it holds, its probe sampling in the background', async () => {
    const ctx = contextFor('true');
    await takeBaseline(ctx);
    expect(ctx.samples.length).toBeGreaterThan(0);
    expect(ctx.samples.every((s) => s.phase === 'before' && s.ok)).toBe(true);
    expect(ctx.loops.map((l) => l.probe.name)).toEqual(['checker']);
  });
});

describe('the verdict phase', () => {
  /** A context as the chaos left it: a fault active from t0 to t0 + 1s, the given samples taken meanwhile and after. */
  function afterChaos(ok: (t: number) => boolean): RunContext {
    const ctx = contextFor('true');
    const t0 = Date.now() - 5000;
    ctx.injector.firstInjectedAt = t0;
    ctx.injector.lastRevertedAt = t0 + 1000;
    ctx.chaosEndedAt = t0 + 1000;
    ctx.samples.push(...samples(t0, t0 + 1000, ok));
    ctx.samples.push(...samples(t0 + 1000, t0 + 1500, () => true).map((s) => ({ ...s, phase: 'after' as const })));
    return ctx;
  }

  it('passes a run whose steady state held while the fault was active', () => {
    const ctx = afterChaos(() => true);
    const measured = decideVerdict(ctx);
    expect(ctx.outcome.verdict).toBe('passed');
    expect(ctx.outcome.reason).toMatch(/^the steady state held: availability 1/);
    expect(measured.duringSamples).toBe(20);
  });

  it('fails a run whose steady state broke while the fault was active', () => {
    const ctx = afterChaos((t) => Math.floor(t / 50) % 2 === 0);
    decideVerdict(ctx);
    expect(ctx.outcome.verdict).toBe('failed');
    expect(ctx.outcome.reason).toMatch(/^hypothesis refuted: availability 0\.5, expected/);
  });

  it('leaves an earlier ending alone: an aborted run stays aborted', () => {
    const ctx = afterChaos(() => true);
    ctx.outcome.end('aborted', 'guard refused');
    decideVerdict(ctx);
    expect(ctx.outcome.verdict).toBe('aborted');
    expect(ctx.outcome.reason).toBe('guard refused');
  });
});
