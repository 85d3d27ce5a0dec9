/**
 * The local backend (the embedded default): targets are processes, endpoints and files of this host;
 * each selected target gets the fault's own `inject`.
 */

import { protectedIdentities, protectedTargetsOf, protectionRefusal } from '../engine/identity.js';
import { stepRandom } from '../engine/rng.js';
import { selectByMode } from '../engine/select.js';
import { candidatesFor, describeSelector } from '../engine/targets.js';
import { getFault } from '../faults/index.js';
import { targetNeedOf } from '../faults/types.js';
import { UserError } from '../util/errors.js';
import { registerBackend } from './registry.js';
import type { PlannedFault } from './types.js';

registerBackend({
  name: 'local',
  async planStep(experiment, path, step, seed): Promise<PlannedFault> {
    const fault = getFault(step.fault);
    const protectedIds = protectedIdentities(protectedTargetsOf(experiment));
    const candidates = candidatesFor(step.selector, targetNeedOf(fault, step.params), experiment.targets, protectedIds);
    if (candidates.length === 0 && !step.allowEmpty) {
      const protectedNames = experiment.targets.filter((t) => t.protected && step.selector?.names?.includes(t.name)).map((t) => t.name);
      const byIdentity = candidatesFor(step.selector, targetNeedOf(fault, step.params), experiment.targets)
        .map((instance) => protectionRefusal(experiment, instance))
        .filter((refusal) => refusal !== null);
      const why = protectedNames.length
        ? ` (${protectedNames.join(', ')} ${protectedNames.length > 1 ? 'are' : 'is'} protected)`
        : byIdentity.length
          ? ` (it matches only protected targets: ${byIdentity.join('; ')})`
          : '';
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
  },
  async applyStep(planned, injector) {
    const { step, fault } = planned;
    return Promise.all(planned.selected.map((target) => injector.inject(step.name, fault, step.params, target, step.durationMs)));
  },
});
