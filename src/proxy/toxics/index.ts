/** Importing this module registers every toxic type. A new toxic file is added to this list. */
import './latency.js';
import './bandwidth.js';
import './timeout.js';
import './blackhole.js';
import './reset.js';
import './slicer.js';
import './limit-data.js';
import './slow-close.js';
import './corrupt.js';
import './loss.js';
import './tamper.js';
import './http-abort.js';
import './http-delay.js';
import './http-replace.js';
import './http-patch.js';
