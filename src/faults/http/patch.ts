/**
 * http.patch: adds `headers` to matching responses (default) or requests, and merges `body` into their
 * JSON body (RFC 7396 JSON merge patch: objects merge, null deletes). Match headers go under
 * `match: { headers }`.
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { registerProxyFault } from '../network/proxy-fault.js';
import { commonShape, describeMatch, matchAttributes, streamOf } from './common.js';

const params = strict({
  headers: z.record(z.string(), z.string()).optional().describe('headers added'),
  body: z.record(z.string(), z.unknown()).optional().describe('a JSON merge patch merged into a JSON body'),
  ...commonShape('Response'),
}).refine((p) => p.headers !== undefined || p.body !== undefined, { message: 'http.patch needs headers or body: what to add' });
type Params = z.infer<typeof params>;

registerProxyFault<Params>({
  name: 'http.patch',
  summary: 'add headers to, or merge-patch the JSON body of, matching HTTP responses (or requests) at the endpoint proxy',
  example: { headers: { 'x-chaos': 'on' } },
  params,
  toxics: (p) => [
    {
      type: 'http-patch',
      stream: streamOf(p),
      toxicity: p.toxicity,
      attributes: {
        ...(p.headers === undefined ? {} : { headers: p.headers }),
        ...(p.body === undefined ? {} : { body: p.body }),
        ...matchAttributes(p, 'match_headers'),
      },
    },
  ],
  what: (p) => `patch the ${[p.headers && 'headers', p.body && 'JSON body'].filter(Boolean).join(' and ')} of ${describeMatch(p)}`,
});
