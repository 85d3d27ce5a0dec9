/**
 * Where the messages of an HTTP/1.x connection begin and end, followed on both directions without
 * building them: the state of a connection that is relayed as bytes while no HTTP toxic applies to it,
 * so that the HTTP relay can take it over between two exchanges when one is added.
 *
 * The framing parsers are the relay's own (./parser.ts); heads are read with the cheap scan of
 * ./framing.ts instead of being parsed. The connection is `between exchanges` when both directions sit
 * at a message boundary with nothing held and every request seen has had its final response: the relay
 * can then start as on a new connection. A pipelining client delays that moment until its pipeline
 * drains; an upgrade, a CONNECT or bytes that are not HTTP end the following for good.
 */
import { type BodyKind, requestBodyKind, responseBodyKind, scanFraming } from './framing.js';
import { HttpParser } from './parser.js';

const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
const LF_LF = Buffer.from('\n\n', 'latin1');

export class HttpBoundaries {
  private readonly requests: HttpParser;
  private readonly responses: HttpParser;
  /** methods of the requests still waiting for their final response, oldest first */
  private readonly waiting: string[] = [];
  /** the response being read is a final one (not 100 Continue): its end completes an exchange */
  private finalResponse = false;
  private completed = 0;
  private lost = false;

  constructor() {
    const onTunnel = () => {
      this.lost = true;
    };
    const ignore = () => {};
    this.requests = new HttpParser('request', {
      onHead: (raw, end) => this.onRequestHead(raw, end),
      onBody: ignore,
      onMessageEnd: ignore,
      onRaw: ignore,
      onTunnel,
    });
    this.responses = new HttpParser('response', {
      onHead: (raw, end) => this.onResponseHead(raw, end),
      onBody: ignore,
      onMessageEnd: () => {
        if (this.finalResponse) this.completed++;
        this.finalResponse = false;
      },
      onRaw: ignore,
      onTunnel,
    });
  }

  /** Bytes from the client, as they go to the upstream. */
  request(chunk: Buffer): void {
    if (!this.lost && !this.wholeMessage(chunk, 'request')) this.requests.push(chunk);
  }

  /** Bytes from the upstream, as they go to the client. */
  response(chunk: Buffer): void {
    if (!this.lost && !this.wholeMessage(chunk, 'response')) this.responses.push(chunk);
  }

  /**
   * The common case, read without the parser: a chunk that is exactly one whole message, its head ended by
   * CRLF CRLF, with no body or a Content-Length body. False (nothing done) for anything else.
   */
  private wholeMessage(chunk: Buffer, kind: 'request' | 'response'): boolean {
    if (!(kind === 'request' ? this.requests : this.responses).betweenMessages) return false;
    const end = chunk.indexOf(CRLF_CRLF);
    if (end === -1) return false;
    const bareEnd = chunk.indexOf(LF_LF);
    if (bareEnd !== -1 && bareEnd < end) return false; // a head ended by bare line feeds, earlier
    const framing = scanFraming(chunk, end, kind);
    const method = kind === 'request' ? framing?.method : this.waiting[0];
    if (!framing || method === undefined) return false;
    const body = kind === 'request' ? requestBodyKind(framing) : responseBodyKind(framing, method);
    const bodyLength = body.type === 'none' ? 0 : body.type === 'length' ? body.length : null;
    if (bodyLength === null || end + CRLF_CRLF.length + bodyLength !== chunk.length) return false;
    if (kind === 'request') this.waiting.push(method);
    else if (framing.status >= 200) {
      this.waiting.shift();
      this.completed++;
    }
    return true;
  }

  /** Whether the relay could take the connection over now. */
  get betweenExchanges(): boolean {
    return !this.lost && this.waiting.length === 0 && this.requests.betweenMessages && this.responses.betweenMessages;
  }

  /** Exchanges completed so far: the index of the next message in each direction. */
  get exchanges(): number {
    return this.completed;
  }

  /** The connection stopped being HTTP messages (an upgrade, a CONNECT, bytes that are not HTTP): no relay will take it. */
  get isLost(): boolean {
    return this.lost;
  }

  private onRequestHead(raw: Buffer, end: number): BodyKind | null {
    const framing = scanFraming(raw, end, 'request');
    if (!framing) return null;
    this.waiting.push(framing.method);
    return requestBodyKind(framing);
  }

  private onResponseHead(raw: Buffer, end: number): BodyKind | null {
    const framing = scanFraming(raw, end, 'response');
    if (!framing) return null;
    const method = this.waiting[0];
    if (method === undefined) return { type: 'tunnel', reason: 'a response to no request' };
    // informational responses (100 Continue) belong to the exchange; a 101 turns it into a tunnel
    if (framing.status >= 200 || framing.status === 101) {
      this.waiting.shift();
      this.finalResponse = true;
    }
    return responseBodyKind(framing, method);
  }
}
