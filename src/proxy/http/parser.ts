/**
 * An incremental HTTP/1.x framing parser for one direction of a connection. It finds where each
 * message's head and body begin and end (Content-Length, chunked, until close, none), and reports the
 * bytes as they come: the raw wire bytes (to forward untouched) and, for the body, the decoded
 * payload (to rewrite). After an upgrade, a CONNECT, or bytes that are not HTTP, it becomes a tunnel
 * and passes everything on raw.
 */
import type { BodyKind } from './framing.js';
import type { HttpHead } from './message.js';

export interface ParserHandler {
  /**
   * A head was read: `raw` as on the wire, the blank line included, its header lines ending at `end`.
   * The handler says how the body is framed, or null when the head is not HTTP/1.x.
   */
  onHead(raw: Buffer, end: number): BodyKind | null;
  /** part of the body: the raw bytes as on the wire, and the payload bytes they carry */
  onBody(raw: Buffer, payload: Buffer[]): void;
  onMessageEnd(): void;
  /** bytes passed through untouched (tunnel mode, or what could not be parsed) */
  onRaw(chunk: Buffer): void;
  /** the stream stopped being parseable HTTP; everything from now on comes through onRaw */
  onTunnel(reason: string): void;
}

const MAX_HEAD = 64 * 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
const LF_LF = Buffer.from('\n\n', 'latin1');
const EMPTY = Buffer.alloc(0);
const MAX_CHUNK_LINE = 4096;
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]*$/;
const REQUEST_START = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/1\.[01]\r?$/;

/**
 * Whether the first bytes a client sent are an HTTP/1.x request: `yes` once the request line is
 * complete and valid, `no` as soon as it cannot be one, `maybe` while the line is incomplete.
 */
export function sniffRequest(buffer: Buffer): 'yes' | 'no' | 'maybe' {
  const lf = buffer.indexOf(0x0a);
  const line = buffer.toString('latin1', 0, lf === -1 ? Math.min(buffer.length, 8192) : lf);
  if (lf !== -1) return REQUEST_START.test(line) ? 'yes' : 'no';
  if (buffer.length > 8192) return 'no';
  const space = line.indexOf(' ');
  const method = space === -1 ? line : line.slice(0, space);
  if (method.length > 16 || !METHOD.test(method) || (space !== -1 && method.length === 0)) return 'no';
  if (space === -1) return 'maybe';
  const rest = line.slice(space + 1);
  const second = rest.indexOf(' ');
  if (second === -1) return /\s/.test(rest) ? 'no' : 'maybe';
  const version = rest.slice(second + 1).replace(/\r$/, '');
  return 'HTTP/1.1'.startsWith(version) || 'HTTP/1.0'.startsWith(version) ? 'maybe' : 'no';
}

/**
 * Where the first head in `buffer` (searched from `from`) ends: `end`, where its last header line ends, and
 * `length`, its bytes with the blank line; null while it is incomplete. A head ended by bare line feeds is
 * tolerated.
 */
