/** Importing this module registers every backend. */
import './local.js';

export { backendFor, registerBackend } from './registry.js';
export type { Backend } from './types.js';
