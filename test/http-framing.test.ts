/**
 * The cheap framing scan (what follows an HTTP connection while no HTTP toxic applies to it) reads the
 * same framing as the relay's full parse, for generated heads of every shape that matters: Content-Length
 * (repeated, invalid), Transfer-Encoding (chunked or not, folded), Connection and Upgrade in any letter
 * case. And the exchange boundaries it finds are where a byte stream of whole messages really splits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpBoundaries } from '../src/proxy/http/boundaries.js';
import { headFraming, scanFraming } from '../src/proxy/http/framing.js';
import { parseHead } from '../src/proxy/http/message.js';

/** A header name in a random letter case. */
const anyCase = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

const framingHeader = fc.oneof(
  fc.tuple(anyCase('content-length'), fc.oneof(fc.nat({ max: 99999 }).map(String), fc.constantFrom('12, 12', '-1', 'abc', ' 7 '))),
  fc.tuple(anyCase('transfer-encoding'), fc.constantFrom('chunked', 'gzip, chunked', 'gzip', 'chunked, gzip', 'Chunked')),
  fc.tuple(anyCase('connection'), fc.constantFrom('keep-alive', 'Upgrade', 'keep-alive, upgrade', 'close')),
  fc.tuple(anyCase('upgrade'), fc.constantFrom('websocket', 'h2c', '')),
);
const otherHeader = fc.tuple(
  fc.constantFrom('Host', 'Content-Type', 'Cookie', 'X-Trace', 'Transfer-Encodings', 'Content-Lengthy', 'Up'),
  fc.stringMatching(/^[ -~]{0,20}$/),
);
const startLine = (kind: 'request' | 'response') =>
  kind === 'request'
    ? fc
        .tuple(fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'CONNECT', 'PATCH'), fc.constantFrom('/', '/pay?x=1', '*'))
        .map(([m, u]) => `${m} ${u} HTTP/1.1`)
    : fc.constantFrom(100, 101, 200, 204, 304, 404, 503).map((s) => `HTTP/1.1 ${s} Reason`);

/** A head as bytes: its lines joined with CRLF or LF, now and then a folded continuation line. */
const rawHead = (kind: 'request' | 'response') =>
  fc
    .tuple(
      startLine(kind),
      fc.array(fc.tuple(fc.oneof(framingHeader, otherHeader), fc.option(fc.constantFrom(' chunked', '\tmore'), { freq: 8 })), {
        maxLength: 8,
      }),
      fc.constantFrom('\r\n', '\n'),
    )
    .map(([start, headers, eol]) => {
      const lines = [start];
      for (const [[name, value], folded] of headers) {
        lines.push(`${name}: ${value}`);
        if (folded) lines.push(folded);
      }
      return lines.join(eol);
    });

describe('the framing scan', () => {
  for (const kind of ['request', 'response'] as const) {
    it(`reads the framing of any ${kind} head as the full parse does`, () => {
      fc.assert(
        fc.property(rawHead(kind), (text) => {
          const parsed = parseHead(text, kind);
          const scanned = scanFraming(Buffer.from(`${text}\r\n\r\n`, 'latin1'), text.length, kind);
          if (!parsed) return; // the relay refuses such a head: it tunnels, and so does the connection
          expect(scanned).toEqual(headFraming(parsed));
        }),
        { seed: 1406, numRuns: 2000 },
      );
    });
  }

  it('refuses a start line that is not HTTP/1.x and a header line without a name', () => {
    const scan = (text: string, kind: 'request' | 'response') => scanFraming(Buffer.from(`${text}\r\n\r\n`), text.length, kind);
    expect(scan('SSH-2.0-OpenSSH', 'request')).toBeNull();
    expect(scan('GET / HTTP/1.1\r\n: no name', 'request')).toBeNull();
    expect(scan('HTTP/1.1 2000 Too long', 'response')).toBeNull();
    expect(scan('HTTP/1.1 200 OK\r\nContent-Length: 3', 'response')).toMatchObject({ status: 200, contentLength: '3' });
  });
});

describe('exchange boundaries', () => {
  const exchange = [
    ['GET /a HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'],
    [
      'POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n',
    ],
    ['HEAD /c HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n'],
    ['PUT /d HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody', 'HTTP/1.1 204 No Content\r\n\r\n'],
  ];

  it('is between exchanges exactly when every request has had its whole final response, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (cuts) => {
        const boundaries = new HttpBoundaries();
        let cut = 0;
        const feed = (text: string, direction: 'request' | 'response') => {
          const bytes = Buffer.from(text);
          for (let at = 0; at < bytes.length; ) {
            const size = cuts[cut++ % cuts.length] as number;
            boundaries[direction](bytes.subarray(at, at + size));
            at += size;
            if (at < bytes.length) expect(boundaries.betweenExchanges).toBe(false);
          }
        };
        for (const [i, [request, response]] of exchange.entries()) {
          feed(request as string, 'request');
          expect(boundaries.betweenExchanges).toBe(false); // the response is still to come
          feed(response as string, 'response');
          expect(boundaries.betweenExchanges).toBe(true);
          expect(boundaries.exchanges).toBe(i + 1);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('waits for a pipeline to drain, and gives up for good on an upgrade', () => {
    const boundaries = new HttpBoundaries();
    boundaries.request(Buffer.from('GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n'));
    boundaries.response(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(boundaries.betweenExchanges).toBe(false);
    boundaries.response(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(boundaries.betweenExchanges).toBe(true);
    boundaries.request(Buffer.from('GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
    boundaries.response(Buffer.from('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
    boundaries.request(Buffer.from('GET / HTTP/1.1\r\n\r\n')); // inside the tunnel: not a request
    boundaries.response(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(boundaries.isLost).toBe(true);
    expect(boundaries.betweenExchanges).toBe(false);
  });
});
