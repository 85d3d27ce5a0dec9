/**
 * network.partition, kernel mechanism (Linux, root): nftables rules in a table of faultline's own
 * (`inet faultline-<id>`) that drop, or reject, the packets between the target (its `netns`, or the
 * runner's namespace; its `addresses` when given) and the `addresses`/`ports` the step names, in the
 * `direction` it names. Connections already open stall like new ones (the rules match every packet);
 * revert deletes the table.
 */

import { strict } from '../../../spec/fields.js';
import { z } from '../../../util/zod.js';
import { registerNetworkMechanism } from '../mechanisms.js';
import {
  addressList,
  directedFilterTable,
  direction,
  injectFilterTable,
  type Match,
  networkOf,
  portList,
  protocol,
  revertTable,
  type TableState,
  whereLabel,
} from './common.js';

const params = strict({
  mechanism: z.literal('kernel'),
  addresses: addressList.min(1).describe('the other side of the partition: addresses or networks'),
  ports: portList.optional().describe("the other side's ports (default: every port)"),
  protocol,
  direction: direction.default('both'),
  action: z.enum(['drop', 'reject']).default('drop').describe('drop: silence (timeouts); reject: TCP reset / ICMP unreachable at once'),
});
type Params = z.infer<typeof params>;

function verdict(action: Params['action'], line: string, way: 'out' | 'in'): string[] {
  if (action === 'drop') return [`${line} drop`];
  // the kernel's own resets (answers to what `out` rejected) come back in through the input hook
  const resets = way === 'in' ? [`${line} tcp flags & rst == rst accept`] : [];
  return [...resets, `${line} meta l4proto tcp reject with tcp reset`, `${line} reject with icmpx type admin-prohibited`];
}

/** The table of a partition (exported for tests and dry runs). */
export function partitionRuleset(table: string, p: Params, self: string[]): string {
  const m: Match = { self, peers: p.addresses, ports: p.ports, protocol: p.protocol };
  return directedFilterTable(table, m, p.direction, (line, way) => verdict(p.action, line, way));
}

registerNetworkMechanism<Params, TableState>('network.partition', {
  params,
  describe(p, target) {
    const { netns } = networkOf(target);
    const peers = `${p.addresses.join(', ')}${p.ports ? ` port ${p.ports.join(',')}` : ''}`;
    const dir =
      p.direction === 'both' ? 'both directions' : p.direction === 'to' ? `from ${target.name} to them` : `from them to ${target.name}`;
    return `${p.action} ${p.protocol === 'all' ? '' : `${p.protocol} `}packets between ${target.name} and ${peers}, ${dir} (nftables, ${whereLabel(netns)})`;
  },
  inject: (ctx) => injectFilterTable(ctx, 'network.partition', partitionRuleset),
  revert: revertTable,
});
