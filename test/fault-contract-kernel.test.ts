/**
 * The fault contract (test/support/fault-contract.ts) for every fault with a kernel mechanism
 * (`mechanism: kernel`: nftables tables, tbf qdiscs), on a target in network namespaces this file creates
 * (Linux, root) and deletes afterwards. What a user looks at: the nftables tables and the qdiscs of the
 * target's namespace.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestHosts, type TestHosts } from '../src/kernel/netns.js';
import { faultContract } from './support/fault-contract.js';

const canRun = process.platform === 'linux' && process.getuid?.() === 0;
let hosts: TestHosts | undefined;

beforeAll(async () => {
  if (canRun) hosts = await createTestHosts({ hosts: ['gw', 'pa'], links: [['gw', 'pa']] });
}, 30_000);

afterAll(async () => {
  await hosts?.destroy();
});

/** The kernel params of each fault; before the namespaces exist (choosing the faults), stand-in values. */
function kernelParams(fault: { name: string }): Record<string, unknown> {
  const peer = hosts?.address('pa') ?? '192.0.2.1';
  const device = hosts?.device('gw') ?? 'eth0';
  const byFault: Record<string, Record<string, unknown>> = {
    'network.partition': { addresses: [peer] },
    'network.loss': { percent: 100, direction: 'both' },
    'network.bandwidth': { rate: '1mbit', device },
  };
  return { mechanism: 'kernel', ...(byFault[fault.name] ?? {}) };
}

function inNamespace(netns: string, argv: string[]): string {
  return execFileSync('ip', ['netns', 'exec', netns, ...argv], { encoding: 'utf8' });
}

describe.skipIf(!canRun)('the fault contract in a network namespace (kernel mechanisms)', () => {
  faultContract({
    need: 'network',
    params: kernelParams,
    async target() {
      const h = hosts as TestHosts;
      const netns = h.netns('gw');
      return {
        spec: { name: 'gateway', netns, addresses: [h.address('gw')] },
        snapshot: () =>
          JSON.stringify({
            tables: inNamespace(netns, ['nft', 'list', 'tables']).trim().split('\n').filter(Boolean).sort(),
            qdiscs: inNamespace(netns, ['tc', 'qdisc', 'show', 'dev', h.device('gw')]).trim(),
          }),
      };
    },
  });
});
