/**
 * network.loss, kernel mechanism (Linux, root): nftables drops a random `percent` of the packets
 * (`numgen random`, independent draws: no correlation, which needs netem) that the target sends
 * (`direction: to`, the default, as netem's egress loss) or receives, to or from the `addresses`
 * and `ports` named, or every non-loopback packet when none are named. TCP retransmits what is lost.
 */

import { percentString, strict } from '../../../spec/fields.js';
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
  percent: percentString.describe('percent of packets dropped (0.01 resolution)'),
  addresses: addressList.optional().describe('only packets to/from these addresses (default: every address but loopback)'),
  ports: portList.optional().describe('only packets to/from these ports of the other side'),
  protocol,
  direction: direction.default('to'),
});
type Params = z.infer<typeof params>;

export function lossRuleset(table: string, p: Params, self: string[]): string {
  const m: Match = { self, peers: p.addresses ?? [], ports: p.ports, protocol: p.protocol };
  const threshold = Math.round(p.percent * 100);
  // 100%: every packet; 0%: no rule at all (numgen draws 0..9999)
  const rule = (line: string) => (threshold >= 10000 ? `${line} drop` : `${line} numgen random mod 10000 < ${threshold} drop`).trim();
  return directedFilterTable(table, m, p.direction, (line) => (threshold <= 0 ? [] : [rule(line)]));
}

registerNetworkMechanism<Params, TableState>('network.loss', {
  params,
  describe(p, target) {
    const { netns } = networkOf(target);
    const peers = p.addresses ? ` to/from ${p.addresses.join(', ')}` : '';
    const ports = p.ports ? ` port ${p.ports.join(',')}` : '';
    const dir = p.direction === 'both' ? 'sent and received' : p.direction === 'to' ? 'sent' : 'received';
    return `drop ${p.percent}% of the packets ${target.name} has ${dir}${peers}${ports} at random (nftables, ${whereLabel(netns)})`;
  },
  inject: (ctx) => injectFilterTable(ctx, 'network.loss', lossRuleset),
  revert: revertTable,
});
