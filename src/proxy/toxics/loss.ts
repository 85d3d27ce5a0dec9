/**
 * loss: packet loss, seen from a byte stream. A TCP stream has no packets to lose: a lost segment is
 * retransmitted, and the application sees its bytes (and every byte after them) late, never missing.
 * So the stream is cut into segments of `segment` bytes (default 1460, an Ethernet MSS) and each is
 * lost with probability `percent` %, with Toxiproxy's simplified Gilbert-Elliott `correlation`: after a
 * lost segment the next one is lost with probability p + correlation × (1 − p).
 *
 * - `mode: delay` (default, what TCP does): a lost segment and everything after it waits one
 *   retransmission timeout `rto` (default 200 ms, Linux's minimum), doubled for each consecutive loss
 *   (exponential backoff); nothing is missing or reordered.
 * - `mode: drop` (Toxiproxy's unreleased packet_loss): a lost segment's bytes are discarded. The stream
 *   is then corrupt for any protocol that counts bytes; use it for datagram-like protocols over TCP.
 */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { nonNegative, percent } from '../attributes.js';
import { registerToxic } from '../toxic.js';
import { TimedQueue } from './timed-queue.js';

const attributes = strict({
  percent: percent.default(1),
  correlation: percent.default(0),
  mode: z.enum(['delay', 'drop']).default('delay'),
  rto: nonNegative('milliseconds').default(200),
  segment: nonNegative('bytes')
    .default(1460)
    .refine((n) => n >= 1, { message: 'segment must be at least 1 byte' }),
});

registerToxic<z.infer<typeof attributes>>({
  name: 'loss',
  aliases: ['packet_loss'],
  summary: 'lose `percent` % of segments: retransmission delay (default) or dropped bytes',
  attributes,
  createStage(ctx) {
    const queue = new TimedQueue(ctx);
    let lastLost = false;
    let backoff = 0; // consecutive losses
    let inSegment = 0; // bytes of the current segment already seen
    let currentLost = false;
    const lost = () => {
      const { percent: pct, correlation } = ctx.toxic.attributes;
      const p = pct / 100;
      const c = correlation / 100;
      const chance = lastLost ? p + c * (1 - p) : p;
      lastLost = ctx.random() < chance;
      return lastLost;
    };
    return {
      get buffered() {
        return queue.buffered;
      },
      write(chunk) {
        const { mode, rto, segment } = ctx.toxic.attributes;
        let at = Math.max(performance.now(), queue.lastAt);
        let start = 0; // first byte of the run not yet queued
        let pos = 0;
        while (pos < chunk.length) {
          if (inSegment === 0) {
            // a segment starts here (segments are counted along the stream, across chunks)
            currentLost = lost();
            if (!currentLost) backoff = 0;
            else if (mode === 'delay') {
              if (pos > start) queue.add(at, chunk.subarray(start, pos));
              start = pos;
              at += rto * 2 ** Math.min(backoff, 6);
              backoff++;
            } else if (pos > start) {
              queue.add(at, chunk.subarray(start, pos));
              start = pos;
            }
          }
          const n = Math.min(segment - inSegment, chunk.length - pos);
          pos += n;
          if (currentLost && mode === 'drop') start = pos;
          inSegment = (inSegment + n) % segment;
        }
        if (start < chunk.length) queue.add(at, chunk.subarray(start));
      },
      end: () => queue.add(performance.now(), null),
      flush: () => queue.flush(),
      destroy: () => queue.destroy(),
    };
  },
});
