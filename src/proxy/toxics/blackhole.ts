/**
 * blackhole: a partition seen through a proxy. Connections are accepted and nothing is forwarded in
 * its direction, and nothing is closed. What is sent meanwhile is held (bounded: the sender is then
 * back-pressured, as TCP would be under a partition) and delivered when the blackhole is removed, as
 * TCP's retransmissions would deliver it once the partition heals. No data is lost.
 */

import { strict } from '../../spec/fields.js';
import type { z } from '../../util/zod.js';
import { registerToxic } from '../toxic.js';
import { Held } from './hold.js';

const attributes = strict({});

registerToxic<z.infer<typeof attributes>>({
  name: 'blackhole',
  summary: 'forward nothing and close nothing until removed (a partition)',
  attributes,
  createStage(ctx) {
    const held = new Held();
    return {
      get buffered() {
        return held.buffered;
      },
      write: (chunk) => held.add(chunk),
      end: () => held.end(),
      flush: () => held.release(ctx),
      destroy: () => held.drop(),
    };
  },
});
