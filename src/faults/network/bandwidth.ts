/**
 * network.bandwidth: limits the rate through the target's proxy. `rate` is a number of KB/s (1 KB =
 * 1000 bytes, Toxiproxy's unit) or a string with tc's units: `bps`, `kbps`, `mbps`, `gbps` are BYTES per
 * second, `bit`, `kbit`, `mbit`, `gbit` bits per second (Chaos Mesh writes `1mbps`); `KB/s`, `MB/s` too.
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { withKernelMechanism } from './mechanisms.js';
import { proxyFaultType, streamParam, streams, toxicityParam } from './proxy-fault.js';

const UNITS: Record<string, number> = {
  // bytes per second → KB/s
  bps: 1 / 1000,
  kbps: 1,
  mbps: 1000,
  gbps: 1_000_000,
  'b/s': 1 / 1000,
  'kb/s': 1,
  'mb/s': 1000,
  'gb/s': 1_000_000,
  // bits per second → KB/s
  bit: 1 / 8000,
  kbit: 1 / 8,
  mbit: 1000 / 8,
  gbit: 1_000_000 / 8,
};

/** KB/s of a rate, or null. */
export function parseRate(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z/]+)$/.exec(value.trim());
  if (!m) return null;
  const unit = UNITS[(m[2] as string).toLowerCase()];
  const n = Number(m[1]) * (unit ?? Number.NaN);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** A rate field: a number of KB/s, or `1mbps` (bytes/s), `8mbit` (bits/s); parsed to KB/s. The kernel mechanism uses it too. */
export const rateField = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const kbs = parseRate(value);
    if (kbs === null) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a rate such as 1mbps (bytes/s), 8mbit (bits/s) or a number of KB/s, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return kbs;
  })
  .describe('KB/s as a number, or 1mbps (bytes/s), 8mbit (bits/s), 500KB/s');

const params = strict({
  mechanism: z.literal('proxy').optional().describe('proxy (default), or kernel where available'),
  rate: rateField,
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});

const proxy = proxyFaultType<z.infer<typeof params>>({
  name: 'network.bandwidth',
  summary: 'limit the transfer rate through the endpoint proxy',
  example: { rate: '1mbps' },
  params,
  toxics: (p) => streams(p.stream).map((stream) => ({ type: 'bandwidth', stream, toxicity: p.toxicity, attributes: { rate: p.rate } })),
  what: (p) => `limit ${p.stream} traffic to ${p.rate >= 1000 ? `${p.rate / 1000} MB/s` : `${p.rate} KB/s`}`,
});

registerFault(withKernelMechanism(proxy));
