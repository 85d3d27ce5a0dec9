/**
 * The HTTP layer of one connection: it parses the requests coming from the client (after the upstream
 * stream toxics) and the responses coming from the upstream (before the downstream stream toxics), and
 * applies the HTTP toxics to each message in the documented order (see ./action.ts).
 *
 * Responses go back to the client in the order of the requests (HTTP/1.1 pipelining), whether they
 * come from the upstream or from the proxy itself (an abort): each request gets a slot in the client
 * queue when its head arrives, filled later. Keep-alive connections stay in step because every body is
 * framed (Content-Length, chunked, until close) and consumed even when a message is discarded.
 *
 * A message is streamed through unchanged unless a toxic needs its whole body (a body rewrite); a
 * body larger than MAX_BODY_BYTES is then passed on unchanged and the toxic reports it once.
 */
import type { Socket } from 'node:net';
import type { Sink } from '../link.js';
import { mixSeed, seededRandom } from '../random.js';
import type { Stream, Toxic } from '../toxic.js';
import { ACTION_ORDER, type HttpAction, type LocalResponse, type TransformContext } from './action.js';
import { type BodyKind, headFraming, requestBodyKind, responseBodyKind } from './framing.js';
import { matches, type RequestInfo } from './match.js';
import {
  getHeader,
  type HttpHead,
  type HttpMessage,
  parseHead,
  reasonPhrase,
  requestPath,
  serializeHead,
  serializeMessage,
  wantsKeepAlive,
} from './message.js';
import { HttpParser, type ParserHandler } from './parser.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface RelayOwner {
  readonly id: number;
  readonly proxyName: string;
  readonly seed: number;
  /** the HTTP toxics that apply to this connection, in the order they were added */
  httpToxics(): Toxic[];
  ensureUpstream(): Socket;
  hasUpstream(): boolean;
  upstreamPending(): number;
  toClient(chunk: Buffer): void;
  endToClient(): void;
  endToUpstream(): void;
  warn(toxic: Toxic, message: string): void;
  changed(stream: Stream): void;
}

/** Bytes for one destination, in order; a segment can wait (a delay) and fills up as its message arrives. */
class Segment {
  chunks: Buffer[] = [];
  bytes = 0;
  complete = false;
  /** performance.now() before which it is not written */
  waitUntil = 0;
  delayedBy: Toxic[] = [];
  /** after this segment, close the connection (a local answer to a client that asked to close) */
  closeAfter = false;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }
}

/** Small neighbours are copied together up to this many bytes; larger chunks go out as they are. */
const JOIN_COPY_LIMIT = 16 * 1024;

/**
 * The chunks as few buffers as possible, in order: pieces that lie side by side in one read buffer (a
 * head and a body parsed from one read) are joined without a copy, small ones are copied together.
 */
