/**
 * http.abort: answers matching requests with `code` (default 503) from the proxy itself. On the
 * request (the default) the upstream is never contacted; on the response the upstream's answer is
 * discarded and replaced. `abort: true` drops the request unanswered instead (Chaos Mesh HTTPChaos
 * `abort`, Litmus `pod-http-reset-peer`): backend kubernetes only, the local proxy always answers.
 */

import { strict } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import { z } from '../../util/zod.js';
import { registerProxyFault } from '../network/proxy-fault.js';
import { commonShape, describeMatch, matchAttributes, streamOf } from './common.js';

const params = strict({
  code: z.number().int().min(200).max(599).optional().describe('status of the answer (default 503)'),
  abort: z
    .boolean()
    .optional()
    .describe('drop the request unanswered instead (backend kubernetes: Chaos Mesh abort, Litmus pod-http-reset-peer)'),
  body: z.string().optional().describe('body of the answer'),
  headers: z.record(z.string(), z.string()).optional().describe('only requests carrying these headers'),
  ...commonShape('Request'),
});

const checked = params.refine((p) => !(p.abort && p.code !== undefined), {
  message: 'abort drops the request unanswered and code answers it with a status: give one of them',
  path: ['abort'],
});

registerProxyFault<z.infer<typeof params>>({
  name: 'http.abort',
  summary: 'answer matching HTTP requests with a status code from the endpoint proxy',
  params: checked,
  toxics: (p) => {
    if (p.abort) {
      throw new UserError(
        'http.abort abort: true (drop the request unanswered) needs backend kubernetes; the local proxy answers with a status: remove abort, or give a code',
      );
    }
    return [
      {
        type: 'http-abort',
        stream: streamOf(p),
        toxicity: p.toxicity,
        attributes: {
          code: p.code ?? 503,
          ...(p.body === undefined ? {} : { body: p.body }),
          ...matchAttributes(p, 'headers', true),
        },
      },
    ];
  },
  what: (p) =>
    p.abort
      ? `drop ${describeMatch(p, true)} unanswered`
      : `answer ${describeMatch(p, true)} with ${p.code ?? 503}${p.target === 'Request' ? ' (the upstream is not contacted)' : ''}`,
});
