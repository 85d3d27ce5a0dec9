/**
 * The match attributes of the HTTP toxics (see ./match.ts for what they mean), as zod schemas: apart from
 * the matching itself, so that a proxy relaying HTTP loads zod only with its first toxic.
 */
import { z } from '../../util/zod.js';
import { percent } from '../attributes.js';

const methodList = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]).map((m) => m.toUpperCase()));
const statusList = z
  .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)], {
    error: 'expected an HTTP status (100-599) or a list of them',
  })
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** The match attributes every HTTP toxic takes. */
export const matchShape = {
  method: methodList.optional().describe('only requests with this method (or one of these)'),
  path: z.string().min(1).optional().describe('only requests whose path matches this glob (`*`, `**`, `?`)'),
  headers: z.record(z.string(), z.string()).optional().describe('only requests carrying these headers (values are globs)'),
  status: statusList.optional().describe('only responses with this status (or one of these); response phase only'),
  percent: percent.default(100).describe('share of the matching requests affected, drawn per request'),
};
