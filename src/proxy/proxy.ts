/**
 * A proxy: one TCP listener forwarding every accepted connection to one upstream, with an ordered list
 * of toxics that apply to its connections (new and live). The Toxiproxy API server and a run's
 * endpoint targets both use it through `startProxy()`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { formatHostPort, type HostPort, parseHostPort } from './address.js';
import { Connection, type ConnectionOwner, loadHttpRelay, noTraffic, type Traffic } from './connection.js';
import { listenErrorMessage, ProxyError } from './errors.js';
import { newProxyId } from './ids.js';
import { tuneAllocatorForRelaying } from './malloc-tuning.js';
import { newProxySeed } from './random.js';
import { buildToxic, parseAttributes, parseToxicity, STREAMS, type Stream, type Toxic, type ToxicJson, toxicJson } from './toxic.js';
import { loadToxicTypes } from './toxics/load.js';

export interface ProxyOptions {
  /** a name for the API and for messages; default `proxy-<port>` */
  name?: string;
  /** `HOST:PORT` to listen on; port 0 picks a free one (see `port`) */
  listen: string;
  /** `HOST:PORT` every connection is forwarded to */
  upstream: string;
  /** source address of the connections to the upstream (a transparent interception exempts it) */
  localAddress?: string;
  /** listen at once (default true); a disabled proxy refuses connections */
  enabled?: boolean;
  /** seed of every random draw (toxicity, jitter, loss...); default random, shown in `seed` */
  seed?: number;
  /**
   * `auto` (default): connections that start with an HTTP/1.x request are parsed, so HTTP toxics reach
   * them, live keep-alive connections included; `tcp`: bytes only (HTTP toxics have no effect)
   */
  protocol?: 'auto' | 'tcp';
  /** bytes one direction of one connection may hold in toxics and buffers before its reader is paused (default 4 MiB) */
  maxBufferedBytes?: number;
  /** time limit to connect to the upstream (default 10s) */
  connectTimeoutMs?: number;
  /** high-water mark of the sockets' stream buffers (default: Node's, 16 KiB) */
  socketHighWaterMark?: number;
  /** where a toxic's problems go, once per toxic (default: stderr) */
  onWarning?: (message: string) => void;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ProxyStats {
  /** connections accepted since start */
  accepted: number;
  /** connections open now */
  active: number;
  /** bytes of every connection since start, closed ones included */
  traffic: Traffic;
}

function addTraffic(total: Traffic, more: Traffic): void {
  for (const stream of STREAMS) {
    total[stream].received += more[stream].received;
    total[stream].sent += more[stream].sent;
  }
}

const DEFAULT_BUFFER = 4 * 1024 * 1024;
const live = new Map<string, FaultProxy>();

/** A proxy of this process by its id (what the journal records for an embedded proxy). */
export function findLiveProxy(id: string): FaultProxy | undefined {
  return live.get(id);
}

export class FaultProxy implements ConnectionOwner {
  /** unique across processes: a journal entry names the proxy it changed */
  readonly id = newProxyId();
  readonly seed: number;
  readonly protocol: 'auto' | 'tcp';
  readonly maxBufferedBytes: number;
  readonly connectTimeoutMs: number;
  readonly socketHighWaterMark: number | undefined;
  readonly localAddress: string | undefined;
  private _name: string;
  private listenAddress: HostPort;
  private _upstream: HostPort;
  private server: Server | null = null;
  private boundPort = 0;
  private readonly connections = new Set<Connection>();
  private readonly list: Toxic[] = [];
  private seq = 0;
  private nextConnectionId = 1;
  private readonly warned = new Set<Toxic>();
  private readonly onWarning: (message: string) => void;
  private accepted = 0;
  private readonly closedTraffic = noTraffic();
  private closed = false;

  constructor(options: ProxyOptions) {
    this.listenAddress = parseHostPort(options.listen, 'listen', true);
    this._upstream = parseHostPort(options.upstream, 'upstream');
    this._name = options.name ?? `proxy-${this.listenAddress.port}`;
    this.seed = options.seed ?? newProxySeed();
    this.protocol = options.protocol ?? 'auto';
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_BUFFER;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.socketHighWaterMark = options.socketHighWaterMark;
    this.localAddress = options.localAddress;
    this.onWarning = options.onWarning ?? ((message) => process.stderr.write(`faultline proxy: ${message}\n`));
  }

