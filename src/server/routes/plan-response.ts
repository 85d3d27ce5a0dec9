/** What the routes that plan an experiment without running it (dry-run, target preview) share. */
import type { PlannedFault } from '../../backends/types.js';
import { UserError } from '../../util/errors.js';
import { ApiError } from '../errors.js';

/**
 * Runs `work`, which plans an experiment; a plan that cannot be made (a selector that matches nothing,
 * say) is the caller's input, so it answers 422 `cannot_plan` rather than 400.
 */
export async function planOrReject<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserError) throw new ApiError(422, 'cannot_plan', error.message);
    throw error;
  }
}

/** The fields every answer about a planned fault step starts with. */
export function plannedStepFields(p: PlannedFault) {
  return { path: p.path, name: p.step.name, fault: p.fault.name, mode: p.step.mode, value: p.step.value ?? null };
}
