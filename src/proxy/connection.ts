/**
 * One accepted client connection and its upstream connection: two links (upstream, downstream), and
 * on HTTP/1.x connections an HTTP relay between them once an HTTP toxic applies.
 *
 *   raw:      client ==up link==> upstream             client <==down link== upstream
 *   watching: the same, with the exchanges' boundaries followed on the way (./http/boundaries.ts)
 *   http:     client ==up link==> relay ==> upstream   client <==down link== relay <== upstream
 *
 * The first bytes of the client decide the mode ("sniffing"): an HTTP/1.x request line makes an HTTP
 * connection, anything else (or the upstream speaking first) a raw one. An HTTP connection that no
 * HTTP toxic applies to is relayed as bytes ("watching": parsing every message would cost a third of
 * the requests per second); when one is added, the relay takes it over at the first moment it is
 * between two exchanges, so HTTP toxics reach live keep-alive connections too. While an HTTP toxic
 * applies from the start, the upstream is dialled at the first request, so that a request the proxy
 * aborts never reaches the upstream; otherwise it is dialled at once, in parallel with the sniffing.
 */
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import type { HostPort } from './address.js';
import { HttpBoundaries } from './http/boundaries.js';
import { sniffRequest } from './http/parser.js';
import type { HttpRelay, RelayOwner } from './http/relay.js';
import { Link, type LinkOwner, socketSink } from './link.js';
import { mixSeed, seededRandom } from './random.js';
import type { Stream, Toxic } from './toxic.js';

/** What a connection needs from its proxy. */
export interface ConnectionOwner {
  readonly name: string;
  readonly seed: number;
  readonly upstreamAddress: HostPort;
  readonly localAddress: string | undefined;
  readonly protocol: 'auto' | 'tcp';
  readonly maxBufferedBytes: number;
  readonly connectTimeoutMs: number;
  readonly socketHighWaterMark: number | undefined;
  streamToxics(stream: Stream): Toxic[];
  httpToxics(): Toxic[];
  warn(toxic: Toxic, message: string): void;
  connectionClosed(connection: Connection): void;
}

type Mode = 'sniffing' | 'raw' | 'watching' | 'http' | 'closed';

/** Bytes of each direction: read from its source, and written to its destination after the toxics. */
export type Traffic = Record<Stream, { received: number; sent: number }>;

export function noTraffic(): Traffic {
  return { upstream: { received: 0, sent: 0 }, downstream: { received: 0, sent: 0 } };
}

/** The HTTP relay's module: loaded with the first HTTP toxic (loadHttpRelay), so a proxy that relays bytes never loads it. */
let relayModule: typeof import('./http/relay.js') | null = null;

export async function loadHttpRelay(): Promise<void> {
  relayModule ??= await import('./http/relay.js');
}

function newRelay(owner: RelayOwner, firstIndex = 0): HttpRelay {
  // an HTTP toxic exists only once addToxic has loaded the module: a relay is only made for one
  if (!relayModule) throw new Error('the HTTP relay was not loaded before an HTTP toxic applied (loadHttpRelay)');
  return new relayModule.HttpRelay(owner, firstIndex);
}

/** How long a connection waits for the client's first bytes before treating it as raw (only while an HTTP toxic is active). */
const SNIFF_WAIT_MS = 300;
/** How long an incomplete first line that could still be an HTTP request line is given to complete. */
const SNIFF_LINE_MS = 25;

export class Connection implements LinkOwner, RelayOwner {
  private mode: Mode = 'sniffing';
  private upstream: Socket | null = null;
  private upstreamConnected = false;
  private up: Link | null = null;
  private down: Link | null = null;
  private relay: HttpRelay | null = null;
  /** while watching: where the exchanges begin and end; and whether an HTTP toxic waits for the relay */
  private boundaries: HttpBoundaries | null = null;
  private relayWanted = false;
  private readonly draws = new Map<number, number>();
  private readonly paused: Record<Stream, boolean> = { upstream: false, downstream: false };
  private sniffed: Buffer[] = [];
  private sniffTimer: NodeJS.Timeout | null = null;
  private clientClosed = false;
  private upstreamClosed = false;

  constructor(
    private readonly owner: ConnectionOwner,
    readonly id: number,
    private readonly client: Socket,
  ) {}

  get proxyName(): string {
    return this.owner.name;
  }

