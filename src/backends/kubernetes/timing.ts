/**
 * How long a run waits for an engine, and how long an engine may keep a fault by itself: one rule for
 * every engine.
 *
 * Inject timeout: spec.kubernetes.injectTimeout, plus the time the engine is told to wait before it
 * injects. litmus-go sleeps RAMP_TIME seconds before the chaos starts (the `RampTime != 0` block that
 * calls common.WaitForDuration at the top of chaoslib/litmus/network-chaos/lib/network-chaos.go,
 * chaoslib/litmus/pod-delete/lib/pod-delete.go and the other chaoslibs), so a step with RAMP_TIME past
 * the inject timeout would otherwise end "not injected" just before the fault arrives.
 *
 * Dead-man bound: every object a run creates carries the engine's own end (Chaos Mesh `spec.duration`,
 * Litmus TOTAL_CHAOS_DURATION) = the step + the inject timeout + spec.kubernetes.deadManMargin, so a faultline that dies
 * (SIGKILL, OOM, an evicted Job pod) leaves nothing beyond the step; faultline still deletes the object
 * as soon as the step ends, and `faultline recover` still deletes it early.
 */

import type { KubernetesSpec } from '../../spec/kubernetes.js';
import type { FaultStep } from '../../spec/schema.js';

/** What the timing rules read of spec.kubernetes (an export passes it partial). */
type Timing = Partial<Pick<KubernetesSpec, 'engine' | 'env' | 'injectTimeout' | 'deadManMargin'>>;

/** A step held until the method ends has no length of its own: the engine's bound is a day. */
export const UNBOUNDED_STEP_MS = 86_400_000;

/** RAMP_TIME (seconds) from the step's env, else the experiment's, in milliseconds; 0 when unset. */
export function litmusRampMs(step: Pick<FaultStep, 'kubernetes'>, settings: Pick<Timing, 'env'>): number {
  const raw = step.kubernetes?.env?.RAMP_TIME ?? settings.env?.RAMP_TIME;
  const seconds = raw === undefined ? 0 : Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** How long to wait for the engine to report the step injected. */
export function injectTimeoutFor(step: Pick<FaultStep, 'kubernetes'>, settings: Timing): number {
  const base = settings.injectTimeout ?? 60_000;
  return settings.engine === 'litmus' ? base + litmusRampMs(step, settings) : base;
}

/** How long after its creation the engine ends the fault by itself (a one-shot fault is held for no time). */
export function deadManMs(step: Pick<FaultStep, 'kubernetes' | 'durationMs'>, settings: Timing, oneShot = false): number {
  const held = oneShot ? 0 : (step.durationMs ?? UNBOUNDED_STEP_MS);
  return held + injectTimeoutFor(step, settings) + (settings.deadManMargin ?? 30_000);
}
