/**
 * The plan of a run: for every fault step, which targets it would hit now and exactly what it would
 * change. Computed before any harm, so that a selector that matches nothing stops the run first;
 * printed as is by `--dry-run`.
 */
import { getFault } from '../faults/index.js';
import type { FaultType } from '../faults/types.js';
import type { Experiment } from '../spec/load.js';
import type { FaultStep, Step } from '../spec/schema.js';
import { UserError } from '../util/errors.js';
import { stepRandom } from './rng.js';
import { selectByMode } from './select.js';
import { instanceLabel, type TargetInstance } from './target-instance.js';
import { candidatesFor, describeSelector } from './targets.js';

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

/** Every fault step with its place in the method. */
export function faultSteps(method: readonly Step[]): { path: string; step: FaultStep }[] {
  return method.flatMap((step, i) => {
    if (step.kind === 'fault') return [{ path: `spec.method[${i}]`, step }];
    if (step.kind === 'parallel') return step.steps.map((s, j) => ({ path: `spec.method[${i}].parallel[${j}]`, step: s }));
    return [];
  });
}

/** Resolves and selects one step's targets now. Throws a UserError when nothing matches and the step does not allow it. */
export function planStep(experiment: Experiment, path: string, step: FaultStep, seed: number): PlannedFault {
  const fault = getFault(step.fault);
  const candidates = candidatesFor(step.selector, fault.needs, experiment.targets);
  if (candidates.length === 0 && !step.allowEmpty) {
    const protectedNames = experiment.targets.filter((t) => t.protected && step.selector?.names?.includes(t.name)).map((t) => t.name);
    const why = protectedNames.length ? ` (${protectedNames.join(', ')} ${protectedNames.length > 1 ? 'are' : 'is'} protected)` : '';
    throw new UserError(
      `${path} (${step.name}): selector ${describeSelector(step.selector)} matches no running target${why}; check the selector, or set allowEmpty: true to skip the step`,
    );
  }
  const selected = selectByMode(candidates, step.mode, step.value, stepRandom(seed, path));
  return {
    path,
    step,
    fault,
    candidates,
    selected,
    actions: selected.map((target) => fault.describe(step.params, target, step.durationMs)),
  };
}

export function planExperiment(experiment: Experiment, seed: number): PlannedFault[] {
  return faultSteps(experiment.method).map(({ path, step }) => planStep(experiment, path, step, seed));
}

export function selectedLabels(plan: readonly PlannedFault[]): string[] {
  return [...new Set(plan.flatMap((p) => p.selected.map(instanceLabel)))];
}
