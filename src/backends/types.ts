/**
 * The contract of a backend: where faults are applied. `local` applies them on this host (processes,
 * proxies, the kernel); `kubernetes` drives a chaos engine in a cluster. The engine never asks which
 * backend it has: it plans and applies each fault step through this interface, and every change goes
 * through the injector, so it is journaled before it takes effect whatever the backend.
 */
import type { Injection, Injector } from '../engine/injector.js';
import type { PlannedFault } from '../engine/plan.js';
import type { Experiment } from '../spec/load.js';
import type { FaultStep } from '../spec/schema.js';

export interface Backend {
  name: string;
  /** which targets a step would hit now and exactly what would change; no side effect */
  planStep(experiment: Experiment, path: string, step: FaultStep, seed: number): Promise<PlannedFault>;
  /** applies a planned step through the injector; returns the injections to hold and revert */
  applyStep(planned: PlannedFault, injector: Injector): Promise<Injection[]>;
}
