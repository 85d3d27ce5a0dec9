/** Importing this module registers every guard kind. A new guard file is added to this list. */
import './error-budget.js';
import './freeze.js';
import './incidents.js';

export { findGuardType, guardTypeKeys } from './registry.js';
export type { GuardContext, GuardType, GuardVerdict } from './types.js';
