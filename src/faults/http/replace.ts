/**
 * http.replace: replaces the status (`code`), headers (each one set) or whole `body` of matching
 * responses (default) or requests. Match headers go under `match: { headers }`.
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { registerProxyFault } from '../network/proxy-fault.js';
import { commonShape, describeMatch, matchAttributes, streamOf } from './common.js';

const params = strict({
  code: z.number().int().min(100).max(599).optional().describe('new status (responses)'),
  headers: z.record(z.string(), z.string()).optional().describe('headers set, replacing those of the same name'),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .optional()
    .describe('new body: a string, or a value sent as JSON'),
  ...commonShape('Response'),
})
  .refine((p) => p.code !== undefined || p.headers !== undefined || p.body !== undefined, {
    message: 'http.replace needs code, headers or body: what to replace',
  })
  .refine((p) => !(p.target === 'Request' && p.code !== undefined), {
    message: 'code replaces the status of responses; remove it, or use target: Response',
    path: ['code'],
  });
type Params = z.infer<typeof params>;

const bodyText = (body: Params['body']) => (body === undefined || typeof body === 'string' ? body : JSON.stringify(body));

registerProxyFault<Params>({
  name: 'http.replace',
  summary: 'replace the status, headers or body of matching HTTP responses (or requests) at the endpoint proxy',
  example: { code: 503 },
  params,
  toxics: (p) => {
    const body = bodyText(p.body);
    return [
      {
        type: 'http-replace',
        stream: streamOf(p),
        toxicity: p.toxicity,
        attributes: {
          ...(p.code === undefined ? {} : { code: p.code }),
          ...(p.headers === undefined ? {} : { headers: p.headers }),
          ...(body === undefined ? {} : { body }),
          ...matchAttributes(p, 'match_headers'),
        },
      },
    ];
  },
  what: (p) =>
    `replace the ${[p.code !== undefined && `status (${p.code})`, p.headers && 'headers', p.body !== undefined && 'body'].filter(Boolean).join(', ')} of ${describeMatch(p)}`,
});
