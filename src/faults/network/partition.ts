/**
 * network.partition: a blackhole on the target's proxy. Connections are still accepted (a proxy cannot
 * refuse a TCP handshake the kernel completed), nothing is forwarded, nothing is closed; what is sent
 * meanwhile is delivered after the partition heals, as TCP retransmissions would deliver it.
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { withKernelMechanism } from './mechanisms.js';
import { proxyFaultType, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  mechanism: z.literal('proxy').optional().describe('proxy (default), or kernel where available'),
  stream: streamParam('both'),
  toxicity: toxicityParam,
});

const proxy = proxyFaultType<z.infer<typeof params>>({
  name: 'network.partition',
  summary: 'cut the traffic through the endpoint proxy (blackhole) until reverted',
  params,
  toxics: (p) => streams(p.stream).map((stream) => ({ type: 'blackhole', stream, toxicity: p.toxicity, attributes: {} })),
  what: (p) => `blackhole ${p.stream === 'both' ? 'all' : p.stream} traffic`,
});

registerFault(withKernelMechanism(proxy));
