/**
 * The Toxiproxy v2 HTTP API over a collection of our proxies, so Toxiproxy's clients (toxiproxy-cli,
 * toxiproxy-node-client, testcontainers...) drive `faultline proxy` unchanged. Same paths, JSON shapes
 * and status codes (see docs/proxy.md for the differences):
 *
 *   GET    /version                         200 {"version": "2.12.0"}
 *   GET    /proxies                         200 {name: proxy, ...}
 *   POST   /proxies                         201 proxy | 400 | 409 | 500 (cannot listen)
 *   POST   /populate                        201 {"proxies": [...]}, toxics accepted (Toxiproxy ignores them)
 *   GET    /proxies/{name}                  200 | 404
 *   POST|PATCH /proxies/{name}              200 (listen, upstream, enabled)
 *   DELETE /proxies/{name}                  204
 *   GET    /proxies/{name}/toxics           200 [toxic, ...]
 *   POST   /proxies/{name}/toxics           200 toxic | 400 | 404 | 409
 *   GET    /proxies/{name}/toxics/{toxic}   200 | 404
 *   POST|PATCH /proxies/{name}/toxics/{toxic}  200 (attributes merged, toxicity)
 *   DELETE /proxies/{name}/toxics/{toxic}   204
 *   POST   /reset                           204 (every proxy enabled, every toxic removed)
 *   GET    /metrics                         200 Prometheus text: Toxiproxy's byte counters (./metrics.ts)
 *
 * Errors are `{"error": "...", "status": N}`. A request whose User-Agent starts with `Mozilla/` gets 403.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { didYouMean } from '../../util/suggest.js';
import { formatHostPort, parseHostPort } from '../address.js';
import { listenErrorMessage, ProxyError } from '../errors.js';
import { newRequestId } from '../ids.js';
import { type FaultProxy, type ProxyJson, startProxy } from '../proxy.js';
import { mixSeed } from '../random.js';
import { loadToxicTypes } from '../toxics/load.js';
import { asObject, goDecode } from './go-decode.js';
import { renderMetrics } from './metrics.js';
import { decodeToxicBody } from './toxic-body.js';

/** The Toxiproxy API version this server is compatible with (what /version answers). */
export const TOXIPROXY_VERSION = '2.12.0';

const PROXY_FIELDS = ['name', 'listen', 'upstream', 'enabled', 'toxics'];

export interface ProxySpec {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: unknown[] | undefined;
}

/** Checks a proxy as a client sent it (POST /proxies, /populate, a config file); 400 ProxyError otherwise. */
export function parseProxySpec(raw: unknown, where = ''): ProxySpec {
  const at = where ? `${where}: ` : '';
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ProxyError(`${at}bad request body: expected a proxy object`, 400);
  const body = raw as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!PROXY_FIELDS.includes(key))
      throw new ProxyError(
        `${at}unknown proxy field "${key}"${didYouMean(key, PROXY_FIELDS)}; known fields: ${PROXY_FIELDS.join(', ')}`,
        400,
      );
  }
  if (typeof body.name !== 'string' || body.name === '') throw new ProxyError(`${at}missing required field: name`, 400);
  if (!/^[A-Za-z0-9._~-]+$/.test(body.name))
    throw new ProxyError(`${at}proxy name ${JSON.stringify(body.name)} must be letters, digits, ".", "_", "~" or "-"`, 400);
  if (typeof body.upstream !== 'string' || body.upstream === '') throw new ProxyError(`${at}missing required field: upstream`, 400);
  const listen = body.listen === undefined || body.listen === '' ? '127.0.0.1:0' : body.listen;
  if (typeof listen !== 'string') throw new ProxyError(`${at}listen must be a string HOST:PORT`, 400);
  parseHostPort(listen, `${at}listen`, true);
  parseHostPort(body.upstream, `${at}upstream`);
  // null is "not given", as Toxiproxy reads it (the Go client sends "toxics": null)
  if (body.enabled != null && typeof body.enabled !== 'boolean') throw new ProxyError(`${at}enabled must be true or false`, 400);
  if (body.toxics != null && !Array.isArray(body.toxics)) throw new ProxyError(`${at}toxics must be an array`, 400);
  return {
    name: body.name,
    listen,
    upstream: body.upstream,
    enabled: body.enabled !== false,
    toxics: (body.toxics ?? undefined) as unknown[] | undefined,
  };
}

/** The proxies of one server, by name. */
export class ProxyCollection {
  private readonly proxies = new Map<string, FaultProxy>();

  constructor(private readonly options: { seed?: number; onWarning?: (message: string) => void } = {}) {}

