/**
 * http-patch: adds to matching responses (the default) or requests: `headers` are appended (a header
 * already there keeps its value and gains another), and `body` is a JSON merge patch (RFC 7396) applied
 * to a JSON body (Content-Length recomputed). A body that is not JSON, or is compressed, passes
 * unchanged and the toxic says so once.
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { matchShape } from '../http/match-attributes.js';
import { mergePatch } from '../http/merge-patch.js';
import { getHeader, type HttpHead } from '../http/message.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  headers: z.record(z.string(), z.string()).optional().describe('headers added'),
  body: z.record(z.string(), z.unknown()).optional().describe('a JSON merge patch (RFC 7396) for a JSON body'),
  method: matchShape.method,
  path: matchShape.path,
  match_headers: matchShape.headers,
  status: matchShape.status,
  percent: matchShape.percent,
});
type Attributes = z.infer<typeof attributes>;

function patchHead(head: HttpHead, a: Attributes): void {
  for (const [name, value] of Object.entries(a.headers ?? {})) head.headers.push([name, value]);
}

registerToxic<Attributes>({
  name: 'http-patch',
  summary: 'add headers to, or merge-patch the JSON body of, matching responses (or requests)',
  attributes,
  defaultStream: 'downstream',
  layer: () => 'http',
  http: {
    kind: 'patch',
    match: (a) => ({ method: a.method, path: a.path, headers: a.match_headers, status: a.status, percent: a.percent }),
    head: patchHead,
    needsBody: (a) => a.body !== undefined,
    transform(message, a, ctx) {
      patchHead(message, a);
      if (a.body === undefined) return [message];
      const encoding = getHeader(message.headers, 'content-encoding');
      if (encoding && encoding.toLowerCase() !== 'identity') {
        ctx.warn(`a ${ctx.phase} body encoded with ${encoding} cannot be patched; it passed unchanged`);
        return [message];
      }
      let json: unknown;
      try {
        json = JSON.parse(message.body.toString('utf8'));
      } catch {
        ctx.warn(`a ${ctx.phase} body is not JSON and cannot be merge-patched; it passed unchanged`);
        return [message];
      }
      return [{ ...message, body: Buffer.from(JSON.stringify(mergePatch(json, a.body))) }];
    },
  },
});
