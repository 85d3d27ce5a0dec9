/** network.slow-close: delays the close (FIN) of connections through the target's proxy. */

import { duration, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import type { z } from '../../util/zod.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  delay: duration.describe('how long the close is held'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});

registerProxyFault<z.infer<typeof params>>({
  name: 'network.slow-close',
  summary: 'delay the close of connections through the endpoint proxy',
  example: { delay: '100ms' },
  params,
  toxics: (p) => streams(p.stream).map((stream) => ({ type: 'slow-close', stream, toxicity: p.toxicity, attributes: { delay: p.delay } })),
  what: (p) => `delay the ${p.stream} close of connections by ${formatDuration(p.delay)}`,
});