export function joinChunks(chunks: Buffer[]): Buffer[] {
  if (chunks.length < 2) return chunks;
  const joined: Buffer[] = [];
  let run: Buffer[] = [];
  let runBytes = 0;
  const close = () => {
    if (run.length) joined.push(run.length === 1 ? (run[0] as Buffer) : Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const chunk of chunks) {
    const last = run[run.length - 1];
    if (last && last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset) {
      run[run.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + chunk.length);
      runBytes += chunk.length;
      continue;
    }
    if (run.length && runBytes + chunk.length > JOIN_COPY_LIMIT) close();
    run.push(chunk);
    runBytes += chunk.length;
  }
  close();
  return joined;
}

class OutQueue {
  private readonly segments: Segment[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly out: (chunk: Buffer) => void,
    private readonly onClose: () => void,
    private readonly onDrained: () => void,
  ) {}

  get buffered(): number {
    let total = 0;
    for (const s of this.segments) total += s.bytes;
    return total;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  add(segment: Segment): Segment {
    this.segments.push(segment);
    return segment;
  }

  flush(): void {
    if (this.closed) return;
    const now = performance.now();
    // what is due goes out in as few writes as possible (a message head and its body in one system call)
    const due: Buffer[] = [];
    let head = this.segments[0];
    while (head) {
      if (head.waitUntil > now) {
        this.write(due);
        this.schedule(head.waitUntil - now);
        return;
      }
      for (const chunk of head.chunks) due.push(chunk);
      head.chunks = [];
      head.bytes = 0;
      if (!head.complete) {
        this.write(due);
        return;
      }
      this.segments.shift();
      if (head.closeAfter) {
        this.write(due);
        this.closed = true;
        this.onClose();
        return;
      }
      head = this.segments[0];
    }
    this.write(due);
    this.onDrained();
  }

  private write(chunks: Buffer[]): void {
    for (const chunk of joinChunks(chunks)) this.out(chunk);
  }

  release(toxic: Toxic): void {
    for (const s of this.segments) {
      if (s.delayedBy.includes(toxic)) {
        s.waitUntil = 0;
        s.delayedBy = [];
      }
    }
    this.flush();
  }

  destroy(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.segments.length = 0;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(0, Math.ceil(ms)),
    );
  }
}

interface Selected {
  toxic: Toxic;
  action: HttpAction<unknown>;
}

interface Exchange {
  request: HttpHead;
  info: RequestInfo;
  keepAlive: boolean;
  clientSegment: Segment;
  /** requests sent upstream for it (a tamper may send none or several); null while not known yet */
  expected: number | null;
  /** final responses seen from the upstream */
  seen: number;
}

/** What is being done with the body of the message being parsed. */
type BodyMode =
  | { type: 'stream'; segment: Segment }
  | { type: 'discard' }
  | {
      type: 'collect';
      segment: Segment;
      head: HttpHead;
      rawHead: Buffer;
      raw: Buffer[];
      payload: Buffer[];
      size: number;
      actions: Selected[];
      exchange: Exchange;
    };

export class HttpRelay {
  private readonly requests: HttpParser;
  private readonly responses: HttpParser;
  private readonly toUpstream: OutQueue;
  private readonly toClient: OutQueue;
  /** exchanges whose upstream response is still to come, in order */
  private readonly awaiting: Exchange[] = [];
  private requestMode: BodyMode = { type: 'discard' };
  private responseMode: BodyMode = { type: 'discard' };
  private requestTunnel: Segment | null = null;
  private responseTunnel: Segment | null = null;
  private upgradePending = false;
  private clientEnded = false;
  private upstreamEnded = false;
  private finished = false;
  private requestIndex = 0;
  private responseIndex = 0;
  private readonly random;
  private collecting: Record<'request' | 'response', number> = { request: 0, response: 0 };

  readonly requestSink: Sink;

  /** `firstIndex`: exchanges the connection had before the relay took it over (the index of its first message) */
  constructor(
    private readonly owner: RelayOwner,
    firstIndex = 0,
  ) {
    this.requestIndex = firstIndex;
    this.responseIndex = firstIndex;
    this.random = seededRandom(mixSeed(owner.seed, owner.id, 0x4777));
    this.toUpstream = new OutQueue(
      (chunk) => {
        const socket = owner.ensureUpstream();
        if (!socket.destroyed && !socket.writableEnded) socket.write(chunk);
      },
      () => this.closeBoth(),
      () => {
        if (this.clientEnded) owner.endToUpstream();
        owner.changed('upstream');
      },
    );
    this.toClient = new OutQueue(
      (chunk) => owner.toClient(chunk),
      () => this.closeBoth(),
      () => {
        this.maybeEndClient();
        owner.changed('downstream');
      },
    );
    this.requests = new HttpParser('request', this.requestHandler());
    this.responses = new HttpParser('response', this.responseHandler());
    this.requestSink = {
      write: (chunk) => {
        this.requests.push(chunk);
        this.toUpstream.flush();
        this.toClient.flush();
      },
      end: () => {
        this.requests.end();
        this.clientEnded = true;
        if (this.requestTunnel) this.requestTunnel.complete = true;
        this.toUpstream.flush();
        this.maybeEndClient();
      },
      pending: () => this.toUpstream.buffered + this.requests.buffered + this.collecting.request + owner.upstreamPending(),
    };
  }

  /** Bytes held on the way to the client. */
  get responseBuffered(): number {
    return this.toClient.buffered + this.responses.buffered + this.collecting.response;
  }

  fromUpstream(chunk: Buffer): void {
    if (this.finished) return;
    this.responses.push(chunk);
    this.toClient.flush();
  }

  fromUpstreamEnd(): void {
    if (this.finished) return;
    this.responses.end();
    this.upstreamEnded = true;
    // requests that will never be answered: their slots are closed empty, so what follows can go out
    for (const exchange of this.awaiting.splice(0)) exchange.clientSegment.complete = true;
    if (this.responseTunnel) this.responseTunnel.complete = true;
    this.toClient.flush();
    this.maybeEndClient();
  }

  /** A removed delay toxic releases what it was holding. */
  toxicRemoved(toxic: Toxic): void {
    this.toUpstream.release(toxic);
    this.toClient.release(toxic);
  }

  destroy(): void {
    this.finished = true;
    this.toUpstream.destroy();
    this.toClient.destroy();
  }

  // ---------- requests ----------

  private requestHandler(): ParserHandler {
    return {
      onHead: (raw, end) => {
        const head = parseHead(raw.toString('latin1', 0, end), 'request');
        return head && this.onRequestHead(head, raw);
      },
      onBody: (raw, payload) => this.onBody(this.requestMode, raw, payload, 'request'),
      onMessageEnd: () => {
        const mode = this.requestMode;
        this.requestMode = { type: 'discard' };
        this.endMessage(mode, 'request');
        if (this.upgradePending) this.requests.tunnel('upgrade requested');
      },
      onRaw: (chunk) => {
        // outside a tunnel, raw bytes are blank lines between requests or a partial head at the end: dropped
        if (this.requests.isTunnel) this.requestTunnelSegment().push(chunk);
      },
      onTunnel: (reason) => {
        if (this.requestMode.type === 'stream') this.requestMode.segment.complete = true; // a CONNECT's own head
        this.requestMode = { type: 'discard' };
        this.requestTunnelSegment();
        // bytes that are not HTTP: the responses cannot be paired any more either
        if (!this.upgradePending && !/^CONNECT /.test(reason)) this.responses.tunnel(`requests stopped being HTTP (${reason})`);
      },
    };
  }

  private onRequestHead(head: HttpHead, raw: Buffer): BodyKind {
    const info: RequestInfo = { method: head.method, path: requestPath(head.url), headers: head.headers };
    const framing = headFraming(head);
    const bodyKind = requestBodyKind(framing);
    const clientSegment = this.toClient.add(new Segment());
    const exchange: Exchange = { request: head, info, keepAlive: wantsKeepAlive(head), clientSegment, expected: null, seen: 0 };
    if (framing.upgrade) this.upgradePending = true;
    const actions = this.pick('upstream', info, head.headers);
    const abort = actions.find((a) => a.action.kind === 'abort');
    if (abort) {
      const local = (abort.action.respond as (a: unknown) => LocalResponse)(abort.toxic.attributes);
      // a client waiting for "100 Continue" may never send the body: answer and close
      const expectsContinue = /100-continue/i.test(getHeader(head.headers, 'expect') ?? '');
      const close = !exchange.keepAlive || expectsContinue || bodyKind.type === 'tunnel';
      clientSegment.push(localResponse(local, head, close));
      clientSegment.complete = true;
      clientSegment.closeAfter = close;
      exchange.expected = 0;
      this.upgradePending = false;
      this.requestMode = { type: 'discard' };
      this.requestIndex++;
      return bodyKind.type === 'tunnel' ? { type: 'none' } : bodyKind;
    }
    this.awaiting.push(exchange);
    const segment = this.toUpstream.add(new Segment());
    this.applyDelay(segment, actions);
    this.owner.ensureUpstream();
    const rewrites = actions.filter((a) => a.action.kind !== 'delay');
    const needsBody = rewrites.some((a) => a.action.needsBody?.(a.toxic.attributes) ?? false);
    if (needsBody && bodyKind.type !== 'tunnel') {
      this.requestMode = { type: 'collect', segment, head, rawHead: raw, raw: [], payload: [], size: 0, actions: rewrites, exchange };
    } else {
      exchange.expected = 1;
      const changed = this.applyHeadActions(head, rewrites);
      segment.push(changed ? serializeHead(head) : raw);
      this.requestMode = { type: 'stream', segment };
      this.requestIndex++;
    }
    return bodyKind;
  }

  // ---------- responses ----------

  private responseHandler(): ParserHandler {
    return {
      onHead: (raw, end) => {
        const head = parseHead(raw.toString('latin1', 0, end), 'response');
        return head && this.onResponseHead(head, raw);
      },
      onBody: (raw, payload) => this.onBody(this.responseMode, raw, payload, 'response'),
      onMessageEnd: () => {
        const mode = this.responseMode;
        this.responseMode = { type: 'discard' };
        this.endMessage(mode, 'response');
      },
      onRaw: (chunk) => {
        if (this.responses.isTunnel) this.responseTunnelSegment().push(chunk);
      },
      onTunnel: () => {
        if (this.responseMode.type === 'stream') {
          // after a 101 or a CONNECT's 2xx the response's own slot carries the tunnel
          this.responseTunnel = this.responseMode.segment;
        } else this.responseTunnelSegment();
        if (!this.requests.isTunnel) this.requests.tunnel('the response switched protocols');
      },
    };
  }

  private onResponseHead(head: HttpHead, raw: Buffer): BodyKind {
    const exchange = this.awaiting[0];
    if (!exchange) {
      // a response to no request we know of: from here on the connection is passed through raw
      this.responseTunnelSegment().push(raw);
      return { type: 'tunnel', reason: 'a response to no request' };
    }
    const bodyKind = responseBodyKind(headFraming(head), exchange.request.method);
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      exchange.clientSegment.push(raw); // informational: part of the same exchange
      return bodyKind;
    }
    exchange.seen++;
    if (exchange.seen > 1) {
      // the upstream answered a duplicated request again: the client asked once, it hears once
      this.responseMode = { type: 'discard' };
      this.settle(exchange);
      return bodyKind;
    }
    if (head.status === 101 || bodyKind.type === 'tunnel') this.upgradePending = false;
    const actions = this.pick('downstream', exchange.info, head.headers, head.status);
    const segment = exchange.clientSegment;
    const abort = actions.find((a) => a.action.kind === 'abort');
    if (abort && bodyKind.type !== 'tunnel') {
      const local = (abort.action.respond as (a: unknown) => LocalResponse)(abort.toxic.attributes);
      segment.push(localResponse(local, exchange.request, !exchange.keepAlive));
      segment.complete = true;
      if (!exchange.keepAlive) segment.closeAfter = true;
      this.responseMode = { type: 'discard' };
      this.settle(exchange);
      this.responseIndex++;
      return bodyKind;
    }
    this.applyDelay(segment, actions);
    const rewrites = actions.filter((a) => a.action.kind !== 'delay' && a.action.kind !== 'abort');
    const needsBody = rewrites.some((a) => a.action.needsBody?.(a.toxic.attributes) ?? false);
    if (bodyKind.type === 'close') segment.closeAfter = true;
    if (needsBody && bodyKind.type !== 'tunnel') {
      this.responseMode = { type: 'collect', segment, head, rawHead: raw, raw: [], payload: [], size: 0, actions: rewrites, exchange };
    } else {
      const changed = bodyKind.type !== 'tunnel' && this.applyHeadActions(head, rewrites);
      segment.push(changed ? serializeHead(head) : raw);
      this.responseMode = { type: 'stream', segment };
      this.responseIndex++;
    }
    return bodyKind;
  }

  // ---------- both directions ----------

  private onBody(mode: BodyMode, raw: Buffer, payload: Buffer[], phase: 'request' | 'response'): void {
    if (mode.type === 'stream') mode.segment.push(raw);
    else if (mode.type === 'collect') {
      mode.raw.push(raw);
      for (const p of payload) {
        mode.payload.push(p);
        mode.size += p.length;
      }
      this.collecting[phase] += raw.length;
      if (mode.size > MAX_BODY_BYTES) this.giveUpCollecting(mode, phase);
    }
  }

  /** A body too large to rewrite: it goes on unchanged, and each toxic says so once. */
  private giveUpCollecting(mode: Extract<BodyMode, { type: 'collect' }>, phase: 'request' | 'response'): void {
    for (const { toxic } of mode.actions) {
      this.owner.warn(
        toxic,
        `a ${phase} body over ${MAX_BODY_BYTES} bytes was passed on unchanged (${toxic.name} rewrites bodies up to 1 MiB)`,
      );
    }
    mode.segment.push(mode.rawHead);
    for (const r of mode.raw) mode.segment.push(r);
    this.collecting[phase] = 0;
    const streaming: BodyMode = { type: 'stream', segment: mode.segment };
    if (phase === 'request') {
      mode.exchange.expected = 1;
      this.requestMode = streaming;
      this.requestIndex++;
    } else {
      this.responseMode = streaming;
      this.responseIndex++;
    }
  }

  private endMessage(mode: BodyMode, phase: 'request' | 'response'): void {
    if (mode.type === 'stream') {
      mode.segment.complete = true;
      if (phase === 'response') this.settleFirst();
    } else if (mode.type === 'collect') {
      this.collecting[phase] = 0;
      const message: HttpMessage = { ...mode.head, headers: mode.head.headers.map(([n, v]) => [n, v]), body: Buffer.concat(mode.payload) };
      const index = phase === 'request' ? this.requestIndex++ : this.responseIndex++;
      const done = (messages: HttpMessage[]) => {
        if (this.finished) return;
        for (const m of messages) {
          // the status decides, after a rewrite: a 204 replaced by a 200 with a body carries it
          const bodyless =
            phase === 'response' && (mode.exchange.request.method === 'HEAD' || m.status === 204 || m.status === 304 || m.status < 200);
          mode.segment.push(serializeMessage(m, bodyless));
        }
        mode.segment.complete = true;
        if (phase === 'request') {
          mode.exchange.expected = messages.length;
          if (messages.length === 0) {
            // the request was dropped: no answer will come; its slot closes empty
            this.awaiting.splice(this.awaiting.indexOf(mode.exchange), 1);
            mode.exchange.clientSegment.complete = true;
          }
        } else this.settle(mode.exchange);
        this.toUpstream.flush();
        this.toClient.flush();
      };
      const result = this.transform([message], mode.actions, phase, index, mode.exchange.request);
      if (result instanceof Promise) result.then(done, () => done([message]));
      else done(result);
      return;
    }
    if (phase === 'response') this.settleFirst();
  }

  /** An exchange whose response has completed: done with it once every expected response came. */
  private settle(exchange: Exchange): void {
    if (exchange.expected !== null && exchange.seen >= exchange.expected) {
      const index = this.awaiting.indexOf(exchange);
      if (index !== -1) this.awaiting.splice(index, 1);
    }
  }

  private settleFirst(): void {
    const first = this.awaiting[0];
    if (first && first.seen > 0) this.settle(first);
  }

  /** Runs the rewrites in order over the message (and what earlier ones made of it); async only when a module is. */
  private transform(
    messages: HttpMessage[],
    actions: Selected[],
    phase: 'request' | 'response',
    index: number,
    request: HttpHead,
  ): HttpMessage[] | Promise<HttpMessage[]> {
    for (let i = 0; i < actions.length; i++) {
      const { toxic, action } = actions[i] as Selected;
      const ctx: TransformContext = {
        phase,
        connectionId: this.owner.id,
        index,
        proxyName: this.owner.proxyName,
        random: this.random,
        request,
        warn: (text) => this.owner.warn(toxic, text),
        prepared: toxic.prepared,
      };
      const unchanged = (m: HttpMessage, error: unknown) => {
        this.owner.warn(toxic, `${(error as Error)?.message ?? String(error)}; the ${phase} passed unchanged`);
        return [m];
      };
      const out: (HttpMessage[] | Promise<HttpMessage[]>)[] = messages.map((m) => {
        if (!action.transform) {
          action.head?.(m, toxic.attributes);
          return [m];
        }
        try {
          const result = action.transform(m, toxic.attributes, ctx);
          return result instanceof Promise ? result.catch((error) => unchanged(m, error)) : result;
        } catch (error) {
          return unchanged(m, error);
        }
      });
      if (out.some((o) => o instanceof Promise)) {
        const rest = actions.slice(i + 1);
        return Promise.all(out).then((lists) => this.transform(lists.flat(), rest, phase, index, request));
      }
      messages = (out as HttpMessage[][]).flat();
    }
    return messages;
  }

  /** Replace and patch without a body rewrite change the head only; true when they changed it. */
  private applyHeadActions(head: HttpHead, actions: Selected[]): boolean {
    let changed = false;
    for (const { toxic, action } of actions) {
      if (action.head) {
        action.head(head, toxic.attributes);
        changed = true;
      }
    }
    return changed;
  }

  private applyDelay(segment: Segment, actions: Selected[]): void {
    let total = 0;
    for (const { toxic, action } of actions) {
      if (action.kind !== 'delay' || !action.delayMs) continue;
      total += action.delayMs(toxic.attributes, this.random);
      segment.delayedBy.push(toxic);
    }
    if (total > 0) segment.waitUntil = performance.now() + total;
  }

  /** The HTTP toxics of one phase that match this message and win their percent draw, in action order. */
  private pick(stream: Stream, info: RequestInfo, headers: readonly [string, string][], status?: number): Selected[] {
    const selected: Selected[] = [];
    for (const toxic of this.owner.httpToxics()) {
      if (toxic.stream !== stream) continue;
      const action = toxic.def.http as HttpAction<unknown> | undefined;
      if (!action) continue;
      const match = action.match(toxic.attributes);
      if (!matches(match, { ...info, headers }, status)) continue;
      if (match.percent < 100 && this.random() * 100 >= match.percent) continue;
      selected.push({ toxic, action });
    }
    return selected.sort((a, b) => ACTION_ORDER.indexOf(a.action.kind) - ACTION_ORDER.indexOf(b.action.kind) || a.toxic.seq - b.toxic.seq);
  }

  private requestTunnelSegment(): Segment {
    if (!this.requestTunnel) this.requestTunnel = this.toUpstream.add(new Segment());
    return this.requestTunnel;
  }

  private responseTunnelSegment(): Segment {
    if (!this.responseTunnel) this.responseTunnel = this.toClient.add(new Segment());
    return this.responseTunnel;
  }

  private maybeEndClient(): void {
    if (this.finished || !this.toClient.isEmpty) return;
    const nothingMoreToCome =
      this.upstreamEnded || (this.clientEnded && this.awaiting.length === 0 && this.toUpstream.isEmpty && !this.owner.hasUpstream());
    if (!nothingMoreToCome) return;
    this.finished = true;
    this.owner.endToClient();
  }

  private closeBoth(): void {
    this.finished = true;
    this.owner.endToClient();
    this.owner.endToUpstream();
  }
}

/** The bytes of an answer the proxy gives itself. */
function localResponse(local: LocalResponse, request: HttpHead, close: boolean): Buffer {
  const body = Buffer.from(local.body);
  const headers: [string, string][] = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ...Object.entries(local.headers).map(([n, v]) => [n, v] as [string, string]),
    ['Content-Length', String(body.length)],
    ['Connection', close ? 'close' : 'keep-alive'],
  ];
  const head = serializeHead({
    kind: 'response',
    method: '',
    url: '',
    status: local.status,
    reason: reasonPhrase(local.status),
    version: '1.1',
    headers,
  });
  return request.method === 'HEAD' ? head : Buffer.concat([head, body]);
}
