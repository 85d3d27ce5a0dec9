/** Real loopback servers and clients for the proxy tests: echo, sink, HTTP, raw sockets. */
import { createServer as createHttpServer, type IncomingMessage, type RequestOptions, request, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export interface TestServer {
  port: number;
  /** connections accepted so far */
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** Echoes every byte back; half-close aware (ends after the client ends). */
export async function echoServer(): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  const port = await listen(server);
  return {
    port,
    get connections() {
      return state.connections;
    },
    sockets,
    close: closer(server, sockets),
  };
}

/** A server that runs `onConnection` for each socket. */
export async function tcpServer(onConnection: (socket: Socket) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  const port = await listen(server);
  return {
    port,
    get connections() {
      return state.connections;
    },
    sockets,
    close: closer(server, sockets),
  };
}

export function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export interface Collected {
  data: Buffer;
  /** 'end' (FIN), 'error' with the code, or 'timeout' */
  how: 'end' | 'error' | 'timeout';
  code?: string;
  /** ms from the start of collecting to the first byte, and to the end */
  firstByteMs: number | null;
  endMs: number;
}

/** Reads until the socket ends, errors, or `timeoutMs` passes. */
export function collect(socket: Socket, timeoutMs = 5000): Promise<Collected> {
  const start = performance.now();
  const chunks: Buffer[] = [];
  let first: number | null = null;
  return new Promise((resolve) => {
    const done = (how: Collected['how'], code?: string) => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ data: Buffer.concat(chunks), how, code, firstByteMs: first, endMs: performance.now() - start });
    };
    const onData = (chunk: Buffer) => {
      first ??= performance.now() - start;
      chunks.push(chunk);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('data', onData);
    socket.once('end', () => done('end'));
    socket.once('error', (error: NodeJS.ErrnoException) => done('error', error.code));
    socket.once('close', () => setTimeout(() => done('end'), 0));
  });
}

/** Resolves when `n` bytes have been read from the socket (or rejects after the timeout). */
export function readBytes(socket: Socket, n: number, timeoutMs = 5000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('data', onData);
      reject(new Error(`read ${have} of ${n} bytes within ${timeoutMs}ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (have >= n) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
  });
}

export interface HttpTestServer extends TestServer {
  /** requests received, in order */
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
}

/** An HTTP server that records requests and answers with `handler`. */
export async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<HttpTestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const requests: HttpTestServer['requests'] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server as unknown as Server);
  return {
    port,
    get connections() {
      return state.connections;
    },
    sockets,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface HttpResult {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  ms: number;
}

export function httpRequest(port: number, options: RequestOptions & { body?: string } = {}, timeoutMs = 5000): Promise<HttpResult> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
          ms: performance.now() - start,
        });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(options.body);
  });
}

export const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
