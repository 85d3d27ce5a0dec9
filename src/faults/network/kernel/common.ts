/**
 * What the kernel mechanisms of network.partition, network.loss and network.bandwidth share: the
 * params that name addresses and ports, where a target's network is (`netns`, `addresses` on the
 * target), and the nftables table each injection owns.
 */
import { isIP } from 'node:net';
import type { TargetInstance } from '../../../engine/target-instance.js';
import { checkKernelAccess, currentNetns, newTableName, nftApply, nftDeleteTable } from '../../../kernel/commands.js';
import { UserError } from '../../../util/errors.js';
import { z } from '../../../util/zod.js';
import type { InjectContext } from '../../types.js';

/** An IPv4/IPv6 address, or a network with a prefix length (`10.0.1.0/24`). */
export function parseCidr(value: string): { family: 4 | 6; text: string } | null {
  const [address, prefix, ...rest] = value.trim().split('/');
  if (rest.length || !address) return null;
  const family = isIP(address);
  if (family !== 4 && family !== 6) return null;
  if (prefix !== undefined) {
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return null;
  }
  return { family, text: value.trim() };
}

export const addressList = z.array(
  z.string().refine((v) => parseCidr(v) !== null, {
    error: (issue) => `expected an IP address or network such as 10.0.0.2 or 10.0.1.0/24, got ${JSON.stringify(issue.input)}`,
  }),
);

export const portList = z.array(z.number().int().min(1).max(65535)).min(1);

export const direction = z.enum(['to', 'from', 'both']).describe('to: packets the target sends; from: packets it receives; both');

export const protocol = z.enum(['tcp', 'udp', 'all']).default('all').describe('the transport protocol matched');

/** Where a target's network is: its namespace (undefined: the runner's) and its own addresses. */
export function networkOf(target: TargetInstance): { netns: string | undefined; addresses: string[] } {
  return { netns: target.spec.netns, addresses: target.spec.addresses ?? [] };
}

/** The namespace an injection acts in: the target's, or the runner's own when it is a named one. */
export async function injectionNetns(target: TargetInstance): Promise<string | undefined> {
  return target.spec.netns ?? (await currentNetns());
}

export function whereLabel(netns: string | undefined): string {
  return netns ? `network namespace ${netns}` : "the runner's network namespace";
}

export interface TableState {
  netns?: string;
  family: 'inet';
  table: string;
}

export interface Match {
  /** the target's side */
  self: string[];
  /** the other side; empty = any address but loopback */
  peers: string[];
  ports?: number[];
  protocol: 'tcp' | 'udp' | 'all';
}

const set = (items: readonly (string | number)[]) => (items.length === 1 ? String(items[0]) : `{ ${items.join(', ')} }`);

/**
 * nftables match expressions for one direction (`out`: the target sends to the peers; `in`: it
 * receives from them), one line per address family in use.
 */
export function matchLines(m: Match, way: 'out' | 'in'): string[] {
  const peerSide = way === 'out' ? 'daddr' : 'saddr';
  const selfSide = way === 'out' ? 'saddr' : 'daddr';
  const portSide = way === 'out' ? 'dport' : 'sport';
  const l4 = m.protocol === 'all' ? (m.ports ? 'meta l4proto { tcp, udp } ' : '') : `meta l4proto ${m.protocol} `;
  const ports = m.ports ? `th ${portSide} ${set(m.ports)} ` : '';
  const lines: string[] = [];
  const families: Array<[4 | 6, string]> = [
    [4, 'ip'],
    [6, 'ip6'],
  ];
  if (m.peers.length === 0) {
    const iface = way === 'out' ? 'oifname' : 'iifname';
    const selfParts = families.flatMap(([fam, kw]) => {
      const mine = m.self.filter((a) => parseCidr(a)?.family === fam);
      return mine.length ? [`${kw} ${selfSide} ${set(mine)} `] : [];
    });
    if (selfParts.length === 0) return [`${iface} != "lo" ${l4}${ports}`.trim()];
    return selfParts.map((s) => `${iface} != "lo" ${s}${l4}${ports}`.trim());
  }
  for (const [fam, kw] of families) {
    const peers = m.peers.filter((a) => parseCidr(a)?.family === fam);
    if (!peers.length) continue;
    const mine = m.self.filter((a) => parseCidr(a)?.family === fam);
    const selfPart = mine.length ? `${kw} ${selfSide} ${set(mine)} ` : '';
    lines.push(`${selfPart}${kw} ${peerSide} ${set(peers)} ${l4}${ports}`.trim());
  }
  return lines;
}

/** A whole `table inet NAME` with an output and an input filter chain holding the given rules. */
export function filterTable(table: string, out: string[], input: string[]): string {
  const chain = (name: string, hook: string, rules: string[]) =>
    `  chain ${name} {\n    type filter hook ${hook} priority -10; policy accept;\n${rules.map((r) => `    ${r}\n`).join('')}  }\n`;
  return `table inet ${table} {\n${chain('out', 'output', out)}${chain('in', 'input', input)}}\n`;
}

/**
 * A filter table that turns each match line into rules (`rules`), on the output chain unless
 * `direction` is `from` and on the input chain unless it is `to`.
 */
export function directedFilterTable(
  table: string,
  m: Match,
  way: z.infer<typeof direction>,
  rules: (line: string, way: 'out' | 'in') => string[],
): string {
  const out = way === 'from' ? [] : matchLines(m, 'out').flatMap((l) => rules(l, 'out'));
  const input = way === 'to' ? [] : matchLines(m, 'in').flatMap((l) => rules(l, 'in'));
  return filterTable(table, out, input);
}

/**
 * The injection of a fault that is one nftables table of its own (partition, loss): in the target's
 * namespace, journaled before it is applied so that a crash in between still has it reverted.
 * `ruleset` builds the table from its name and the target's own addresses.
 */
export async function injectFilterTable<P>(
  ctx: InjectContext<P, TableState>,
  fault: string,
  ruleset: (table: string, params: P, self: string[]) => string,
): Promise<void> {
  const { addresses } = networkOf(ctx.target);
  const netns = await injectionNetns(ctx.target);
  const what = `${fault} (kernel) on ${ctx.target.name}`;
  await checkKernelAccess(what, ['nft'], netns);
  const state: TableState = { ...(netns ? { netns } : {}), family: 'inet', table: newTableName() };
  const text = ruleset(state.table, ctx.params, addresses);
  ctx.journal(state);
  await applyTable(state, text, what);
}

/** Applies a table atomically; on failure nothing is left and a UserError says why. */
export async function applyTable(state: TableState, ruleset: string, what: string): Promise<void> {
  try {
    await nftApply(state.netns, ruleset);
  } catch (error) {
    await nftDeleteTable(state.netns, state.family, state.table).catch(() => {});
    throw new UserError(`${what}: nftables refused the rules: ${(error as Error).message}`);
  }
}

export async function revertTable(state: TableState): Promise<void> {
  await nftDeleteTable(state.netns, state.family, state.table);
}
