/**
 * The fault-injecting TCP/HTTP proxy: its public API, for faults, target setups, the `faultline proxy`
 * server and other engineers' code (transparent interception starts one with `localAddress`).
 *
 * ```ts
 * import { startProxy } from './proxy/index.js';
 * const proxy = await startProxy({ listen: '127.0.0.1:0', upstream: '127.0.0.1:7001' });
 * await proxy.addToxic({ type: 'latency', attributes: { latency: 100 } });   // Toxiproxy's toxic shape
 * proxy.removeToxic('latency_downstream');
 * await proxy.close();
 * ```
 */
export { formatHostPort, type HostPort, parseHostPort } from './address.js';
export {
  ApiError,
  addToxic as addToxicThroughApi,
  getProxy as getProxyThroughApi,
  removeToxic as removeToxicThroughApi,
} from './api/client.js';
export { type ApiServer, type ApiServerOptions, ProxyCollection, startApiServer, TOXIPROXY_VERSION } from './api/server.js';
export { ProxyError } from './errors.js';
export { apiHost, DEFAULT_API, embeddedHost, type HostRef, proxyResourceKey, removeToxicByRef, type ToxicHost } from './host.js';
export { type AllocatorTuning, TUNING_ENV, tuneAllocatorForRelaying } from './malloc-tuning.js';
export { FaultProxy, findLiveProxy, type ProxyJson, type ProxyOptions, type ProxyStats, startProxy } from './proxy.js';
export type { Stream, ToxicInput, ToxicJson } from './toxic.js';
export { loadToxicTypes } from './toxics/load.js';
