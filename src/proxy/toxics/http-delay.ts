/**
 * http-delay: holds matching requests `delay` milliseconds before they are sent upstream (on the
 * request, the default), or responses before they are sent to the client (on the response). Requests
 * on one connection stay in order, so a delayed request also delays those pipelined behind it.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { nonNegative } from '../attributes.js';
import { matchShape } from '../http/match-attributes.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  delay: nonNegative('milliseconds'),
  jitter: nonNegative('milliseconds').default(0).describe('uniform ± spread around the delay'),
  ...matchShape,
});
type Attributes = z.infer<typeof attributes>;

registerToxic<Attributes>({
  name: 'http-delay',
  summary: 'hold matching requests (or responses) for `delay` ms',
  attributes,
  defaultStream: 'upstream',
  layer: () => 'http',
  http: {
    kind: 'delay',
    match: (a) => a,
    delayMs: (a, random) => Math.max(0, a.delay + (a.jitter > 0 ? a.jitter * (2 * random() - 1) : 0)),
  },
});
