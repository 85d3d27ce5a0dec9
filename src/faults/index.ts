/** Importing this module registers every fault (and target setup): see registered.ts, generated from the fault files by scripts/generate.mjs. */
import './registered.js';

export { allFaults, faultNames, findFault, getFault } from './registry.js';
export type { FaultType, TargetNeed } from './types.js';
