/** Importing this module registers every backend. */
import './local.js';
import './kubernetes/index.js';

export { backendFor, registerBackend } from './registry.js';
export type { Backend } from './types.js';
