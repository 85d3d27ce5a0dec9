/**
 * latency: each chunk is released `latency` ± `jitter` milliseconds after it was received. Jitter is
 * uniform in [-jitter, +jitter]; with `correlation` (0-100) each draw leans on the previous one as in
 * netem (`c * previous + (1 - c) * fresh`). Release times never go backwards, so jitter never reorders
 * bytes; a delay below zero means no wait. The delay counts from each chunk's arrival, so it does not
 * cap throughput (up to the link's buffer bound). Stacked latency toxics add up.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { nonNegative, percent } from '../attributes.js';
import { correlated } from '../random.js';
import { registerToxic } from '../toxic.js';
import { TimedQueue } from './timed-queue.js';

const attributes = strict({
  latency: nonNegative('milliseconds').default(0),
  jitter: nonNegative('milliseconds').default(0),
  correlation: percent.default(0),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'latency',
  summary: 'delay each chunk by latency ± jitter milliseconds',
  attributes,
  createStage(ctx) {
    const queue = new TimedQueue(ctx);
    const draw = correlated(ctx.random, () => ctx.toxic.attributes.correlation / 100);
    const delay = () => {
      const { latency, jitter } = ctx.toxic.attributes;
      return jitter > 0 ? latency + jitter * (2 * draw() - 1) : latency;
    };
    return {
      get buffered() {
        return queue.buffered;
      },
      write: (chunk) => queue.add(performance.now() + delay(), chunk),
      end: () => queue.add(performance.now() + delay(), null),
      flush: () => queue.flush(),
      destroy: () => queue.destroy(),
    };
  },
});
