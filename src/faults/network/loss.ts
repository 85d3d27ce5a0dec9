/**
 * network.loss through the target's proxy. On a TCP stream a lost packet is retransmitted, so by
 * default (`mode: delay`) a lost segment delays it and what follows by a retransmission timeout (`rto`,
 * doubled for consecutive losses); `mode: drop` discards the segment's bytes instead (stream corruption,
 * Toxiproxy's packet_loss). See src/proxy/toxics/loss.ts for the exact model.
 */

import { duration, percentString, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { withKernelMechanism } from './mechanisms.js';
import { proxyFaultType, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  mechanism: z.literal('proxy').optional().describe('proxy (default), or kernel where available'),
  percent: percentString.describe('percent of segments lost'),
  correlation: percentString.default(0).describe('after a loss, the chance of the next grows by this share (0-100)'),
  mode: z.enum(['delay', 'drop']).default('delay').describe('delay: retransmission timeouts (TCP); drop: the bytes are discarded'),
  rto: duration.default(200).describe('retransmission timeout of a lost segment (mode delay)'),
  segment: z.number().int().min(1).default(1460).describe('segment size in bytes'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});
type Params = z.infer<typeof params>;

const proxy = proxyFaultType<Params>({
  name: 'network.loss',
  summary: 'lose a percentage of segments through the endpoint proxy (retransmission delays, or dropped bytes)',
  example: { percent: 10 },
  params,
  toxics: (p) =>
    streams(p.stream).map((stream) => ({
      type: 'loss',
      stream,
      toxicity: p.toxicity,
      attributes: { percent: p.percent, correlation: p.correlation, mode: p.mode, rto: p.rto, segment: p.segment },
    })),
  what: (p) =>
    `lose ${p.percent}% of ${p.stream} segments (${p.mode === 'delay' ? `each costs a ${formatDuration(p.rto)} retransmission` : 'their bytes are dropped'})`,
});

registerFault(withKernelMechanism(proxy));
