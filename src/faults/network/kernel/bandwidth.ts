/**
 * network.bandwidth, kernel mechanism (Linux, root): a `tbf` qdisc (handle `fa17:`) at the root of
 * `device` in the target's namespace, which shapes what leaves that device (egress only: to limit
 * both directions, limit the device at each end of the link). The device must have no root qdisc of
 * its own; revert deletes the qdisc, and only when it is still faultline's tbf.
 */

import { checkKernelAccess, deviceExists, mustRun, netnsExists, QDISC_HANDLE, qdiscs } from '../../../kernel/commands.js';
import { duration, strict } from '../../../spec/fields.js';
import { UserError } from '../../../util/errors.js';
import { parseSize } from '../../../util/size.js';
import { z } from '../../../util/zod.js';
import { rateField as rate } from '../bandwidth.js';
import { registerNetworkMechanism } from '../mechanisms.js';
import { injectionNetns, networkOf, whereLabel } from './common.js';

const size = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === null || bytes < 1) {
    ctx.addIssue({ code: 'custom', message: `expected a size such as 32Ki or 64000, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return bytes;
});

const params = strict({
  mechanism: z.literal('kernel'),
  rate: rate.describe('KB/s as a number, or 1mbps (bytes/s), 8mbit (bits/s)'),
  device: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,15}$/, { message: 'expected a network device name such as eth0' })
    .describe('the device whose egress is shaped'),
  burst: size.optional().describe('bucket size in bytes (default: the larger of 16Ki and 1/50 s of rate)'),
  latency: duration.default(400).describe('longest time a packet may wait in the queue before it is dropped'),
});
type Params = z.infer<typeof params>;

interface State {
  netns?: string;
  device: string;
  handle: string;
}

/** `tc qdisc add ...` argv of a limit (exported for tests). */
export function tbfArgv(p: Params): string[] {
  const bytesPerSecond = Math.round(p.rate * 1000);
  const burst = p.burst ?? Math.max(16 * 1024, Math.ceil(bytesPerSecond / 50));
  return [
    'tc',
    'qdisc',
    'add',
    'dev',
    p.device,
    'root',
    'handle',
    QDISC_HANDLE,
    'tbf',
    'rate',
    `${bytesPerSecond * 8}bit`,
    'burst',
    String(burst),
    'latency',
    `${p.latency}ms`,
  ];
}

async function revert(state: State): Promise<void> {
  if (state.netns !== undefined && !netnsExists(state.netns)) return;
  if (!(await deviceExists(state.netns, state.device))) return;
  const root = (await qdiscs(state.netns, state.device)).find((q) => q.root);
  if (root?.kind !== 'tbf' || root.handle !== QDISC_HANDLE) return; // not (or no longer) ours
  await mustRun(state.netns, ['tc', 'qdisc', 'del', 'dev', state.device, 'root', 'handle', QDISC_HANDLE]);
}

registerNetworkMechanism<Params, State>('network.bandwidth', {
  params,
  describe(p, target) {
    const { netns } = networkOf(target);
    const shown = p.rate >= 1000 ? `${p.rate / 1000} MB/s` : `${p.rate} KB/s`;
    return `limit what ${target.name} sends on ${p.device} to ${shown} (tbf qdisc, ${whereLabel(netns)})`;
  },
  async inject(ctx) {
    const netns = await injectionNetns(ctx.target);
    const what = `network.bandwidth (kernel) on ${ctx.target.name}`;
    await checkKernelAccess(what, ['tc'], netns);
    const device = ctx.params.device;
    if (!(await deviceExists(netns, device)))
      throw new UserError(`${what}: there is no device ${device} in ${whereLabel(netns)} (ip link); fix params.device`);
    const root = (await qdiscs(netns, device)).find((q) => q.root);
    if (root && root.handle !== '0:' && !['noqueue', 'pfifo_fast', 'mq', 'fq_codel', 'pfifo'].includes(root.kind)) {
      throw new UserError(`${what}: ${device} already has a root qdisc (${root.kind} ${root.handle}); faultline does not replace it`);
    }
    const state: State = { ...(netns ? { netns } : {}), device, handle: QDISC_HANDLE };
    ctx.journal(state);
    try {
      await mustRun(netns, tbfArgv(ctx.params));
    } catch (error) {
      await revert(state).catch(() => {});
      throw new UserError(`${what}: tc refused the qdisc: ${(error as Error).message}`);
    }
  },
  revert,
});
