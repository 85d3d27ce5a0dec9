/**
 * message.tamper: byzantine messages through the target's proxy. A `framing` cuts the stream into
 * messages (`lines`, `length-prefixed` with a 4-byte big-endian length, `http`), and each message is
 * passed to `module` (an ES module exporting `tamper(message, context)` that returns a message, several,
 * or none), then dropped, corrupted, duplicated and reordered by the given percentages and window.
 * The way to script double signing, equivocation or invalid blocks. See src/proxy/toxics/tamper.ts.
 */
import { existsSync } from 'node:fs';
import { modulePath } from '../../proxy/toxics/tamper-module.js';
import { percentString, strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { matchParam } from '../http/common.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from '../network/proxy-fault.js';

const module = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    const path = modulePath(value);
    if (!existsSync(path)) {
      ctx.addIssue({
        code: 'custom',
        message: `tamper module ${path} does not exist (relative paths are relative to the working directory)`,
      });
      return z.NEVER;
    }
    return path;
  })
  .describe('ES module exporting tamper(message, context); relative to the working directory');

const params = strict({
  framing: z.enum(['lines', 'length-prefixed', 'http']).describe('how the stream is cut into messages'),
  module: module.optional(),
  drop: percentString.default(0).describe('percent of messages dropped'),
  duplicate: percentString.default(0).describe('percent of messages sent twice'),
  corrupt: percentString.default(0).describe('percent of messages with one bit flipped'),
  reorder: z.number().int().min(0).max(1024).default(0).describe('window of messages sent in a random order (lines, length-prefixed)'),
  match: matchParam.optional().describe('framing http: which requests (and responses) are tampered with'),
  percent: percentString.default(100).describe('framing http: percent of the matching messages tampered with'),
  stream: streamParam('downstream').describe('upstream: client to server (http: requests); downstream: server to client (http: responses)'),
  toxicity: toxicityParam,
})
  .refine((p) => p.module !== undefined || p.drop > 0 || p.duplicate > 0 || p.corrupt > 0 || p.reorder > 1, {
    message: 'message.tamper needs something to do: module, drop, duplicate, corrupt or reorder',
  })
  .refine((p) => !(p.framing === 'http' && p.reorder > 1), {
    message: 'reorder works with the lines and length-prefixed framings',
    path: ['reorder'],
  })
  .refine((p) => p.framing === 'http' || (p.match === undefined && p.percent === 100), {
    message: 'match and percent choose HTTP messages: use them with framing: http',
    path: ['match'],
  });
type Params = z.infer<typeof params>;

registerProxyFault<Params>({
  name: 'message.tamper',
  summary: 'drop, duplicate, reorder, corrupt or rewrite (with a module) framed messages through the endpoint proxy',
  example: { framing: 'lines', drop: 10 },
  params,
  // the module is imported into the proxy: the author's code runs on this host
  executes: (p) => p.module !== undefined,
  toxics: (p) =>
    streams(p.stream).map((stream) => ({
      type: 'tamper',
      stream,
      toxicity: p.toxicity,
      attributes: {
        framing: p.framing,
        drop: p.drop,
        duplicate: p.duplicate,
        corrupt: p.corrupt,
        reorder: p.reorder,
        ...(p.module ? { module: p.module } : {}),
        ...(p.framing === 'http'
          ? {
              percent: p.percent,
              ...(p.match?.method ? { method: p.match.method } : {}),
              ...(p.match?.path ? { path: p.match.path } : {}),
              ...(p.match?.headers ? { headers: p.match.headers } : {}),
              ...(p.match?.status ? { status: p.match.status } : {}),
            }
          : {}),
      },
    })),
  what: (p) => {
    const actions = [
      p.module && `module ${p.module}`,
      p.drop > 0 && `drop ${p.drop}%`,
      p.corrupt > 0 && `corrupt ${p.corrupt}%`,
      p.duplicate > 0 && `duplicate ${p.duplicate}%`,
      p.reorder > 1 && `reorder in windows of ${p.reorder}`,
    ].filter(Boolean);
    return `tamper with ${p.stream} ${p.framing} messages (${actions.join(', ')})`;
  },
});
