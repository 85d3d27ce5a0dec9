/**
 * Where a run's faults put their toxics: the proxy the run started in front of an endpoint target
 * (embedded, in this process), or a proxy of a `faultline proxy` server reached through its HTTP API.
 * Both look the same to a fault; each names itself in a `HostRef` that the journal records, so that
 * `revert(state)` can remove a toxic from the journaled state alone, in another process after a crash.
 *
 * A run keeps the host of each endpoint target in its resources under `proxyResourceKey(target)`.
 */
import { addToxic as apiAddToxic, removeToxic as apiRemoveToxic, getProxy } from './api/client.js';
import { type FaultProxy, findLiveProxy } from './proxy.js';
import type { ToxicInput, ToxicJson } from './toxic.js';

export type HostRef =
  /** a proxy of the process that ran the experiment: it died with it, so after a crash there is nothing to remove */
  { kind: 'embedded'; proxyId: string; listen: string } | { kind: 'api'; api: string; proxy: string };

export interface ToxicHost {
  readonly ref: HostRef;
  /** `proxy 127.0.0.1:17001 -> 127.0.0.1:7001` or `proxy payments at http://127.0.0.1:8474` */
  readonly label: string;
  addToxic(toxic: ToxicInput): Promise<ToxicJson>;
  removeToxic(name: string): Promise<void>;
}

export { DEFAULT_API, proxyResourceKey } from './resource-key.js';

export function embeddedHost(proxy: FaultProxy): ToxicHost {
  return {
    ref: { kind: 'embedded', proxyId: proxy.id, listen: proxy.listen },
    label: `proxy ${proxy.listen} -> ${proxy.upstream}`,
    addToxic: (toxic) => proxy.addToxic(toxic),
    removeToxic: async (name) => {
      proxy.removeToxic(name);
    },
  };
}

/** A proxy of a `faultline proxy` (or Toxiproxy) server; `check()` fails clearly when it is not there. */
export function apiHost(api: string, proxy: string): ToxicHost & { check(): Promise<void> } {
  return {
    ref: { kind: 'api', api, proxy },
    label: `proxy ${proxy} at ${api}`,
    addToxic: (toxic) => apiAddToxic(api, proxy, toxic),
    removeToxic: (name) => apiRemoveToxic(api, proxy, name),
    check: async () => {
      await getProxy(api, proxy);
    },
  };
}

/** Removes a toxic from the state a journal recorded; idempotent (a toxic or proxy already gone is fine). */
export async function removeToxicByRef(ref: HostRef, name: string): Promise<void> {
  if (ref.kind === 'api') {
    await apiRemoveToxic(ref.api, ref.proxy, name);
    return;
  }
  // An embedded proxy lives only in the process that started it; if that process died, so did the proxy.
  findLiveProxy(ref.proxyId)?.removeToxic(name);
}