  /** Bytes so far, counted by the sockets (so the pipe fast path and the HTTP relay count too). */
  traffic(): Traffic {
    return {
      upstream: { received: this.client.bytesRead, sent: this.upstream?.bytesWritten ?? 0 },
      downstream: { received: this.upstream?.bytesRead ?? 0, sent: this.client.bytesWritten },
    };
  }

  get seed(): number {
    return this.owner.seed;
  }

  start(): void {
    const client = this.client;
    client.setNoDelay(true);
    client.on('error', (error: NodeJS.ErrnoException) => this.abort(this.upstream, error));
    client.on('close', () => {
      this.clientClosed = true;
      this.maybeFinished();
    });
    client.on('drain', () => this.changed('downstream'));
    if (this.owner.protocol === 'tcp') {
      this.dial();
      this.relayBytes('raw', null, null);
      return;
    }
    const lazy = this.httpToxics().length > 0;
    if (!lazy) this.dial();
    else this.sniffTimer = setTimeout(() => this.decide('no'), SNIFF_WAIT_MS);
    client.on('data', this.onSniffData);
    client.once('end', this.onSniffEnd);
    client.resume();
  }

  /** Whether a toxic applies to this connection: one draw per connection and toxic, kept for its life. */
  applies(toxic: Toxic): boolean {
    let draw = this.draws.get(toxic.seq);
    if (draw === undefined) {
      draw = seededRandom(mixSeed(this.owner.seed, this.id, toxic.seq, 0x70c1c))();
      this.draws.set(toxic.seq, draw);
    }
    return draw < toxic.toxicity;
  }

  // ---------- toxics changing while the connection lives ----------

  toxicAdded(toxic: Toxic): void {
    if (toxic.layer !== 'stream') {
      if (this.mode === 'watching' && this.applies(toxic)) this.wantRelay();
      return;
    }
    if (this.mode !== 'raw' && this.mode !== 'watching' && this.mode !== 'http') return;
    if (!this.applies(toxic)) return;
    this.linkOf(toxic.stream)?.addToxic(toxic);
    this.changed(toxic.stream);
  }

  toxicRemoved(toxic: Toxic): void {
    if (toxic.layer === 'stream') this.linkOf(toxic.stream)?.removeToxic(toxic);
    else this.relay?.toxicRemoved(toxic);
    // removed before the relay could take the connection over: it stays bytes
    if (this.mode === 'watching' && this.httpToxics().length === 0) this.relayWanted = false;
  }

  toxicUpdated(toxic: Toxic): void {
    if (toxic.layer !== 'stream') {
      if (this.mode === 'watching' && this.applies(toxic)) this.wantRelay();
      return;
    }
    const link = this.linkOf(toxic.stream);
    if (!link) return;
    // a changed toxicity moves the connection in or out consistently: its draw is kept
    if (this.applies(toxic)) {
      link.addToxic(toxic);
      link.toxicUpdated(toxic);
    } else link.removeToxic(toxic);
    this.changed(toxic.stream);
  }

  // ---------- LinkOwner / RelayOwner ----------

  httpToxics(): Toxic[] {
    return this.owner.httpToxics().filter((t) => this.applies(t));
  }

  warn(toxic: Toxic, message: string): void {
    this.owner.warn(toxic, message);
  }

