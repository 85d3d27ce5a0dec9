/**
 * How the body of an HTTP/1.x message is framed (RFC 9112 section 6.3), decided by a few values of its
 * head: the method or status, Transfer-Encoding and Content-Length. They come either from a parsed head
 * (the HTTP relay) or from a cheap scan of the raw head that builds no header list (what follows a
 * connection's exchanges while no HTTP toxic applies to it, see ./boundaries.ts): both read them the
 * same way, so both find the same message boundaries.
 */
import { getHeader, type HttpHead, headerHasToken, REQUEST_LINE, STATUS_LINE } from './message.js';

export type BodyKind =
  | { type: 'none' }
  | { type: 'length'; length: number }
  | { type: 'chunked' }
  | { type: 'close' }
  /** the bytes that follow are not HTTP messages any more (CONNECT, an upgrade, a framing we cannot follow) */
  | { type: 'tunnel'; reason: string };

/** The values of a head that decide its framing. Repeated headers are joined with `, ` (as getHeader does). */
export interface Framing {
  /** request only */
  method: string;
  /** response only */
  status: number;
  transferEncoding: string | undefined;
  contentLength: string | undefined;
  /** a request asking to switch protocols (`Connection: upgrade` and an `Upgrade` header) */
  upgrade: boolean;
}

/** The first value of a Content-Length (repeated ones are joined with `, `), as a length when it is one. */
function lengthOf(contentLength: string): number | null {
  const comma = contentLength.indexOf(',');
  const length = Number(comma === -1 ? contentLength : contentLength.slice(0, comma));
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

/** Framing of a request body. */
export function requestBodyKind(f: Pick<Framing, 'method' | 'transferEncoding' | 'contentLength'>): BodyKind {
  if (f.method === 'CONNECT') return { type: 'tunnel', reason: 'CONNECT request' };
  if (f.transferEncoding !== undefined)
    return isChunked(f.transferEncoding) ? { type: 'chunked' } : { type: 'tunnel', reason: `${f.method} request` };
  if (f.contentLength !== undefined) {
    const length = lengthOf(f.contentLength);
    return length !== null ? { type: 'length', length } : { type: 'tunnel', reason: `${f.method} request` };
  }
  return { type: 'none' };
}

/** Framing of a response body, given the method of the request it answers. */
export function responseBodyKind(f: Pick<Framing, 'status' | 'transferEncoding' | 'contentLength'>, requestMethod: string): BodyKind {
  if (f.status === 101) return { type: 'tunnel', reason: '101 response' };
  if (requestMethod === 'CONNECT' && f.status >= 200 && f.status < 300) return { type: 'tunnel', reason: `${f.status} response` };
  if (requestMethod === 'HEAD' || (f.status >= 100 && f.status < 200) || f.status === 204 || f.status === 304) return { type: 'none' };
  if (f.transferEncoding !== undefined) return isChunked(f.transferEncoding) ? { type: 'chunked' } : { type: 'close' };
  if (f.contentLength !== undefined) {
    const length = lengthOf(f.contentLength);
    return length !== null ? { type: 'length', length } : { type: 'close' };
  }
  return { type: 'close' };
}

function isChunked(transferEncoding: string): boolean {
  return /(^|,)\s*chunked\s*$/i.test(transferEncoding);
}

/** The framing values of a parsed head. */
export function headFraming(head: HttpHead): Framing {
  return {
    method: head.method,
    status: head.status,
    transferEncoding: getHeader(head.headers, 'transfer-encoding'),
    contentLength: getHeader(head.headers, 'content-length'),
    upgrade: headerHasToken(head.headers, 'connection', 'upgrade') && Boolean(getHeader(head.headers, 'upgrade')),
  };
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
type Wanted = 'connection' | 'content-length' | 'transfer-encoding' | 'upgrade';
const WANTED: { name: Wanted; bytes: Buffer }[] = (['connection', 'content-length', 'transfer-encoding', 'upgrade'] as const).map(
  (name) => ({ name, bytes: Buffer.from(name, 'latin1') }),
);

/** Which of the wanted headers the name at raw[from, to) is, compared without regard to case and without a string. */
function wantedName(raw: Buffer, from: number, to: number): Wanted | null {
  for (const { name, bytes } of WANTED) {
    if (to - from !== bytes.length) continue;
    let i = 0;
    // ASCII letters compare in lower case; '-' is unchanged by the same bit
    while (i < bytes.length && ((raw[from + i] as number) | 0x20) === bytes[i]) i++;
    if (i === bytes.length) return name;
  }
  return null;
}

/**
 * The framing values read from a raw head (start line and header lines, without the blank line), or
 * null when its start line is not HTTP/1.x or a header line has no name. Only the values of the four
 * headers that matter are turned into strings; the other lines are skipped byte-wise. (It is more
 * lenient than parseHead on malformed header names: the relay refuses those heads and tunnels.)
 */
export function scanFraming(raw: Buffer, end: number, kind: HttpHead['kind']): Framing | null {
  let lineEnd = raw.indexOf(LF);
  if (lineEnd === -1 || lineEnd > end) lineEnd = end;
  const start = raw.toString('latin1', 0, lineEnd > 0 && raw[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd);
  const framing: Framing = { method: '', status: 0, transferEncoding: undefined, contentLength: undefined, upgrade: false };
  if (kind === 'request') {
    const m = REQUEST_LINE.exec(start);
    if (!m) return null;
    framing.method = m[1] as string;
  } else {
    const m = STATUS_LINE.exec(start);
    if (!m) return null;
    framing.status = Number(m[2]);
  }
  const values: Record<Wanted, string | undefined> = {
    connection: undefined,
    'content-length': undefined,
    'transfer-encoding': undefined,
    upgrade: undefined,
  };
  /** the header a folded line continues, when it is one of those read */
  let last: Wanted | null = null;
  let i = lineEnd + 1;
  while (i < end) {
    let next = raw.indexOf(LF, i);
    if (next === -1 || next > end) next = end;
    const stop = next > i && raw[next - 1] === CR ? next - 1 : next;
    const first = raw[i] as number;
    if (stop > i && (first === SPACE || first === TAB)) {
      // obsolete line folding: part of the previous value
      if (last) values[last] = `${values[last]} ${raw.toString('latin1', i, stop).trim()}`;
    } else if (stop > i) {
      const colon = raw.indexOf(COLON, i);
      if (colon <= i || colon >= stop) return null;
      last = wantedName(raw, i, colon);
      if (last) {
        const value = raw.toString('latin1', colon + 1, stop).trim();
        values[last] = values[last] === undefined ? value : `${values[last]}, ${value}`;
      }
    }
    i = next + 1;
  }
  framing.contentLength = values['content-length'];
  framing.transferEncoding = values['transfer-encoding'];
  framing.upgrade = Boolean(values.upgrade) && (values.connection?.split(',').some((t) => t.trim().toLowerCase() === 'upgrade') ?? false);
  return framing;
}
