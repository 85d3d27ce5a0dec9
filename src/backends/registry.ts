/** The one registry of backends, by the name experiments give in `spec.backend`. */
import type { Experiment } from '../spec/load.js';
import { UserError } from '../util/errors.js';
import type { Backend } from './types.js';

const backends = new Map<string, Backend>();

export function registerBackend(backend: Backend): Backend {
  if (backends.has(backend.name)) throw new Error(`backend ${backend.name} is registered twice`);
  backends.set(backend.name, backend);
  return backend;
}

/** Every registered backend (each adds its own policy checks: engine/policy.ts). */
export function allBackends(): Backend[] {
  return [...backends.values()];
}

export function backendFor(experiment: Pick<Experiment, 'backend'>): Backend {
  const backend = backends.get(experiment.backend);
  if (!backend) {
    throw new UserError(`backend ${experiment.backend} is not available in this build; known backends: ${[...backends.keys()].join(', ')}`);
  }
  return backend;
}
