/**
 * slicer: cuts each chunk into slices of `average_size` ± `size_variation` bytes (uniform, at least 1)
 * and sends them `delay` microseconds apart, so the peer reads the data in small pieces.
 */
import { z } from '../../util/zod.js';
import { nonNegative } from '../attributes.js';
import { registerToxic } from '../toxic.js';
import { TimedQueue } from './timed-queue.js';

const attributes = z
  .strictObject({
    average_size: nonNegative('bytes').default(1),
    size_variation: nonNegative('bytes').default(0),
    delay: nonNegative('microseconds').default(0),
  })
  .refine((a) => a.average_size >= 1, { message: 'average_size must be at least 1 byte', path: ['average_size'] })
  .refine((a) => a.size_variation < a.average_size || a.size_variation === 0, {
    message: 'size_variation must be smaller than average_size',
    path: ['size_variation'],
  });

registerToxic<z.infer<typeof attributes>>({
  name: 'slicer',
  summary: 'cut chunks into small slices sent `delay` µs apart',
  attributes,
  createStage(ctx) {
    const queue = new TimedQueue(ctx);
    return {
      get buffered() {
        return queue.buffered;
      },
      write(chunk) {
        const { average_size, size_variation, delay } = ctx.toxic.attributes;
        let at = Math.max(performance.now(), queue.lastAt);
        let offset = 0;
        while (offset < chunk.length) {
          const size = Math.max(1, Math.round(average_size + size_variation * (2 * ctx.random() - 1)));
          queue.add(at, chunk.subarray(offset, offset + size));
          offset += size;
          at += delay / 1000;
        }
      },
      end: () => queue.add(performance.now(), null),
      flush: () => queue.flush(),
      destroy: () => queue.destroy(),
    };
  },
});
