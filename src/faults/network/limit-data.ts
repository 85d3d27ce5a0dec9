/** network.limit-data: closes each connection through the target's proxy after `bytes` bytes in the stream's direction. */

import { strict } from '../../spec/fields.js';
import { parseSize } from '../../util/size.js';
import { z } from '../../util/zod.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from './proxy-fault.js';

const bytes = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = parseSize(value);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: `expected a number of bytes or a size such as 64Ki, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return n;
});

const params = strict({
  bytes: bytes.describe('bytes allowed through before the connection is closed (a number or 64Ki, 1M...)'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
});

registerProxyFault<z.infer<typeof params>>({
  name: 'network.limit-data',
  summary: 'close connections through the endpoint proxy after a number of bytes',
  example: { bytes: 1000 },
  params,
  toxics: (p) => streams(p.stream).map((stream) => ({ type: 'limit-data', stream, toxicity: p.toxicity, attributes: { bytes: p.bytes } })),
  what: (p) => `close connections after ${p.bytes} ${p.stream} bytes`,
});
