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
import { type BodyKind, type Framing, requestBodyKind, responseBodyKind, scanFraming } from './framing.js';
import { HttpParser, headEnd } from './parser.js';

type Kind = 'request' | 'response';

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
    const handler = (kind: Kind) => ({
      onHead: (raw: Buffer, end: number) => {
        const head = this.readHead(kind, raw, end);
        if (head) this.took(kind, head.framing);
        return head?.body ?? null;
      },
      onBody: ignore,
      onMessageEnd: kind === 'response' ? () => this.responseEnded() : ignore,
      onRaw: ignore,
      onTunnel,
    });
    this.requests = new HttpParser('request', handler('request'));
    this.responses = new HttpParser('response', handler('response'));
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
   * The common case, read without the parser: a chunk that is exactly one whole message, with no body or a
   * Content-Length body. False (nothing recorded) for anything else, which the parser then reads.
   */
  private wholeMessage(chunk: Buffer, kind: Kind): boolean {
    if (!(kind === 'request' ? this.requests : this.responses).betweenMessages) return false;
    const found = headEnd(chunk);
    const head = found && this.readHead(kind, chunk, found.end);
    if (!found || !head) return false;
    const bodyLength = head.body.type === 'none' ? 0 : head.body.type === 'length' ? head.body.length : null;
    if (bodyLength === null || found.length + bodyLength !== chunk.length) return false;
    this.took(kind, head.framing);
    if (kind === 'response') this.responseEnded();
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

  /** A head's framing and how its body is framed; null when it is not HTTP/1.x. Nothing is recorded yet. */
  private readHead(kind: Kind, raw: Buffer, end: number): { framing: Framing; body: BodyKind } | null {
    const framing = scanFraming(raw, end, kind);
    if (!framing) return null;
    if (kind === 'request') return { framing, body: requestBodyKind(framing) };
    const method = this.waiting[0];
    const body: BodyKind =
      method === undefined ? { type: 'tunnel', reason: 'a response to no request' } : responseBodyKind(framing, method);
    return { framing, body };
  }

  /** A head read: a request waits for its answer; a final response answers the oldest waiting request. */
  private took(kind: Kind, framing: Framing): void {
    if (kind === 'request') this.waiting.push(framing.method);
    // informational responses (100 Continue) belong to the exchange; a 101 turns it into a tunnel
    else if (framing.status >= 200 || framing.status === 101) {
      this.waiting.shift();
      this.finalResponse = true;
    }
  }

  /** A response's end: a final one completes its exchange. */
  private responseEnded(): void {
    if (this.finalResponse) this.completed++;
    this.finalResponse = false;
  }
}
