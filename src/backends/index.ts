/** Importing this module registers every backend. */
import './local.js';
import './kubernetes/index.js';

export { allBackends, backendFor, registerBackend } from './registry.js';
export type { Backend, PlannedFault } from './types.js';
