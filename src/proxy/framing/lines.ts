/**
 * lines: a message is a line ending in `\n` (the payload excludes it; a `\r` before it stays in the
 * payload). A line longer than 1 MiB breaks the framing. Added to a live connection mid-stream, the
 * framing starts after the next `\n` (the bytes before it pass unchanged).
 */
import type { Decoder, Framing } from './types.js';

const MAX_LINE = 1024 * 1024;

class LineDecoder implements Decoder {
  private held: Buffer[] = [];
  private heldLength = 0;
  private raw: Buffer[] = [];
  broken: string | null = null;

  constructor(private syncing: boolean) {}

  get buffered(): number {
    return this.heldLength;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.broken) {
      this.raw.push(chunk);
      return [];
    }
    let data = chunk;
    if (this.syncing) {
      const lf = data.indexOf(0x0a);
      if (lf === -1) {
        this.raw.push(data);
        return [];
      }
      this.raw.push(data.subarray(0, lf + 1));
      data = data.subarray(lf + 1);
      this.syncing = false;
    }
    const out: Buffer[] = [];
    let start = 0;
    let lf = data.indexOf(0x0a);
    while (lf !== -1) {
      const piece = data.subarray(start, lf);
      if (this.heldLength) {
        this.held.push(piece);
        out.push(Buffer.concat(this.held));
        this.held = [];
        this.heldLength = 0;
      } else out.push(piece);
      start = lf + 1;
      lf = data.indexOf(0x0a, start);
    }
    if (start < data.length) {
      this.held.push(data.subarray(start));
      this.heldLength += data.length - start;
      if (this.heldLength > MAX_LINE) {
        this.broken = 'a line longer than 1 MiB';
        this.raw.push(this.rest());
      }
    }
    return out;
  }

  rest(): Buffer {
    const held = Buffer.concat(this.held);
    this.held = [];
    this.heldLength = 0;
    return held;
  }

  takeRaw(): Buffer[] {
    const raw = this.raw;
    this.raw = [];
    return raw;
  }
}

export const lines: Framing = {
  name: 'lines',
  decoder: ({ midStream }) => new LineDecoder(midStream),
  encode: (payload) => Buffer.concat([payload, Buffer.from('\n')]),
};
