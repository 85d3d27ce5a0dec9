/** Importing this module registers every fault. A new fault file is added to this list. */
import './process/kill.js';
import './process/pause.js';
import './custom/action.js';
import './stress/cpu.js';
import './stress/memory.js';
import './stress/io.js';
import './stress/disk-fill.js';
import './time/skew.js';
import './file/corrupt.js';
import './io/latency.js';
import './io/error.js';
import './io/attr.js';
import './io/mistake.js';
import './network/latency.js';
import './network/bandwidth.js';
import './network/reset.js';
import './network/timeout.js';
import './network/slicer.js';
import './network/limit-data.js';
import './network/slow-close.js';
import './network/corrupt.js';
import './network/loss.js';
import './network/partition.js';
import './network/kernel/index.js'; // kernel mechanisms (nftables, tbf) and transparent interception
import './http/abort.js';
import './http/delay.js';
import './http/replace.js';
import './http/patch.js';
import './message/tamper.js';
// backend kubernetes: the objects it creates (internal) and the faults only it can do
import './kubernetes/object.js';
import './kubernetes/pod-delete.js';
import './kubernetes/dns.js';
// the proxy in front of endpoint targets, for the whole run (a target setup, not a fault)
import '../proxy/endpoint-setup.js';

export { allFaults, faultNames, findFault, getFault } from './registry.js';
export type { FaultType, TargetNeed } from './types.js';
