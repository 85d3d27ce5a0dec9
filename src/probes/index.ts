/** Importing this module registers every probe type. A new probe file is added to this list. */
import './http.js';
import './tcp.js';
import './cmd.js';
import './k8s.js';
import './prometheus.js';
import './write.js';
import './browser.js';

export { findProbeType, probeTypeNames } from './registry.js';
export type { ProbeOutcome, ProbeType } from './types.js';
