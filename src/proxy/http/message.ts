/** HTTP/1.x message heads and whole messages: parsing of the start line and headers, serialization. */

export interface HttpHead {
  kind: 'request' | 'response';
  /** request only */
  method: string;
  /** request only: the request target as sent (`/pay?x=1`) */
  url: string;
  /** response only */
  status: number;
  reason: string;
  /** `1.1` or `1.0` */
  version: string;
  /** in order, names as sent */
  headers: [string, string][];
}

export interface HttpMessage extends HttpHead {
  /** the payload, de-chunked */
  body: Buffer;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d\.\d)$/;
export const STATUS_LINE = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/;

/** Parses a head (start line and header lines, without the blank line); null when it is not HTTP/1.x. */
export function parseHead(text: string, kind: HttpHead['kind']): HttpHead | null {
  const lines = text.split(/\r?\n/);
  const start = lines[0] ?? '';
  const head: HttpHead = { kind, method: '', url: '', status: 0, reason: '', version: '1.1', headers: [] };
  if (kind === 'request') {
    const m = REQUEST_LINE.exec(start);
    if (!m) return null;
    head.method = m[1] as string;
    head.url = m[2] as string;
    head.version = m[3] as string;
  } else {
    const m = STATUS_LINE.exec(start);
    if (!m) return null;
    head.version = m[1] as string;
    head.status = Number(m[2]);
    head.reason = m[3] ?? '';
  }
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && head.headers.length) {
      // obsolete line folding: part of the previous value
      const last = head.headers[head.headers.length - 1] as [string, string];
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return null;
    head.headers.push([name, line.slice(colon + 1).trim()]);
  }
  return head;
}

/** The value of a header (several are joined with `, `), or undefined. Names are case-insensitive. */
export function getHeader(headers: readonly [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  const values = headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  return values.length ? values.join(', ') : undefined;
}

/** Replaces every header of that name by one with the value (appended at the end when it was absent). */
export function setHeader(headers: [string, string][], name: string, value: string): void {
  const lower = name.toLowerCase();
  const index = headers.findIndex(([n]) => n.toLowerCase() === lower);
  removeHeader(headers, name);
  if (index === -1) headers.push([name, value]);
  else headers.splice(Math.min(index, headers.length), 0, [name, value]);
}

export function removeHeader(headers: [string, string][], name: string): void {
  const lower = name.toLowerCase();
  for (let i = headers.length - 1; i >= 0; i--) if ((headers[i] as [string, string])[0].toLowerCase() === lower) headers.splice(i, 1);
}

/** True when a header lists a token (`Connection: keep-alive, Upgrade` has `upgrade`). */
export function headerHasToken(headers: readonly [string, string][], name: string, token: string): boolean {
  const value = getHeader(headers, name);
  return value?.split(',').some((t) => t.trim().toLowerCase() === token) ?? false;
}

/** Whether the connection stays open after this request's exchange (HTTP/1.1 default yes, 1.0 default no). */
export function wantsKeepAlive(head: HttpHead): boolean {
  if (headerHasToken(head.headers, 'connection', 'close')) return false;
  if (head.version === '1.0') return headerHasToken(head.headers, 'connection', 'keep-alive');
  return true;
}

export function serializeHead(head: HttpHead): Buffer {
  const start =
    head.kind === 'request'
      ? `${head.method} ${head.url} HTTP/${head.version}`
      : `HTTP/${head.version} ${head.status} ${head.reason}`.trimEnd();
  const lines = [start, ...head.headers.map(([n, v]) => `${n}: ${v}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/**
 * A whole message with a `Content-Length` body (any `Transfer-Encoding` removed). `bodyless` is for
 * responses that carry no body whatever their headers say (to HEAD, 1xx, 204, 304): the head is kept as is.
 */
export function serializeMessage(message: HttpMessage, bodyless = false): Buffer {
  if (bodyless) return serializeHead(message);
  const headers = message.headers.map(([n, v]) => [n, v] as [string, string]);
  removeHeader(headers, 'transfer-encoding');
  removeHeader(headers, 'trailer');
  if (message.body.length > 0 || message.kind === 'response' || getHeader(message.headers, 'content-length') !== undefined) {
    setHeader(headers, 'Content-Length', String(message.body.length));
  }
  return Buffer.concat([serializeHead({ ...message, headers }), message.body]);
}

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  418: "I'm a teapot",
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return STATUS_TEXT[status] ?? 'Status';
}

/** The path of a request target, without the query (`/pay?x=1` → `/pay`; absolute form too). */
export function requestPath(url: string): string {
  let target = url;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(target);
  if (scheme) target = target.slice(scheme[0].length) || '/';
  const q = target.search(/[?#]/);
  return q === -1 ? target : target.slice(0, q);
}
