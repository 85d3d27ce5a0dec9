/**
 * The contract of a fault. Each fault is one file under src/faults/<family>/ that registers one
 * FaultType. The engine never switches on fault names: it asks the registry.
 *
 *   plan (describe) -> journal(state) -> apply -> ... -> revert(state)
 *
 * `inject` must call `ctx.journal(state)` BEFORE it changes anything, with everything `revert` needs,
 * because after a crash `faultline recover` calls `revert(state)` with nothing but that journaled state.
 */

import type { RunResources } from '../engine/resources.js';
import type { TargetInstance } from '../engine/target-instance.js';
import type { z } from '../util/zod.js';

/** What a target must have for the fault to hit it. */
/** `network`: any selected target; its `netns` and `addresses` say where its network is (kernel faults). */
export type TargetNeed = 'process' | 'endpoint' | 'files' | 'host' | 'network';

export interface InjectContext<P, S> {
  params: P;
  target: TargetInstance;
  /** how long the fault will be held, or null when it is held until the method ends */
  durationMs: number | null;
  /** durably records what revert needs; returns once it is on disk; a later call replaces the state */
  journal: (state: S) => void;
  /** what the run holds for its whole length (e.g. the proxy in front of an endpoint target) */
  resources: RunResources;
}

/**
 * A function of a fault's params, checked like a method (bivariantly), as `describe`, `inject` and
 * `executes` are: a FaultType<P> then registers as a FaultType<unknown> without a cast. Sound here because
 * the registry hands each fault only params its own schema parsed.
 */
type OfParams<P, R> = { bivarianceHack(params: P): R }['bivarianceHack'];

export interface FaultType<P = unknown, S = unknown> {
  /** `family.name`, e.g. `process.kill` */
  name: string;
  summary: string;
  /**
   * params as an experiment would write them, for the fault contract suite (test/support/fault-contract.ts)
   * and the docs; needed when the params have required fields
   */
  example?: Record<string, unknown>;
  /** zod schema of the step's `params` (defaults filled in) */
  params: z.ZodType<P>;
  /** what a target must have; a function when it depends on the params (stress: a process only with `cgroup: target`) */
  needs: TargetNeed | OfParams<P, TargetNeed>;
  /** what docs/faults.md says a target must have, when `needs` is a function of the params */
  needsDoc?: string;
  /** true when the fault acts once (a kill) and holds nothing that needs reverting */
  instantaneous?: boolean;
  /**
   * true for a record of the engine's own (a Kubernetes object a backend created, an nftables rule a
   * target setup added): journaled and recovered like a fault, but never written in an experiment
   */
  internal?: boolean;
  /** true when the fault takes its target out of service (kill, pause): counted against policy minHealthy */
  takesDown?: boolean;
  /**
   * true when the step runs code or commands of the experiment's author on this host (custom.action, a
   * tamper module): the caller then needs the `exec` capability (src/auth/capabilities.ts)
   */
  executes?(params: P): boolean;
  /** one line saying exactly what will change, for dry runs and reports */
  describe(params: P, target: TargetInstance, durationMs: number | null): string;
  /** applies the fault; throws a UserError when it cannot, after reverting whatever it did */
  inject(ctx: InjectContext<P, S>): Promise<void>;
  /**
   * undoes the fault from the journaled state alone; idempotent and safe on a half-applied fault. It may
   * return what the engine that carried the fault out said of it, which the run's report keeps.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most reverts are async functions that return nothing
  revert(state: S): Promise<void | RevertOutcome>;
  /**
   * loads ahead of time what `revert` needs (a heavy client library): a guardian calls it as soon as
   * the fault is journaled, so that its revert after a crash is not slowed by the loading
   */
  prepareRevert?(): Promise<void>;
}

/**
 * The verdict of the engine that carried a fault out, as the engine itself recorded it: Litmus's
 * ChaosResult (phase, verdict, probeSuccessPercentage and its own probes). faultline's verdict stays its
 * own (its probes, tolerances and objectives); this is kept beside it so that both can be read.
 */
export interface EngineVerdict {
  engine: 'litmus';
  /** the ChaosResult it was read from, `namespace/name` */
  result: string;
  phase: string;
  verdict: string;
  /** 0-100; null while the engine has not computed it (`Awaited`) */
  probeSuccessPercentage: number | null;
  /** litmus-go's errorOutput.reason (and failStep), when the experiment failed */
  reason?: string;
  /** the engine's own probes (`status.probeStatuses`) with their verdicts */
  probes: { name: string; type?: string; mode?: string; verdict: string; description?: string }[];
}

export interface RevertOutcome {
  engine?: EngineVerdict;
}

/** What a step of this fault needs from its targets, given its params. */
export function targetNeedOf<P>(fault: Pick<FaultType<P>, 'needs'>, params: P): TargetNeed {
  return typeof fault.needs === 'function' ? fault.needs(params) : fault.needs;
}
