/**
 * timeout: forwards nothing in its direction and, when `timeout` > 0, closes the connection `timeout`
 * milliseconds after the toxic started on it (not after idleness, as Toxiproxy); with 0 it holds until
 * removed. Unlike Toxiproxy, which drops the data and closes on removal, the bytes are held (bounded:
 * the sender is then back-pressured, as TCP would be) and delivered when the toxic is removed.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { nonNegative } from '../attributes.js';
import { registerToxic } from '../toxic.js';
import { Held } from './hold.js';

const attributes = strict({
  timeout: nonNegative('milliseconds').default(0),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'timeout',
  summary: 'forward nothing; close the connection after `timeout` ms (0: never)',
  attributes,
  createStage(ctx) {
    const held = new Held();
    const started = performance.now();
    let timer: NodeJS.Timeout | null = null;
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const { timeout } = ctx.toxic.attributes;
      if (timeout > 0) timer = setTimeout(() => ctx.close(), Math.max(0, started + timeout - performance.now()));
    };
    arm();
    return {
      get buffered() {
        return held.buffered;
      },
      write: (chunk) => held.add(chunk),
      end: () => held.end(),
      flush() {
        if (timer) clearTimeout(timer);
        held.release(ctx);
      },
      destroy() {
        if (timer) clearTimeout(timer);
        held.drop();
      },
      updated: arm,
    };
  },
});
