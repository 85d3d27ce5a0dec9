/**
 * bandwidth: limits the rate of one direction to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy). Each
 * chunk is cut into slices of at most 20 ms of transfer, and each slice is released when the previous
 * ones have had their time: the last byte of N bytes leaves N / rate after the first arrived. Idle time
 * builds no credit (no burst). A rate of 0 means no limit.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { nonNegative } from '../attributes.js';
import { registerToxic } from '../toxic.js';
import { TimedQueue } from './timed-queue.js';

const attributes = strict({
  rate: nonNegative('KB/s (1 KB = 1000 bytes)'),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'bandwidth',
  summary: 'limit the transfer rate to `rate` KB/s',
  attributes,
  createStage(ctx) {
    const queue = new TimedQueue(ctx);
    return {
      get buffered() {
        return queue.buffered;
      },
      write(chunk) {
        const rate = ctx.toxic.attributes.rate; // bytes per millisecond
        if (!(rate > 0)) {
          queue.add(performance.now(), chunk);
          return;
        }
        const slice = Math.max(1, Math.min(64 * 1024, Math.floor(rate * 20)));
        let at = Math.max(performance.now(), queue.lastAt);
        for (let offset = 0; offset < chunk.length; offset += slice) {
          const part = chunk.subarray(offset, offset + slice);
          at += part.length / rate;
          queue.add(at, part);
        }
      },
      end: () => queue.add(performance.now(), null),
      flush: () => queue.flush(),
      destroy: () => queue.destroy(),
    };
  },
});
