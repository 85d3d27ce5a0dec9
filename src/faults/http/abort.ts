/**
 * http.abort: answers matching requests with `code` (default 503) from the proxy itself. On the
 * request (the default) the upstream is never contacted; on the response the upstream's answer is
 * discarded and replaced.
 */
import { z } from 'zod';
import { strict } from '../../spec/fields.js';
import { registerProxyFault } from '../network/proxy-fault.js';
import { commonShape, describeMatch, matchAttributes, streamOf } from './common.js';

const params = strict({
  code: z.number().int().min(200).max(599).default(503).describe('status of the answer'),
  body: z.string().optional().describe('body of the answer'),
  headers: z.record(z.string(), z.string()).optional().describe('only requests carrying these headers'),
  ...commonShape('Request'),
});

registerProxyFault<z.infer<typeof params>>({
  name: 'http.abort',
  summary: 'answer matching HTTP requests with a status code from the endpoint proxy',
  params,
  toxics: (p) => [
    {
      type: 'http-abort',
      stream: streamOf(p),
      toxicity: p.toxicity,
      attributes: { code: p.code, ...(p.body === undefined ? {} : { body: p.body }), ...matchAttributes(p, 'headers', true) },
    },
  ],
  what: (p) => `answer ${describeMatch(p, true)} with ${p.code}${p.target === 'Request' ? ' (the upstream is not contacted)' : ''}`,
});
