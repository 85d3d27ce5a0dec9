/**
 * slow-close (Toxiproxy's slow_close): when the source closes its side (EOF), the close is passed on
 * `delay` milliseconds later; the data itself is not delayed.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { nonNegative } from '../attributes.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  delay: nonNegative('milliseconds').default(0),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'slow-close',
  aliases: ['slow_close'],
  summary: 'delay the close (FIN) by `delay` ms',
  attributes,
  createStage(ctx) {
    let timer: NodeJS.Timeout | null = null;
    return {
      buffered: 0,
      write: (chunk) => ctx.push(chunk),
      end() {
        timer = setTimeout(() => {
          timer = null;
          ctx.end();
        }, ctx.toxic.attributes.delay);
      },
      flush() {
        if (!timer) return;
        clearTimeout(timer);
        timer = null;
        ctx.end();
      },
      destroy() {
        if (timer) clearTimeout(timer);
      },
    };
  },
});
