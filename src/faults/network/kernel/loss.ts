/**
 * network.loss, kernel mechanism (Linux, root): nftables drops a random `percent` of the packets
 * (`numgen random`, independent draws: no correlation, which needs netem) that the target sends
 * (`direction: to`, the default, as netem's egress loss) or receives, to or from the `addresses`
 * and `ports` named, or every non-loopback packet when none are named. TCP retransmits what is lost.
 */
import { z } from 'zod';
import { checkKernelAccess, newTableName } from '../../../kernel/commands.js';
import { percentString, strict } from '../../../spec/fields.js';
import { registerNetworkMechanism } from '../mechanisms.js';
import {
  addressList,
  applyTable,
  direction,
  filterTable,
  injectionNetns,
  type Match,
  matchLines,
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
  const lines = (way: 'out' | 'in') => (threshold <= 0 ? [] : matchLines(m, way).map(rule));
  const out = p.direction === 'from' ? [] : lines('out');
  const input = p.direction === 'to' ? [] : lines('in');
  return filterTable(table, out, input);
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
  async inject(ctx) {
    const { addresses } = networkOf(ctx.target);
    const netns = await injectionNetns(ctx.target);
    const what = `network.loss (kernel) on ${ctx.target.name}`;
    await checkKernelAccess(what, ['nft'], netns);
    const state: TableState = { ...(netns ? { netns } : {}), family: 'inet', table: newTableName() };
    const ruleset = lossRuleset(state.table, ctx.params, addresses);
    ctx.journal(state);
    await applyTable(state, ruleset, what);
  },
  revert: revertTable,
});
