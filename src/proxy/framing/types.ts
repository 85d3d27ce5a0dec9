/**
 * A framing cuts a byte stream into messages and writes messages back as bytes, for message-level
 * toxics (message.tamper). Decoders hold at most one incomplete message; a message larger than the
 * framing's limit ends the framing for that stream (the rest passes through unchanged).
 */

export interface Decoder {
  /** the complete messages (payloads) in the bytes so far */
  push(chunk: Buffer): Buffer[];
  /** bytes of an incomplete message held */
  readonly buffered: number;
  /** what is held (an incomplete message), raw, when the stream ends or the toxic is removed */
  rest(): Buffer;
  /** set when the stream cannot be framed any more; everything then comes back as raw */
  readonly broken: string | null;
  /** raw bytes that must pass through as they are (after the framing broke); taken by the caller */
  takeRaw(): Buffer[];
}

export interface Framing {
  name: string;
  decoder(options: { midStream: boolean }): Decoder;
  /** the bytes of one message, framed */
  encode(payload: Buffer): Buffer;
}
