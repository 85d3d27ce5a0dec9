/**
 * http-abort: answers matching requests with `code` (default 503) itself, without contacting the
 * upstream (on the request, the default), or replaces the upstream's response by it (on the response).
 * `percent` of the matching requests are aborted, drawn per request.
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { matchShape } from '../http/match-attributes.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  code: z.number().int().min(200).max(599).default(503).describe('status of the answer'),
  body: z.string().optional().describe('body of the answer (default: a one-line explanation)'),
  ...matchShape,
});
type Attributes = z.infer<typeof attributes>;

registerToxic<Attributes>({
  name: 'http-abort',
  summary: 'answer matching requests with a status code, without contacting the upstream',
  attributes,
  defaultStream: 'upstream',
  layer: () => 'http',
  http: {
    kind: 'abort',
    match: (a) => a,
    respond: (a) => ({
      status: a.code,
      headers: { 'X-Faultline-Fault': 'http-abort' },
      body: a.body ?? `faultline: fault injected: http-abort ${a.code}\n`,
    }),
  },
});
