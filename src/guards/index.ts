/** Importing this module registers every guard kind: see registered.ts, generated from the guard files by scripts/generate.mjs. */
import './registered.js';

export { findGuardType, guardTypeKeys } from './registry.js';
export type { GuardContext, GuardType, GuardVerdict } from './types.js';
