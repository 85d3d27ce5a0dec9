/** network.latency: delays each chunk through the target's proxy by latency ± jitter (Toxiproxy's latency toxic). */

import { duration, percentString, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import type { z } from '../../util/zod.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  latency: duration.describe('added delay, e.g. 300ms'),
  jitter: duration.default(0).describe('uniform ± spread around the latency'),
  correlation: percentString.default(0).describe('how much each jitter draw leans on the previous one, 0-100 (netem)'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});

registerProxyFault<z.infer<typeof params>>({
  name: 'network.latency',
  summary: 'delay the traffic through the endpoint proxy by latency ± jitter',
  example: { latency: '100ms' },
  params,
  toxics: (p) =>
    streams(p.stream).map((stream) => ({
      type: 'latency',
      stream,
      toxicity: p.toxicity,
      attributes: { latency: p.latency, jitter: p.jitter, correlation: p.correlation },
    })),
  what: (p) =>
    `add ${formatDuration(p.latency)}${p.jitter ? ` ±${formatDuration(p.jitter)}` : ''} latency to ${p.stream} traffic${p.toxicity < 1 ? ` of ${p.toxicity * 100}% of connections` : ''}`,
});
