/** Importing this module registers every fault. A new fault file is added to this list. */
import './process/kill.js';
import './process/pause.js';
import './custom/action.js';

export { allFaults, faultNames, findFault, getFault } from './registry.js';
export type { FaultType, TargetNeed } from './types.js';