  get name(): string {
    return this._name;
  }

  /** The port it listens on (the chosen one when `listen` asked for port 0); 0 while disabled. */
  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.listenAddress.host;
  }

  get listen(): string {
    return formatHostPort({ host: this.listenAddress.host, port: this.boundPort || this.listenAddress.port });
  }

  get upstream(): string {
    return formatHostPort(this._upstream);
  }

  get upstreamAddress(): HostPort {
    return this._upstream;
  }

  get enabled(): boolean {
    return this.server !== null;
  }

  get stats(): ProxyStats {
    const traffic = noTraffic();
    for (const counts of [this.closedTraffic, ...[...this.connections].map((c) => c.traffic())]) addTraffic(traffic, counts);
    return { accepted: this.accepted, active: this.connections.size, traffic };
  }

  /** Starts listening; a 500 ProxyError with the cause and the fix when it cannot. */
  async enable(): Promise<void> {
    if (this.server || this.closed) return;
    tuneAllocatorForRelaying();
    const server = createServer(
      {
        allowHalfOpen: true,
        pauseOnConnect: true,
        noDelay: true,
        ...(this.socketHighWaterMark ? { highWaterMark: this.socketHighWaterMark } : {}),
      },
      (socket) => this.accept(socket),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new ProxyError(listenErrorMessage(formatHostPort(this.listenAddress), error, `proxy ${this._name}`), 500)),
      );
      server.listen(this.listenAddress.port, this.listenAddress.host, () => resolve());
    });
    server.on('error', (error) => this.onWarning(`proxy ${this._name}: ${error.message}`));
    this.server = server;
    this.boundPort = (server.address() as { port: number }).port;
    // a listener asked on port 0 keeps the port it got across disable/enable
    if (this.listenAddress.port === 0) this.listenAddress = { ...this.listenAddress, port: this.boundPort };
  }

  /** Stops listening and closes every connection (Toxiproxy's `enabled: false`). */
  async disable(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const connection of [...this.connections]) {
      connection.destroy();
      this.connectionClosed(connection);
    }
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Changes listen, upstream or enabled; a changed address restarts the listener and drops connections. */
  async update(changes: { listen?: string; upstream?: string; enabled?: boolean }): Promise<void> {
    const listen = changes.listen === undefined ? undefined : parseHostPort(changes.listen, 'listen', true);
    const upstream = changes.upstream === undefined ? undefined : parseHostPort(changes.upstream, 'upstream');
    const moved =
      (listen && formatHostPort(listen) !== formatHostPort(this.listenAddress)) ||
      (upstream && formatHostPort(upstream) !== formatHostPort(this._upstream));
    const wasEnabled = this.enabled;
    if (moved) await this.disable();
    if (listen) this.listenAddress = listen;
    if (upstream) this._upstream = upstream;
    const enable = changes.enabled ?? wasEnabled;
    if (enable) await this.enable();
    else await this.disable();
  }

  rename(name: string): void {
    this._name = name;
  }

  // ---------- toxics ----------

  /** Adds a toxic; it applies to live connections too. 400/409 ProxyError on bad input or a taken name. */
  async addToxic(input: unknown): Promise<ToxicJson> {
    await loadToxicTypes();
    const toxic = buildToxic(input, this.seq + 1);
    if (this.list.some((t) => t.name === toxic.name)) throw new ProxyError(`toxic already exists: ${toxic.name}`, 409);
    if (toxic.layer === 'http') await loadHttpRelay();
    if (toxic.def.prepare) {
      try {
        toxic.prepared = await toxic.def.prepare(toxic.attributes);
      } catch (error) {
        throw new ProxyError((error as Error).message, 400);
      }
    }
    if (this.list.some((t) => t.name === toxic.name)) throw new ProxyError(`toxic already exists: ${toxic.name}`, 409);
    this.seq = toxic.seq;
    this.list.push(toxic);
    for (const connection of this.connections) connection.toxicAdded(toxic);
    return toxicJson(toxic);
  }

  /** Updates a toxic's attributes (merged: omitted ones keep their values) and toxicity. */
  updateToxic(name: string, changes: unknown): ToxicJson {
    const toxic = this.toxic(name);
    if (!changes || typeof changes !== 'object' || Array.isArray(changes))
      throw new ProxyError('bad request body: expected a JSON object', 400);
    const body = changes as Record<string, unknown>;
    for (const key of Object.keys(body)) {
      if (!['attributes', 'toxicity', 'name', 'type', 'stream'].includes(key)) throw new ProxyError(`unknown toxic field "${key}"`, 400);
    }
    if (body.type !== undefined && body.type !== toxic.type)
      throw new ProxyError('the type of a toxic cannot be changed; remove it and add another', 400);
    if (body.stream !== undefined && String(body.stream).toLowerCase() !== toxic.stream)
      throw new ProxyError('the stream of a toxic cannot be changed; remove it and add another', 400);
    const toxicity = body.toxicity === undefined ? toxic.toxicity : parseToxicity(body.toxicity);
    let attributes = toxic.attributes;
    let input = toxic.input;
    if (body.attributes !== undefined) {
      if (typeof body.attributes !== 'object' || body.attributes === null || Array.isArray(body.attributes))
        throw new ProxyError('attributes must be a JSON object', 400);
      input = { ...toxic.input, ...(body.attributes as Record<string, unknown>) };
      attributes = parseAttributes(toxic.def, toxic.type, input);
    }
    toxic.toxicity = toxicity;
    toxic.attributes = attributes;
    toxic.input = input;
    for (const connection of this.connections) connection.toxicUpdated(toxic);
    return toxicJson(toxic);
  }

  /** Removes a toxic; what it held on live connections is passed on. False when there was none of that name. */
  removeToxic(name: string): boolean {
    const index = this.list.findIndex((t) => t.name === name);
    if (index === -1) return false;
    const [toxic] = this.list.splice(index, 1) as [Toxic];
    for (const connection of this.connections) connection.toxicRemoved(toxic);
    this.warned.delete(toxic);
    return true;
  }

  removeAllToxics(): void {
    for (const toxic of [...this.list]) this.removeToxic(toxic.name);
  }

  toxics(): ToxicJson[] {
    return this.list.map(toxicJson);
  }

  getToxic(name: string): ToxicJson {
    return toxicJson(this.toxic(name));
  }

  toJSON(): ProxyJson {
    return { name: this._name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxics() };
  }

  /** Stops listening and closes every connection; the proxy cannot be used again. */
  async close(): Promise<void> {
    await this.disable();
    this.closed = true;
    live.delete(this.id);
  }

  // ---------- ConnectionOwner ----------

  streamToxics(stream: Stream): Toxic[] {
    return this.list.filter((t) => t.layer === 'stream' && t.stream === stream);
  }

  httpToxics(): Toxic[] {
    return this.list.filter((t) => t.layer === 'http');
  }

  warn(toxic: Toxic, message: string): void {
    if (this.warned.has(toxic)) return;
    this.warned.add(toxic);
    this.onWarning(`proxy ${this._name}, toxic ${toxic.name}: ${message} (reported once)`);
  }

  connectionClosed(connection: Connection): void {
    // counted once: a destroyed connection reports its close again later
    if (this.connections.delete(connection)) addTraffic(this.closedTraffic, connection.traffic());
  }

  private toxic(name: string): Toxic {
    const toxic = this.list.find((t) => t.name === name);
    if (!toxic) throw new ProxyError(`toxic not found: ${name}`, 404);
    return toxic;
  }

  private accept(socket: Socket): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    this.accepted++;
    const connection = new Connection(this, this.nextConnectionId++, socket);
    this.connections.add(connection);
    connection.start();
  }
}

/** Creates a proxy and starts listening (unless `enabled: false`). */
export async function startProxy(options: ProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxy(options);
  if (options.enabled !== false) await proxy.enable();
  live.set(proxy.id, proxy);
  return proxy;
}
