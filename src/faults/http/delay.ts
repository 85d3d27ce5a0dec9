/** http.delay: holds matching requests (default) or responses for `delay` (± `jitter`). */

import { duration, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import { z } from '../../util/zod.js';
import { registerProxyFault } from '../network/proxy-fault.js';
import { commonShape, describeMatch, matchAttributes, streamOf } from './common.js';

const params = strict({
  delay: duration.describe('how long each matching message is held'),
  jitter: duration.default(0).describe('uniform ± spread around the delay'),
  headers: z.record(z.string(), z.string()).optional().describe('only requests carrying these headers'),
  ...commonShape('Request'),
});

registerProxyFault<z.infer<typeof params>>({
  name: 'http.delay',
  summary: 'hold matching HTTP requests or responses at the endpoint proxy',
  example: { delay: '100ms' },
  params,
  toxics: (p) => [
    {
      type: 'http-delay',
      stream: streamOf(p),
      toxicity: p.toxicity,
      attributes: { delay: p.delay, jitter: p.jitter, ...matchAttributes(p, 'headers', true) },
    },
  ],
  what: (p) => `hold ${describeMatch(p, true)} for ${formatDuration(p.delay)}${p.jitter ? ` ±${formatDuration(p.jitter)}` : ''}`,
});
