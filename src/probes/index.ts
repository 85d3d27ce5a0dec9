/** Importing this module registers every probe type: see registered.ts, generated from the probe files by scripts/generate.mjs. */
import './registered.js';

export { findProbeType, probeTypeNames } from './registry.js';
export type { ProbeOutcome, ProbeType } from './types.js';
