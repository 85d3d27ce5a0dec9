/**
 * The framings of message-level toxics, by name. `http` is not a byte framing here: HTTP messages are
 * framed by the connection's HTTP relay (../http/), which knows where each request and response starts
 * even on live keep-alive connections, so a tamper toxic with `framing: http` works at that layer.
 */
import { lengthPrefixed } from './length-prefixed.js';
import { lines } from './lines.js';
import type { Framing } from './types.js';

export const FRAMING_NAMES = ['lines', 'length-prefixed', 'http'] as const;
export type FramingName = (typeof FRAMING_NAMES)[number];

const byteFramings: Record<Exclude<FramingName, 'http'>, Framing> = { lines, 'length-prefixed': lengthPrefixed };

export function byteFraming(name: Exclude<FramingName, 'http'>): Framing {
  return byteFramings[name];
}

export type { Decoder, Framing } from './types.js';