  /** Reports something the server accepted but a user should see (an ignored field...). */
  warn(message: string): void {
    (this.options.onWarning ?? ((m: string) => process.stderr.write(`faultline proxy: ${m}\n`)))(message);
  }

  list(): FaultProxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): FaultProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new ProxyError(`proxy not found: ${name}`, 404);
    return proxy;
  }

  /** Creates a proxy (and its toxics); 409 when the name is taken, 500 when it cannot listen. */
  async create(spec: ProxySpec): Promise<FaultProxy> {
    if (this.proxies.has(spec.name)) throw new ProxyError(`proxy already exists: ${spec.name}`, 409);
    // one seed for the server, mixed with each proxy's name so that proxies do not repeat each other's draws
    const seed = this.options.seed === undefined ? undefined : mixSeed(this.options.seed, ...Buffer.from(spec.name));
    const proxy = await startProxy({
      name: spec.name,
      listen: spec.listen,
      upstream: spec.upstream,
      enabled: spec.enabled,
      seed,
      onWarning: this.options.onWarning,
    });
    if (this.proxies.has(spec.name)) {
      await proxy.close();
      throw new ProxyError(`proxy already exists: ${spec.name}`, 409);
    }
    this.proxies.set(spec.name, proxy);
    try {
      for (const toxic of spec.toxics ?? []) await proxy.addToxic(toxic);
    } catch (error) {
      this.proxies.delete(spec.name);
      await proxy.close();
      throw error;
    }
    return proxy;
  }

  /**
   * Toxiproxy's populate: every entry is checked before any is created; a proxy of the same name with
   * the same listen and upstream is kept, one that differs is replaced. Unlike Toxiproxy, `toxics` are
   * applied: a proxy given `toxics` ends up with exactly those.
   */
  async populate(raw: unknown): Promise<ProxyJson[]> {
    if (!Array.isArray(raw)) throw new ProxyError('bad request body: expected a JSON array of proxies', 400);
    const specs = raw.map((entry, i) => parseProxySpec(this.decodeProxy(entry, `proxy ${i + 1}`), `proxy ${i + 1}`));
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) throw new ProxyError(`proxy ${spec.name} is listed twice`, 400);
      names.add(spec.name);
    }
    const done: ProxyJson[] = [];
    for (const spec of specs) {
      try {
        const existing = this.proxies.get(spec.name);
        if (
          existing &&
          sameAddress(existing.listen, spec.listen) &&
          existing.upstream === formatHostPort(parseHostPort(spec.upstream, 'upstream'))
        ) {
          if (spec.enabled !== existing.enabled) await existing.update({ enabled: spec.enabled });
          if (spec.toxics) {
            existing.removeAllToxics();
            for (const toxic of spec.toxics) await existing.addToxic(toxic);
          }
          done.push(existing.toJSON());
          continue;
        }
        if (existing) await this.remove(spec.name);
        done.push((await this.create(spec)).toJSON());
      } catch (error) {
        throw Object.assign(error as Error, { proxies: done });
      }
    }
    return done;
  }

  /** A proxy body read as Toxiproxy reads it (any key case, nulls unset, unknown keys ignored with a warning). */
  decodeProxy(raw: unknown, what = 'proxy'): unknown {
    const body = asObject(raw);
    return body ? goDecode(body, PROXY_FIELDS, what, (m) => this.warn(m)) : raw;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.close();
  }

  /** Toxiproxy's reset: every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      proxy.removeAllToxics();
      if (!proxy.enabled) await proxy.enable();
    }
  }

  async closeAll(): Promise<void> {
    const proxies = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(proxies.map((p) => p.close()));
  }

  toJSON(): Record<string, ProxyJson> {
    return Object.fromEntries(this.list().map((p) => [p.name, p.toJSON()]));
  }
}

function sameAddress(current: string, wanted: string): boolean {
  const a = parseHostPort(current, 'listen', true);
  const b = parseHostPort(wanted, 'listen', true);
  return a.host === b.host && (b.port === 0 || a.port === b.port);
}

export interface ApiServerOptions {
  host?: string;
  port?: number;
  collection: ProxyCollection;
}

export interface ApiServer {
  /** `http://127.0.0.1:8474` */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ProxyError('bad request body: larger than 1 MiB', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ProxyError('bad request body: not valid JSON', 400));
      }
    });
  });
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'X-Toxiproxy-Request-Id': newRequestId(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  const status = error instanceof ProxyError ? error.status : 500;
  const body: Record<string, unknown> = { error: (error as Error).message ?? String(error), status };
  const proxies = (error as { proxies?: unknown }).proxies;
  if (proxies !== undefined) body.proxies = proxies;
  send(res, status, body);
}

/** The routes: [method(s), pattern, handler]; handlers return [status, body]. */
type Handler = (params: string[], body: () => Promise<unknown>) => Promise<[number, unknown?]>;

