/** Importing this module registers the kernel mechanisms (nftables, tbf) and transparent interception. */
import './partition.js';
import './loss.js';
import './bandwidth.js';
import './intercept.js';
