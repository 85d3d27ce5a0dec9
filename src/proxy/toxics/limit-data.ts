/**
 * limit-data (Toxiproxy's limit_data): forwards at most `bytes` bytes in its direction over the life
 * of the connection (counted from when the toxic started on it), cuts the chunk that crosses the
 * limit, then closes the connection (FIN on both sides, after the allowed bytes are written).
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { nonNegative } from '../attributes.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  bytes: nonNegative('bytes'),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'limit-data',
  aliases: ['limit_data'],
  summary: 'close the connection after `bytes` bytes',
  attributes,
  createStage(ctx) {
    let passed = 0;
    let done = false;
    const check = () => {
      if (!done && passed >= ctx.toxic.attributes.bytes) {
        done = true;
        ctx.close();
      }
    };
    queueMicrotask(check); // a limit of 0 closes at once
    return {
      buffered: 0,
      write(chunk) {
        if (done) return;
        const room = ctx.toxic.attributes.bytes - passed;
        const part = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
        passed += part.length;
        ctx.push(part);
        check();
      },
      end: () => ctx.end(),
      flush() {},
      destroy() {
        done = true;
      },
      updated: check,
    };
  },
});
