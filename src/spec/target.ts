/**
 * A target of the experiment format (spec.targets[], the project file's targets): what faults can hit
 * on this host. Apart from spec/schema.ts so that the engine, the faults and the proxy can name a target
 * without loading the whole format (which composes every fault's and probe's schema).
 */
import { z } from '../util/zod.js';
import { labels, referenceName, regexString, strict } from './fields.js';

const processSelector = strict({
  match: regexString.optional().describe('regular expression over the command line'),
  pid: z.number().int().positive().optional(),
  pidFile: z.string().optional().describe('file holding the pid, re-read at every step'),
}).refine((p) => [p.match, p.pid, p.pidFile].filter((v) => v !== undefined).length === 1, {
  message: 'expected exactly one of match, pid, pidFile',
});

const endpoint = strict({
  listen: z.string().optional(),
  upstream: z.string().optional(),
  transparent: z.boolean().optional(),
  proxy: z.string().optional(),
  api: z.string().optional(),
});

export const targetSchema = strict({
  name: referenceName,
  labels: labels.default({}),
  process: processSelector.optional(),
  endpoint: endpoint.optional(),
  files: z.array(z.string()).optional(),
  netns: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'expected a network namespace name (ip netns list)' })
    .optional()
    .describe('the network namespace the target lives in (kernel network faults apply there; Linux, root)'),
  addresses: z.array(z.string()).optional().describe("the target's own addresses (kernel network faults match them)"),
  protected: z.boolean().default(false).describe('never injected, whatever a selector says'),
  health: referenceName.optional().describe('a probe that tells whether this target is healthy (for policy minHealthy)'),
});
export type TargetSpec = z.infer<typeof targetSchema>;
