/**
 * The http framing of message-level toxics: an HTTP/1.x request or response, framed by the connection's
 * HTTP relay (../http/relay.ts), as the tamper module sees it and gives it back.
 *
 *   { kind: 'request', method, url, headers, body }   or   { kind: 'response', status, reason, headers, body }
 *
 * `headers` is a plain object with lower-case names; `body` a Buffer (de-chunked). A module may return
 * the body as a Buffer, a string, or any other value (sent as JSON), and may omit fields it keeps.
 */
import type { HttpHead, HttpMessage } from '../http/message.js';

export interface ModuleHttpMessage {
  kind: 'request' | 'response';
  method?: string;
  url?: string;
  status?: number;
  reason?: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function toModuleMessage(message: HttpMessage): ModuleHttpMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headers) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return message.kind === 'request'
    ? { kind: 'request', method: message.method, url: message.url, headers, body: message.body }
    : { kind: 'response', status: message.status, reason: message.reason, headers, body: message.body };
}

/** A module's answer back to a message; throws a TypeError naming what is wrong. */
export function fromModuleMessage(value: unknown, original: HttpHead): HttpMessage {
  if (!value || typeof value !== 'object' || Buffer.isBuffer(value)) {
    throw new TypeError('the tamper module returned something that is not an HTTP message object ({ headers, body, ... })');
  }
  const m = value as Partial<ModuleHttpMessage> & { body?: unknown };
  const headers: [string, string][] = m.headers
    ? Object.entries(m.headers).map(([n, v]) => [n, String(v)] as [string, string])
    : original.headers.map(([n, v]) => [n, v] as [string, string]);
  let body: Buffer;
  if (m.body === undefined || m.body === null) body = Buffer.alloc(0);
  else if (Buffer.isBuffer(m.body)) body = m.body;
  else if ((m.body as unknown) instanceof Uint8Array) body = Buffer.from(m.body as Uint8Array);
  else if (typeof m.body === 'string') body = Buffer.from(m.body);
  else body = Buffer.from(JSON.stringify(m.body));
  return {
    kind: original.kind,
    method: m.method ?? original.method,
    url: m.url ?? original.url,
    status: m.status ?? original.status,
    reason: m.reason ?? original.reason,
    version: original.version,
    headers,
    body,
  };
}
