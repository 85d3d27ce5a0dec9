/**
 * The contract of a backend: where faults are applied. `local` applies them on this host (processes,
 * proxies, the kernel); `kubernetes` drives a chaos engine in a cluster. The engine never asks which
 * backend it has: it plans and applies each fault step through this interface, and every change goes
 * through the injector, so it is journaled before it takes effect whatever the backend.
 */
import type { Injection, Injector } from '../engine/injector.js';
import type { TargetInstance } from '../engine/target-instance.js';
import type { FaultType } from '../faults/types.js';
import type { Experiment } from '../spec/load.js';
import type { FaultStep, Policy } from '../spec/schema.js';

/** One fault step of a plan: the targets it would hit now and exactly what it would change. */
export interface PlannedFault {
  /** `spec.method[0]` or `spec.method[2].parallel[1]` */
  path: string;
  step: FaultStep;
  fault: FaultType;
  candidates: TargetInstance[];
  selected: TargetInstance[];
  /** one line per selected target */
  actions: string[];
}

export interface Backend {
  name: string;
  /** which targets a step would hit now and exactly what would change; no side effect */
  planStep(experiment: Experiment, path: string, step: FaultStep, seed: number): Promise<PlannedFault>;
  /** applies a planned step through the injector; returns the injections to hold and revert */
  applyStep(planned: PlannedFault, injector: Injector): Promise<Injection[]>;
  /** the project policy's checks that only this backend can make (namespaces, workloads' minHealthy); one line per violation */
  policyViolations?(plan: readonly PlannedFault[], policy: Policy | null): string[];
}