function routes(collection: ProxyCollection): [string[], RegExp, Handler][] {
  const proxy = (name: string) => collection.get(name);
  const warn = (message: string) => collection.warn(message);
  return [
    [['GET'], /^\/version$/, async () => [200, { version: TOXIPROXY_VERSION, server: 'faultline' }]],
    [
      ['POST'],
      /^\/reset$/,
      async () => {
        await collection.reset();
        return [204];
      },
    ],
    [['GET'], /^\/proxies$/, async () => [200, collection.toJSON()]],
    [
      ['POST'],
      /^\/proxies$/,
      async (_p, body) => [201, (await collection.create(parseProxySpec(collection.decodeProxy(await body())))).toJSON()],
    ],
    [['POST'], /^\/populate$/, async (_p, body) => [201, { proxies: await collection.populate(await body()) }]],
    [['GET'], /^\/proxies\/([^/]+)$/, async ([name]) => [200, proxy(name as string).toJSON()]],
    [
      ['POST', 'PATCH'],
      /^\/proxies\/([^/]+)$/,
      async ([name], body) => {
        const target = proxy(name as string);
        const changes = asObject((await body()) ?? {});
        if (!changes) throw new ProxyError('bad request body: expected a JSON object', 400);
        const c = collection.decodeProxy(changes) as Record<string, unknown>;
        if (c.name !== undefined && c.name !== target.name)
          throw new ProxyError('a proxy cannot be renamed; delete it and create another', 400);
        if (c.enabled !== undefined && typeof c.enabled !== 'boolean') throw new ProxyError('enabled must be true or false', 400);
        for (const key of ['listen', 'upstream'] as const) {
          if (c[key] !== undefined && typeof c[key] !== 'string') throw new ProxyError(`${key} must be a string HOST:PORT`, 400);
        }
        await target.update({
          listen: c.listen as string | undefined,
          upstream: c.upstream as string | undefined,
          enabled: c.enabled as boolean | undefined,
        });
        return [200, target.toJSON()];
      },
    ],
    [
      ['DELETE'],
      /^\/proxies\/([^/]+)$/,
      async ([name]) => {
        await collection.remove(name as string);
        return [204];
      },
    ],
    [['GET'], /^\/proxies\/([^/]+)\/toxics$/, async ([name]) => [200, proxy(name as string).toxics()]],
    [
      ['POST'],
      /^\/proxies\/([^/]+)\/toxics$/,
      async ([name], body) => {
        await loadToxicTypes(); // decoding reads the toxic type's attribute names
        return [200, await proxy(name as string).addToxic(decodeToxicBody(await body(), warn))];
      },
    ],
    [['GET'], /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, async ([name, toxic]) => [200, proxy(name as string).getToxic(toxic as string)]],
    [
      ['POST', 'PATCH'],
      /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      async ([name, toxic], body) => {
        const target = proxy(name as string);
        const { type } = target.getToxic(toxic as string);
        return [200, target.updateToxic(toxic as string, decodeToxicBody((await body()) ?? {}, warn, type))];
      },
    ],
    [
      ['DELETE'],
      /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      async ([name, toxic]) => {
        if (!proxy(name as string).removeToxic(toxic as string)) throw new ProxyError(`toxic not found: ${toxic}`, 404);
        return [204];
      },
    ],
  ];
}

/** Serves the API; rejects with a ProxyError (status 500) naming the cause when it cannot listen. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const table = routes(options.collection);
  const server: Server = createServer((req, res) => {
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      req.resume();
      send(res, 403, { error: 'requests from browsers are not allowed (User-Agent Mozilla/...)', status: 403 });
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://api').pathname.replace(/\/+$/, '') || '/');
    const method = req.method ?? 'GET';
    if (path === '/metrics' && method === 'GET') {
      req.resume();
      const text = renderMetrics(options.collection.list());
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    let pathMatched = false;
    for (const [methods, pattern, handler] of table) {
      const m = pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (!methods.includes(method)) continue;
      handler(m.slice(1), () => readBody(req))
        .then(([status, body]) => {
          req.resume();
          send(res, status, body);
        })
        .catch((error) => {
          req.resume();
          sendError(res, error);
        });
      return;
    }
    req.resume();
    send(res, pathMatched ? 405 : 404, {
      error: pathMatched ? `method ${method} not allowed on ${path}` : `no such endpoint: ${path}`,
      status: pathMatched ? 405 : 404,
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ProxyError(listenErrorMessage(formatHostPort({ host, port: options.port ?? 8474 }), error, 'the proxy API'), 500)),
    );
    server.listen(options.port ?? 8474, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${formatHostPort({ host, port })}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
