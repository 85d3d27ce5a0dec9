/**
 * The plan of a run: for every fault step, which targets it would hit now and exactly what it would
 * change. Computed before any harm, so that a selector that matches nothing stops the run first;
 * printed as is by `--dry-run`.
 */
import { backendFor } from '../backends/index.js';
import type { PlannedFault } from '../backends/types.js';
import type { Experiment } from '../spec/load.js';
import type { FaultStep, Step } from '../spec/schema.js';
import { instanceLabel } from './target-instance.js';

/** Every fault step with its place in the method. */
export function faultSteps(method: readonly Step[]): { path: string; step: FaultStep }[] {
  return method.flatMap((step, i) => {
    if (step.kind === 'fault') return [{ path: `spec.method[${i}]`, step }];
    if (step.kind === 'parallel') return step.steps.map((s, j) => ({ path: `spec.method[${i}].parallel[${j}]`, step: s }));
    // every stage is planned: policy and the blast radius judge the heaviest one before any harm
    if (step.kind === 'progressive')
      return step.stages.map((s, j) => ({ path: `spec.method[${i}].progressive.stages[${j}]`, step: s.step }));
    return [];
  });
}

/** Resolves and selects one step's targets now, through the experiment's backend. Throws a UserError when nothing matches and the step does not allow it. */
export function planStep(experiment: Experiment, path: string, step: FaultStep, seed: number): Promise<PlannedFault> {
  return backendFor(experiment).planStep(experiment, path, step, seed);
}

export async function planExperiment(experiment: Experiment, seed: number): Promise<PlannedFault[]> {
  const plan: PlannedFault[] = [];
  for (const { path, step } of faultSteps(experiment.method)) plan.push(await planStep(experiment, path, step, seed));
  return plan;
}

export function selectedLabels(plan: readonly PlannedFault[]): string[] {
  return [...new Set(plan.flatMap((p) => p.selected.map(instanceLabel)))];
}
