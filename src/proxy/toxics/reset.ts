/**
 * reset (Toxiproxy's reset_peer): at the first bytes in its direction, which it discards with all that
 * follows, it waits `timeout` milliseconds and resets the connection: both sockets are closed with a
 * TCP RST (`socket.resetAndDestroy()`), so the peers see "connection reset by peer". Only connections
 * the toxic applies to are reset (unlike Toxiproxy issue #603). A connection that sends nothing in
 * this direction is left alone.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { nonNegative } from '../attributes.js';
import { registerToxic } from '../toxic.js';

const attributes = strict({
  timeout: nonNegative('milliseconds').default(0),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'reset',
  aliases: ['reset_peer'],
  summary: 'reset the connection (TCP RST) `timeout` ms after the first bytes',
  attributes,
  createStage(ctx) {
    let timer: NodeJS.Timeout | null = null;
    let triggered = false;
    const cancel = () => {
      if (timer) clearTimeout(timer);
      timer = null;
    };
    return {
      buffered: 0,
      write() {
        if (triggered) return;
        triggered = true;
        timer = setTimeout(() => ctx.reset(), ctx.toxic.attributes.timeout);
      },
      end() {},
      flush: cancel,
      destroy: cancel,
    };
  },
});
