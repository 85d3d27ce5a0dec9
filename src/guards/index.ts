/** Importing this module registers every guard kind. A new guard file is added to this list. */

export { findGuardType, guardTypeKeys } from './registry.js';
export type { GuardContext, GuardType, GuardVerdict } from './types.js';