  /** Closes both sides after what was written is flushed. */
  close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.clearSniff();
    for (const socket of [this.client, this.upstream]) if (socket) endThenDestroy(socket);
    this.teardown();
  }

  /** Resets both sides with a TCP RST. */
  reset(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.clearSniff();
    for (const socket of [this.client, this.upstream]) if (socket) resetSocket(socket);
    this.teardown();
  }

  /** Destroys both sides at once (the proxy is closing or disabled). */
  destroy(): void {
    this.mode = 'closed';
    this.clearSniff();
    this.client.destroy();
    this.upstream?.destroy();
    this.teardown();
  }

  /** Back-pressure: pause the reader of a direction when it holds more than the bound, resume below half. */
  changed(stream: Stream): void {
    const source = stream === 'upstream' ? this.client : this.upstream;
    if (!source || source.destroyed || this.mode === 'sniffing' || this.mode === 'closed') return;
    const link = this.linkOf(stream);
    if (!link || link.isPiping) {
      this.paused[stream] = false;
      return;
    }
    let held = link.buffered;
    if (this.relay) held += stream === 'upstream' ? 0 : this.relay.responseBuffered;
    const bound = this.owner.maxBufferedBytes;
    if (!this.paused[stream] && held > bound) {
      this.paused[stream] = true;
      source.pause();
    } else if (this.paused[stream] && held <= bound / 2) {
      this.paused[stream] = false;
      source.resume();
    }
  }

  /** The upstream socket, dialled now if it was not yet (HTTP connections dial at the first forwarded request). */
  ensureUpstream(): Socket {
    if (!this.upstream) {
      this.dial();
      if (this.mode === 'http') this.feedRelayFromUpstream();
    }
    return this.upstream as Socket;
  }

  hasUpstream(): boolean {
    return this.upstream !== null;
  }

  upstreamPending(): number {
    return this.upstream?.writableLength ?? 0;
  }

  /** The relay's output toward the client goes through the downstream link. */
  toClient(chunk: Buffer): void {
    this.down?.write(chunk);
  }

  endToClient(): void {
    this.down?.end();
  }

  endToUpstream(): void {
    const socket = this.upstream;
    if (socket && !socket.destroyed && !socket.writableEnded) socket.end();
  }

  // ---------- internals ----------

  /** The stream toxics of a direction that apply to this connection. */
  private applyingToxics(stream: Stream): Toxic[] {
    return this.owner.streamToxics(stream).filter((t) => this.applies(t));
  }

  private linkOf(stream: Stream): Link | null {
    return stream === 'upstream' ? this.up : this.down;
  }

  private dial(): void {
    const { host, port } = this.owner.upstreamAddress;
    // highWaterMark reaches the socket's Duplex at run time, though @types/node does not list it for connect()
    const options = {
      host,
      port,
      localAddress: this.owner.localAddress,
      allowHalfOpen: true,
      noDelay: true,
      ...(this.owner.socketHighWaterMark ? { highWaterMark: this.owner.socketHighWaterMark } : {}),
    };
    const socket = connect(options as NetConnectOpts);
    this.upstream = socket;
    socket.setTimeout(this.owner.connectTimeoutMs, () => socket.destroy(new Error(`connect to ${host}:${port} timed out`)));
    socket.once('connect', () => {
      this.upstreamConnected = true;
      socket.setTimeout(0);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // an upstream that cannot be reached: the client sees a reset, as close as a proxy can get to "refused"
      if (!this.upstreamConnected) this.abort(this.client, Object.assign(error, { code: 'ECONNRESET' }));
      else this.abort(this.client, error);
    });
    socket.on('close', () => {
      this.upstreamClosed = true;
      this.maybeFinished();
    });
    socket.on('drain', () => this.changed('upstream'));
    if (this.mode === 'sniffing') socket.on('data', this.onEarlyUpstreamData);
  }

  private readonly onSniffData = (chunk: Buffer) => {
    this.sniffed.push(chunk);
    const all = this.sniffed.length === 1 ? chunk : Buffer.concat(this.sniffed);
    this.sniffed = [all];
    const verdict = sniffRequest(all);
    if (verdict !== 'maybe') this.decide(verdict);
    else {
      if (this.sniffTimer) clearTimeout(this.sniffTimer);
      this.sniffTimer = setTimeout(() => this.decide('no'), SNIFF_LINE_MS);
    }
  };

  private readonly onSniffEnd = () => this.decide('no', true);

  /** The upstream spoke before the client: not HTTP. */
  private readonly onEarlyUpstreamData = (chunk: Buffer) => {
    this.upstream?.pause();
    this.upstream?.off('data', this.onEarlyUpstreamData);
    this.decide('no', false, chunk);
  };

  private clearSniff(): void {
    if (this.sniffTimer) clearTimeout(this.sniffTimer);
    this.sniffTimer = null;
    this.client.off('data', this.onSniffData);
    this.client.off('end', this.onSniffEnd);
    this.upstream?.off('data', this.onEarlyUpstreamData);
  }

  private decide(verdict: 'yes' | 'no', clientEnded = false, upstreamFirst: Buffer | null = null): void {
    if (this.mode !== 'sniffing') return;
    this.client.pause();
    this.upstream?.pause();
    this.clearSniff();
    const initial = this.sniffed.length ? Buffer.concat(this.sniffed) : null;
    this.sniffed = [];
    if (verdict === 'yes' && this.httpToxics().length > 0) this.becomeHttp(initial);
    else if (verdict === 'yes') {
      if (!this.upstream) this.dial();
      this.relayBytes('watching', initial, null);
    } else {
      if (!this.upstream) this.dial();
      this.relayBytes('raw', initial, upstreamFirst);
    }
    if (clientEnded) this.up?.end();
  }

  /**
   * Both directions relayed as bytes (piped while no stream toxic applies). `watching`: an HTTP connection no
   * HTTP toxic applies to, its exchanges followed on the way until one does (maybeStartRelay).
   */
  private relayBytes(mode: 'raw' | 'watching', clientInitial: Buffer | null, upstreamInitial: Buffer | null): void {
    this.mode = mode;
    const upstream = this.upstream as Socket;
    upstream.off('data', this.onEarlyUpstreamData);
    const boundaries = mode === 'watching' ? new HttpBoundaries() : null;
    this.boundaries = boundaries;
    const observer = (direction: 'request' | 'response') =>
      boundaries &&
      ((chunk: Buffer) => {
        boundaries[direction](chunk);
        this.maybeStartRelay();
      });
    this.up = new Link(
      this,
      'upstream',
      socketSink(() => this.upstream),
      this.client,
      upstream,
      observer('request'),
    );
    this.down = new Link(
      this,
      'downstream',
      socketSink(() => this.client),
      upstream,
      this.client,
      observer('response'),
    );
    this.up.start(this.applyingToxics('upstream'), clientInitial);
    this.down.start(this.applyingToxics('downstream'), upstreamInitial);
    this.changed('upstream');
    this.changed('downstream');
  }

  private wantRelay(): void {
    this.relayWanted = true;
    this.maybeStartRelay();
  }

  /** The relay takes a watched connection over when an HTTP toxic wants it and the connection is between exchanges. */
  private maybeStartRelay(): void {
    if (!this.relayWanted || this.mode !== 'watching' || !this.boundaries?.betweenExchanges) return;
    const upstream = this.upstream as Socket;
    // a side that ended has no exchange to come
    if (this.client.readableEnded || upstream.readableEnded || upstream.writableEnded) return;
    this.mode = 'http';
    const relay = newRelay(this, this.boundaries.exchanges);
    this.relay = relay;
    this.boundaries = null;
    this.up?.handOver({ sink: relay.requestSink });
    this.down?.handOver({ detachSource: true });
    this.feedRelayFromUpstream();
  }

  private becomeHttp(initial: Buffer | null): void {
    this.mode = 'http';
    const relay = newRelay(this);
    this.relay = relay;
    this.up = new Link(this, 'upstream', relay.requestSink, this.client, null);
    this.down = new Link(
      this,
      'downstream',
      socketSink(() => this.client),
    );
    this.down.start(this.applyingToxics('downstream'), null);
    if (this.upstream) this.feedRelayFromUpstream();
    this.up.start(this.applyingToxics('upstream'), initial);
    this.changed('upstream');
  }

  private feedRelayFromUpstream(): void {
    const upstream = this.upstream as Socket;
    const relay = this.relay as HttpRelay;
    upstream.off('data', this.onEarlyUpstreamData);
    upstream.on('data', (chunk: Buffer) => {
      relay.fromUpstream(chunk);
      this.changed('downstream');
    });
    upstream.on('end', () => relay.fromUpstreamEnd());
    upstream.resume();
  }

  /** One side failed: the other side is reset when this one was (ECONNRESET), destroyed otherwise. */
  private abort(other: Socket | null, error: NodeJS.ErrnoException): void {
    if (this.mode === 'closed') {
      // already closing: make sure nothing lingers
      other?.destroy();
      return;
    }
    this.mode = 'closed';
    this.clearSniff();
    if (other && !other.destroyed) {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resetSocket(other);
      else other.destroy();
    }
    this.client.destroy();
    this.upstream?.destroy();
    this.teardown();
  }

  private teardown(): void {
    this.up?.destroy();
    this.down?.destroy();
    this.relay?.destroy();
  }

  private maybeFinished(): void {
    if (!this.clientClosed) return;
    if (this.upstream && !this.upstreamClosed) return;
    if (this.mode !== 'closed') {
      this.mode = 'closed';
      this.clearSniff();
      this.teardown();
    }
    this.owner.connectionClosed(this);
  }
}

function resetSocket(socket: Socket): void {
  try {
    if (!socket.destroyed) socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function endThenDestroy(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), 2000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (socket.writableFinished || socket.writableEnded) {
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
    return;
  }
  socket.end(() => socket.destroy());
}
