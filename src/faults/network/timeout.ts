/**
 * network.timeout: holds the traffic through the target's proxy and closes each connection `timeout`
 * after the fault reached it (0: never closes). Held bytes are delivered when the fault is reverted.
 */

import { duration, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import type { z } from '../../util/zod.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  timeout: duration.default(0).describe('close each connection this long after the fault reached it; 0: never'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});

registerProxyFault<z.infer<typeof params>>({
  name: 'network.timeout',
  summary: 'hold the traffic through the endpoint proxy, closing connections after a time',
  params,
  toxics: (p) => streams(p.stream).map((stream) => ({ type: 'timeout', stream, toxicity: p.toxicity, attributes: { timeout: p.timeout } })),
  what: (p) => `hold ${p.stream} traffic${p.timeout ? ` and close connections after ${formatDuration(p.timeout)}` : ''}`,
});
