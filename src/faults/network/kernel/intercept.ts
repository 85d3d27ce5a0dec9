/**
 * Transparent interception (Linux, root): a target `endpoint: { upstream: HOST:PORT, transparent: true }`
 * gets a proxy for the whole run, and an nftables table of faultline's own (`ip faultline-<id>`) whose
 * NAT rule redirects new TCP connections bound for the upstream into that proxy, so clients need no
 * change. The proxy's own connections to the upstream leave from a dedicated source address
 * (127.0.0.2) that the rule exempts. The table is journaled under the internal fault
 * `network.intercept`, whose revert deletes it: at the end of the run, and by `faultline recover`
 * after a crash.
 *
 * Scope: clients in the runner's network namespace (the output hook), an upstream on 127.0.0.0/8
 * (the exempt source address is a loopback one). Connections opened before the run keep going to the
 * upstream directly (NAT decides once per connection).
 */
import { registerTargetSetup } from '../../../engine/resources.js';
import { checkKernelAccess, currentNetns, newTableName, nftApply, nftDeleteTable } from '../../../kernel/commands.js';
import { parseHostPort } from '../../../proxy/address.js';
import { proxyResourceKey } from '../../../proxy/resource-key.js';
import { checkUpstream } from '../../../proxy/upstream-check.js';
import type { TargetSpec } from '../../../spec/target.js';
import { errorMessage, UserError } from '../../../util/errors.js';
import { registerFault } from '../../registry.js';

/** The source address of the proxy's upstream connections, exempt from the redirect. */
export const EXEMPT_SOURCE = '127.0.0.2';

interface InterceptState {
  /** the runner's namespace when it is a named one */
  netns?: string;
  family: 'ip';
  table: string;
  upstream: string;
}

export function interceptRuleset(table: string, upstream: { host: string; port: number }, proxyPort: number): string {
  return `table ip ${table} {
  chain out {
    type nat hook output priority -100; policy accept;
    ip saddr != ${EXEMPT_SOURCE} ip daddr ${upstream.host} tcp dport ${upstream.port} redirect to :${proxyPort}
  }
}
`;
}

registerFault<null, InterceptState>({
  name: 'network.intercept',
  summary: 'the nftables redirect of a transparent endpoint into its proxy (internal)',
  internal: true,
  params: undefined as never,
  needs: 'host',
  describe: () => 'redirect the endpoint traffic into the proxy (nftables)',
  inject: async () => {
    throw new Error('network.intercept is applied by the transparent endpoint setup, not by a step');
  },
  revert: (state) => nftDeleteTable(state.netns, state.family, state.table),
});

registerTargetSetup({
  name: 'endpoint-transparent',
  applies: (t: TargetSpec) => Boolean(t.endpoint?.transparent && t.endpoint.proxy === undefined),
  async setup(target, ctx) {
    const what = `target ${target.name}: transparent interception`;
    const upstreamText = target.endpoint?.upstream;
    if (!upstreamText) throw new UserError(`${what} needs endpoint.upstream (HOST:PORT of the service clients connect to)`);
    if (target.endpoint?.listen)
      throw new UserError(`${what}: remove endpoint.listen; a transparent endpoint's proxy listens on a port of its own`);
    if (target.netns)
      throw new UserError(
        `${what}: the proxy runs in the runner's network namespace; remove netns and run faultline inside it (ip netns exec ${target.netns} faultline run ...)`,
      );
    const upstream = parseHostPort(upstreamText, `${what}: endpoint.upstream`);
    if (!/^127\.\d+\.\d+\.\d+$/.test(upstream.host) || upstream.host === EXEMPT_SOURCE)
      throw new UserError(
        `${what}: endpoint.upstream must be an IPv4 loopback address other than ${EXEMPT_SOURCE} (such as 127.0.0.1:7001); for other addresses use endpoint: { listen, upstream }`,
      );
    await checkKernelAccess(what, ['nft']);
    await checkUpstream(upstreamText, target.name);
    const { startProxy } = await import('../../../proxy/proxy.js');
    const { embeddedHost } = await import('../../../proxy/host.js');
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    try {
      proxy = await startProxy({ name: target.name, listen: '127.0.0.1:0', upstream: upstreamText, localAddress: EXEMPT_SOURCE });
    } catch (error) {
      throw new UserError(`${what}: ${errorMessage(error)}`);
    }
    const netns = await currentNetns();
    const state: InterceptState = { ...(netns ? { netns } : {}), family: 'ip', table: newTableName(), upstream: upstreamText };
    const close = ctx.journal('network.intercept', target.name, state);
    const remove = async () => {
      await nftDeleteTable(state.netns, state.family, state.table);
      close();
    };
    try {
      await nftApply(state.netns, interceptRuleset(state.table, upstream, proxy.port));
    } catch (error) {
      await remove().catch(() => {});
      await proxy.close();
      throw new UserError(`${what}: nftables refused the redirect: ${errorMessage(error)}`);
    }
    ctx.resources.add(proxyResourceKey(target.name), embeddedHost(proxy), async () => {
      try {
        await remove();
      } finally {
        await proxy.close();
      }
    });
  },
});
