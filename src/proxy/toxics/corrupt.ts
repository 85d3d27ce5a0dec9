/**
 * corrupt: flips one random bit in `percent` percent of the bytes of its direction (each byte chosen
 * independently; the gaps between corrupted bytes are drawn from the geometric law, so a low rate costs
 * almost nothing). The length of the stream never changes. This is not TCP corruption (the kernel's
 * checksums would drop such packets): it is what an application sees from a faulty peer or middlebox.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { percent } from '../attributes.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  percent: percent.default(1),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'corrupt',
  summary: 'flip a bit in `percent` % of the bytes',
  attributes,
  createStage(ctx) {
    let gap = -1; // bytes to skip before the next corrupted one; -1: draw anew
    const nextGap = () => {
      const p = ctx.toxic.attributes.percent / 100;
      if (p <= 0) return Number.POSITIVE_INFINITY;
      if (p >= 1) return 0;
      return Math.floor(Math.log(1 - ctx.random()) / Math.log(1 - p));
    };
    return {
      buffered: 0,
      write(chunk) {
        if (gap < 0) gap = nextGap();
        let i = gap;
        if (i < chunk.length) {
          const copy = Buffer.from(chunk); // the source may still refer to its buffer
          while (i < copy.length) {
            copy[i] = (copy[i] as number) ^ (1 << Math.floor(ctx.random() * 8));
            i += 1 + nextGap();
          }
          gap = i - copy.length;
          ctx.push(copy);
          return;
        }
        gap -= chunk.length;
        ctx.push(chunk);
      },
      end: () => ctx.end(),
      flush() {},
      destroy() {},
      updated() {
        gap = -1;
      },
    };
  },
});
