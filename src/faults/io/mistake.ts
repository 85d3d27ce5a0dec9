/**
 * io.mistake: bytes that a process started by `faultline wrap` reads from matching files come back wrong
 * (zeros or random), the file itself unchanged (IOChaos mistake, on reads). file.corrupt changes the file.
 */

import { strict } from '../../spec/fields.js';
import { size } from '../../util/size.js';
import { z } from '../../util/zod.js';
import { registerIoFault } from './io-fault.js';
import { ioPercentParam, pathParam } from './scope.js';

const params = strict({
  filling: z
    .enum(['zero', 'random'], { error: (i) => `expected filling zero or random, got ${JSON.stringify(i.input)}` })
    .default('random')
    .describe('what the wrong bytes are: zero, or random (always different from the true ones)'),
  maxOccurrences: z.number().int().min(1).max(1024).default(1).describe('how many runs of wrong bytes in one read, at most'),
  maxLength: size.default(1).describe('how long one run of wrong bytes is, at most'),
  path: pathParam,
  percent: ioPercentParam,
}).transform((p) => ({ ...p, methods: ['read' as const] }));

registerIoFault<z.infer<typeof params>>({
  name: 'io.mistake',
  summary: 'make a process started under `faultline wrap` read wrong bytes from its files, without changing them',
  params,
  kind: 'mistake',
  fields: (p) => ({ filling: p.filling, max_occurrences: p.maxOccurrences, max_length: p.maxLength }),
  what: (p) =>
    `return up to ${p.maxOccurrences} run(s) of up to ${p.maxLength} ${p.filling === 'zero' ? 'zeroed' : 'random'} byte(s) in ${p.percent === 100 ? '' : `${p.percent}% of `}reads`,
});