export function headEnd(buffer: Buffer, from = 0): { end: number; length: number } | null {
  const crlf = buffer.indexOf(CRLF_CRLF, from);
  const lf = buffer.indexOf(LF_LF, from);
  if (lf !== -1 && (crlf === -1 || lf < crlf)) return { end: lf, length: lf + LF_LF.length };
  return crlf === -1 ? null : { end: crlf, length: crlf + CRLF_CRLF.length };
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'close' | 'tunnel';

export class HttpParser {
  private state: State = 'head';
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private remaining = 0;

  constructor(
    private readonly kind: HttpHead['kind'],
    private readonly handler: ParserHandler,
  ) {}

  get isTunnel(): boolean {
    return this.state === 'tunnel';
  }

  /** Between two messages, with nothing held: the next byte starts a message. */
  get betweenMessages(): boolean {
    return this.state === 'head' && this.pendingLength === 0;
  }

  /** Bytes held while a head or a chunk-size line is incomplete. */
  get buffered(): number {
    return this.pendingLength;
  }

  /** From now on everything is passed through raw (the other direction saw an upgrade, say). */
  tunnel(reason: string): void {
    if (this.state === 'tunnel') return;
    this.state = 'tunnel';
    this.handler.onTunnel(reason);
    const held = this.takePending();
    if (held.length) this.handler.onRaw(held);
  }

  push(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      switch (this.state) {
        case 'tunnel':
          this.handler.onRaw(data);
          return;
        case 'head':
          data = this.readHead(data);
          break;
        case 'length': {
          const n = Math.min(this.remaining, data.length);
          const part = n === data.length ? data : data.subarray(0, n);
          this.remaining -= n;
          this.handler.onBody(part, [part]);
          data = part === data ? EMPTY : data.subarray(n);
          if (this.remaining === 0) this.finishMessage();
          break;
        }
        case 'close':
          this.handler.onBody(data, [data]);
          return;
        case 'chunk-size':
        case 'trailers':
          data = this.readLine(data);
          break;
        case 'chunk-data': {
          const n = Math.min(this.remaining, data.length);
          const part = data.subarray(0, n);
          this.remaining -= n;
          this.handler.onBody(part, [part]);
          data = data.subarray(n);
          if (this.remaining === 0) {
            this.state = 'chunk-crlf';
            this.remaining = 2;
          }
          break;
        }
        case 'chunk-crlf': {
          // the CRLF after a chunk's data; a bare LF is tolerated
          let n = 0;
          while (n < data.length && this.remaining > 0) {
            const byte = data[n] as number;
            if (byte === 0x0d && this.remaining === 2) this.remaining = 1;
            else if (byte === 0x0a) this.remaining = 0;
            else {
              if (n > 0) this.handler.onBody(data.subarray(0, n), []);
              this.fail('bad chunk terminator', data.subarray(n));
              return;
            }
            n++;
          }
          this.handler.onBody(data.subarray(0, n), []);
          data = data.subarray(n);
          if (this.remaining === 0) this.state = 'chunk-size';
          break;
        }
      }
    }
  }

  /** The source ended: a body delimited by the close ends here. */
  end(): void {
    if (this.state === 'close') {
      this.state = 'head';
      this.handler.onMessageEnd();
    }
    const held = this.takePending();
    if (held.length) this.handler.onRaw(held);
  }

  private takePending(): Buffer {
    const held = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingLength = 0;
    return held;
  }

  private fail(reason: string, rest: Buffer): Buffer {
    this.state = 'tunnel';
    this.handler.onTunnel(reason);
    const held = this.takePending();
    if (held.length) this.handler.onRaw(held);
    if (rest.length) this.handler.onRaw(rest);
    return EMPTY;
  }

  private readHead(data: Buffer): Buffer {
    // Empty lines between messages are tolerated (RFC 9112 section 2.2).
    if (this.pendingLength === 0) {
      let skip = 0;
      while (skip < data.length && (data[skip] === 0x0d || data[skip] === 0x0a)) skip++;
      if (skip > 0) {
        this.handler.onRaw(data.subarray(0, skip));
        data = data.subarray(skip);
        if (data.length === 0) return data;
      }
    }
    const searchFrom = Math.max(0, this.pendingLength - 3);
    this.pending.push(data);
    this.pendingLength += data.length;
    const all = this.pending.length === 1 ? data : Buffer.concat(this.pending);
    const found = headEnd(all, searchFrom);
    if (!found) {
      this.pending = [all];
      if (this.pendingLength > MAX_HEAD) return this.fail('head larger than 64 KiB', EMPTY);
      if (!this.looksLikeStart(all)) return this.fail(`not an HTTP/1.x ${this.kind}`, EMPTY);
      return EMPTY;
    }
    const { end, length } = found;
    const rawHead = length === all.length ? all : all.subarray(0, length);
    const rest = rawHead === all ? EMPTY : all.subarray(length);
    this.pending.length = 0;
    this.pendingLength = 0;
    const body = this.handler.onHead(rawHead, end);
    if (!body) {
      this.pending = [rawHead];
      this.pendingLength = rawHead.length;
      return this.fail(`not an HTTP/1.x ${this.kind}`, rest);
    }
    switch (body.type) {
      case 'none':
        this.finishMessage();
        break;
      case 'length':
        if (body.length === 0) this.finishMessage();
        else {
          this.state = 'length';
          this.remaining = body.length;
        }
        break;
      case 'chunked':
        this.state = 'chunk-size';
        break;
      case 'close':
        this.state = 'close';
        break;
      case 'tunnel':
        this.state = 'tunnel';
        this.handler.onTunnel(body.reason);
        break;
    }
    return rest;
  }

  /** Whether an incomplete head could still become a valid start line (to give up early on binary data). */
  private looksLikeStart(buffer: Buffer): boolean {
    if (buffer.indexOf(0x0a) !== -1) return true; // decided when the whole head is here
    const line = buffer.toString('latin1', 0, Math.min(buffer.length, 8192));
    if (this.kind === 'request') return sniffRequest(buffer) !== 'no';
    return line.length < 5 ? 'HTTP/'.startsWith(line) : line.startsWith('HTTP/');
  }

  private finishMessage(): void {
    this.state = 'head';
    this.handler.onMessageEnd();
  }

  /** A chunk-size line or a trailer line. */
  private readLine(data: Buffer): Buffer {
    const lf = data.indexOf(0x0a);
    if (lf === -1) {
      this.pending.push(data);
      this.pendingLength += data.length;
      if (this.pendingLength > MAX_CHUNK_LINE) return this.fail('chunk-size line too long', EMPTY);
      return EMPTY;
    }
    const linePart = data.subarray(0, lf + 1);
    const rest = data.subarray(lf + 1);
    this.pending.push(linePart);
    const raw = this.takePending();
    const line = raw.toString('latin1').replace(/\r?\n$/, '');
    if (this.state === 'chunk-size') {
      const size = Number.parseInt(line.split(';')[0]?.trim() ?? '', 16);
      if (!/^[0-9a-fA-F]+/.test(line.trim()) || !Number.isSafeInteger(size)) {
        this.pending = [raw];
        this.pendingLength = raw.length;
        return this.fail('bad chunk size', rest);
      }
      this.handler.onBody(raw, []);
      if (size === 0) this.state = 'trailers';
      else {
        this.state = 'chunk-data';
        this.remaining = size;
      }
      return rest;
    }
    // trailers: an empty line ends the message
    this.handler.onBody(raw, []);
    if (line === '') this.finishMessage();
    return rest;
  }
}
