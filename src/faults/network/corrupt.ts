/** network.corrupt: flips a bit in a percentage of the bytes through the target's proxy. */

import { percentString, strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  percent: percentString.describe('percent of bytes with one bit flipped'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});

registerProxyFault<z.infer<typeof params>>({
  name: 'network.corrupt',
  summary: 'flip bits in a percentage of the bytes through the endpoint proxy',
  example: { percent: 1 },
  params,
  toxics: (p) => streams(p.stream).map((stream) => ({ type: 'corrupt', stream, toxicity: p.toxicity, attributes: { percent: p.percent } })),
  what: (p) => `corrupt ${p.percent}% of ${p.stream} bytes`,
});
