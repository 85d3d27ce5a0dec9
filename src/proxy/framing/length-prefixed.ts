/**
 * length-prefixed: a message is a 4-byte big-endian length followed by that many bytes (the payload
 * excludes the prefix). A length over 16 MiB breaks the framing. A length-prefixed stream cannot be
 * re-synchronised mid-stream: added to a live connection that already carried bytes, the toxic leaves
 * that connection alone (it applies to the connections opened after it).
 */
import type { Decoder, Framing } from './types.js';

const MAX_MESSAGE = 16 * 1024 * 1024;

class LengthPrefixedDecoder implements Decoder {
  private held: Buffer = Buffer.alloc(0);
  private raw: Buffer[] = [];
  broken: string | null;

  constructor(midStream: boolean) {
    this.broken = midStream ? 'added mid-stream' : null;
  }

  get buffered(): number {
    return this.held.length;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.broken) {
      this.raw.push(chunk);
      return [];
    }
    let data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const out: Buffer[] = [];
    while (data.length >= 4) {
      const length = data.readUInt32BE(0);
      if (length > MAX_MESSAGE) {
        this.broken = `a length of ${length} bytes (over 16 MiB)`;
        this.raw.push(data);
        data = Buffer.alloc(0);
        break;
      }
      if (data.length < 4 + length) break;
      out.push(data.subarray(4, 4 + length));
      data = data.subarray(4 + length);
    }
    this.held = data.length ? Buffer.from(data) : Buffer.alloc(0);
    return out;
  }

  rest(): Buffer {
    const held = this.held;
    this.held = Buffer.alloc(0);
    return held;
  }

  takeRaw(): Buffer[] {
    const raw = this.raw;
    this.raw = [];
    return raw;
  }
}

export const lengthPrefixed: Framing = {
  name: 'length-prefixed',
  decoder: ({ midStream }) => new LengthPrefixedDecoder(midStream),
  encode(payload) {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(payload.length, 0);
    return Buffer.concat([prefix, payload]);
  },
};
