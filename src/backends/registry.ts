/** The one registry of backends, by the name experiments give in `spec.backend`. */
import type { Experiment } from '../spec/load.js';
import { UserError } from '../util/errors.js';
import { Registry } from '../util/registry.js';
import type { Backend } from './types.js';

const backends = new Registry<Backend>('backend');

export function registerBackend(backend: Backend): Backend {
  return backends.add(backend.name, backend);
}

/** Every registered backend (each adds its own policy checks: engine/policy.ts). */
export function allBackends(): Backend[] {
  return backends.values();
}

export function backendFor(experiment: Pick<Experiment, 'backend'>): Backend {
  const backend = backends.get(experiment.backend);
  if (!backend) {
    throw new UserError(`backend ${experiment.backend} is not available in this build; known backends: ${backends.names().join(', ')}`);
  }
  return backend;
}
