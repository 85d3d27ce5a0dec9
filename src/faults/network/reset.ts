/** network.reset: resets connections through the target's proxy with a TCP RST, `timeout` after their first bytes. */

import { duration, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import type { z } from '../../util/zod.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  timeout: duration.default(0).describe('time from the first bytes to the reset'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});

registerProxyFault<z.infer<typeof params>>({
  name: 'network.reset',
  summary: 'reset connections through the endpoint proxy (TCP RST)',
  params,
  toxics: (p) => streams(p.stream).map((stream) => ({ type: 'reset', stream, toxicity: p.toxicity, attributes: { timeout: p.timeout } })),
  what: (p) => `reset connections (TCP RST) ${p.timeout ? `${formatDuration(p.timeout)} after` : 'at'} their first ${p.stream} bytes`,
});
