/**
 * The target setups of endpoint targets: what a run holds for its whole length so that network and
 * HTTP faults have a proxy to put their toxics on.
 *
 * - `endpoint: { listen, upstream }`: a proxy is started before the baseline and closed when the run
 *   ends, after every fault is reverted; clients use `listen`. It passes traffic untouched while no
 *   fault is active. It lives in the runner's process, so it dies with it (nothing to recover).
 * - `endpoint: { proxy: NAME, api: URL }`: the run attaches to a proxy of a `faultline proxy` server
 *   (default API http://127.0.0.1:8474); faults add and remove toxics through its HTTP API.
 *
 * Both are checked before anything changes: a port in use, an upstream that refuses connections, an
 * API that cannot be reached or lacks the proxy stop the run with one line naming the cause and the fix.
 */
import { registerTargetSetup } from '../engine/resources.js';
import type { TargetSpec } from '../spec/target.js';
import { errorMessage, UserError } from '../util/errors.js';
import { parseHostPort } from './address.js';
import { ProxyError } from './errors.js';
import { DEFAULT_API, proxyResourceKey } from './resource-key.js';
import { checkUpstream } from './upstream-check.js';

function wrap(target: string, error: unknown): never {
  if (error instanceof UserError) throw error;
  if (error instanceof ProxyError) throw new UserError(`target ${target}: ${error.message}`);
  throw new UserError(`target ${target}: ${errorMessage(error)}`);
}

registerTargetSetup({
  name: 'endpoint-proxy',
  applies: (t: TargetSpec) => Boolean(t.endpoint && !t.endpoint.transparent && t.endpoint.proxy === undefined),
  async setup(target, ctx) {
    const { listen, upstream } = target.endpoint ?? {};
    if (!listen || !upstream) {
      throw new UserError(
        `target ${target.name}: endpoint needs both listen and upstream (clients use listen), or proxy and api to use a \`faultline proxy\``,
      );
    }
    try {
      parseHostPort(listen, `target ${target.name}: endpoint.listen`, true);
      await checkUpstream(upstream, target.name);
      // the proxy's modules load with the first run that needs one, not with the fault registry
      const { startProxy } = await import('./proxy.js');
      const { embeddedHost } = await import('./host.js');
      const proxy = await startProxy({ name: target.name, listen, upstream });
      ctx.resources.add(proxyResourceKey(target.name), embeddedHost(proxy), () => proxy.close());
    } catch (error) {
      wrap(target.name, error);
    }
  },
});

registerTargetSetup({
  name: 'endpoint-attach',
  applies: (t: TargetSpec) => Boolean(t.endpoint && t.endpoint.proxy !== undefined),
  async setup(target, ctx) {
    const name = target.endpoint?.proxy as string;
    const api = target.endpoint?.api ?? DEFAULT_API;
    try {
      new URL(api);
    } catch {
      throw new UserError(`target ${target.name}: endpoint.api ${JSON.stringify(api)} is not a URL; write it like ${DEFAULT_API}`);
    }
    const { apiHost } = await import('./host.js');
    const host = apiHost(api, name);
    try {
      await host.check();
    } catch (error) {
      wrap(target.name, error);
    }
    ctx.resources.add(proxyResourceKey(target.name), host, async () => {});
  },
});
