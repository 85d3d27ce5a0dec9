/**
 * What every http.* fault takes: which message it acts on (`target`: Request or Response, as Chaos
 * Mesh's HTTPChaos), which requests it matches (`method`, `path` glob, `match: { method, path, headers,
 * status }`) and the `percent` of them it hits (drawn per request), plus `toxicity` (share of connections).
 */

import { percentString, strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { toxicityParam } from '../network/proxy-fault.js';

const methods = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe('a method or a list of methods');
const statuses = z
  .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
  .describe('a status or a list of statuses (responses only)');

export const matchParam = strict({
  method: methods.optional(),
  path: z.string().min(1).optional().describe('a glob: * within a path segment, ** across segments'),
  headers: z.record(z.string(), z.string()).optional().describe('headers the message must carry (values are globs; "" = present)'),
  status: statuses.optional(),
});

export const targetParam = (fallback: 'Request' | 'Response') =>
  z
    .string()
    .transform((value, ctx) => {
      const v = value.toLowerCase();
      if (v !== 'request' && v !== 'response') {
        ctx.addIssue({ code: 'custom', message: `expected Request or Response, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return v === 'request' ? ('Request' as const) : ('Response' as const);
    })
    .default(fallback)
    .describe('Request: act before the upstream sees it; Response: act on the answer');

export const commonShape = (fallback: 'Request' | 'Response') => ({
  target: targetParam(fallback),
  method: methods.optional(),
  path: z.string().min(1).optional().describe('only requests whose path matches this glob'),
  match: matchParam.optional(),
  percent: percentString.default(100).describe('percent of the matching requests hit, drawn per request'),
  toxicity: toxicityParam,
});

interface Common {
  target: 'Request' | 'Response';
  method?: string | string[];
  path?: string;
  match?: z.infer<typeof matchParam>;
  percent: number;
  /** abort and delay take the header matcher at the top level too */
  headers?: Record<string, string>;
}

/** The toxic's match attributes; `headersKey` is `headers` (abort, delay) or `match_headers` (replace, patch). */
export function matchAttributes(p: Common, headersKey: 'headers' | 'match_headers', topLevelHeaders = false): Record<string, unknown> {
  const attrs: Record<string, unknown> = { percent: p.percent };
  const method = p.match?.method ?? p.method;
  const path = p.match?.path ?? p.path;
  const headers = p.match?.headers ?? (topLevelHeaders ? p.headers : undefined);
  if (method !== undefined) attrs.method = method;
  if (path !== undefined) attrs.path = path;
  if (headers !== undefined) attrs[headersKey] = headers;
  if (p.match?.status !== undefined) attrs.status = p.match.status;
  return attrs;
}

export function streamOf(p: Common): 'upstream' | 'downstream' {
  return p.target === 'Request' ? 'upstream' : 'downstream';
}

/** ` on GET /pay* requests, 50% of them` for descriptions. */
export function describeMatch(p: Common, topLevelHeaders = false): string {
  const method = p.match?.method ?? p.method;
  const path = p.match?.path ?? p.path;
  const headers = p.match?.headers ?? (topLevelHeaders ? p.headers : undefined);
  const parts = [
    method ? [method].flat().join('|') : '',
    path ?? '',
    headers ? `with ${Object.keys(headers).join(', ')}` : '',
    p.match?.status ? `answered ${[p.match.status].flat().join('|')}` : '',
  ].filter(Boolean);
  const which = parts.length ? `${parts.join(' ')} ` : '';
  return `${p.percent < 100 ? `${p.percent}% of ` : ''}${which}${p.target === 'Request' ? 'requests' : 'responses'}`;
}
