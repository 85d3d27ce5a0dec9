/**
 * http-replace: replaces parts of matching responses (the default) or requests: `code` (responses),
 * `headers` (each one set, replacing any of that name), `body` (the whole body; Content-Length is
 * recomputed), and on requests `method` and `path` (the query string is kept).
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { matchShape } from '../http/match-attributes.js';
import { type HttpHead, reasonPhrase, setHeader } from '../http/message.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  code: z.number().int().min(100).max(599).optional().describe('new status (responses)'),
  headers: z.record(z.string(), z.string()).optional().describe('headers set (replacing those of the same name)'),
  body: z.string().optional().describe('new body'),
  set_method: z.string().min(1).optional().describe('new method (requests)'),
  set_path: z.string().startsWith('/').optional().describe('new path (requests; the query string is kept)'),
  // the match attributes, except `headers`, which here is what is set
  method: matchShape.method,
  path: matchShape.path,
  match_headers: matchShape.headers,
  status: matchShape.status,
  percent: matchShape.percent,
});
type Attributes = z.infer<typeof attributes>;

function replaceHead(head: HttpHead, a: Attributes): void {
  if (head.kind === 'response' && a.code !== undefined) {
    head.status = a.code;
    head.reason = reasonPhrase(a.code);
  }
  if (head.kind === 'request') {
    if (a.set_method) head.method = a.set_method.toUpperCase();
    if (a.set_path) {
      const q = head.url.indexOf('?');
      head.url = a.set_path + (q === -1 ? '' : head.url.slice(q));
    }
  }
  for (const [name, value] of Object.entries(a.headers ?? {})) setHeader(head.headers, name, value);
}

registerToxic<Attributes>({
  name: 'http-replace',
  summary: 'replace the status, headers or body of matching responses (or requests)',
  attributes,
  defaultStream: 'downstream',
  layer: () => 'http',
  http: {
    kind: 'replace',
    match: (a) => ({ method: a.method, path: a.path, headers: a.match_headers, status: a.status, percent: a.percent }),
    head: replaceHead,
    needsBody: (a) => a.body !== undefined,
    transform(message, a) {
      replaceHead(message, a);
      return [{ ...message, body: a.body === undefined ? message.body : Buffer.from(a.body) }];
    },
  },
});
