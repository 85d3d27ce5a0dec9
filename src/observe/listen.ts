/** Where a small HTTP server of faultline listens (`--metrics-port`, `--alerts-port`): `PORT` or `HOST:PORT`. */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../util/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `9464` listens on 127.0.0.1 (loopback: nothing is exposed unless asked), `0.0.0.0:9464` everywhere. */
export function parseListen(text: string, flag: string): ListenAddress {
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:\s[\]]+):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new UserError(`${flag} ${text}: expected a port such as 9464, or HOST:PORT such as 0.0.0.0:9464`);
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

/** Starts listening; an address in use is a UserError that names the flag. */
export function listen(server: Server, address: ListenAddress, flag: string): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the address is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new UserError(`${flag} ${address.host}:${address.port}: cannot listen: ${why}`));
    };
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      const bound = server.address() as AddressInfo;
      resolve({ host: address.host, port: bound.port });
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export function urlOf(address: ListenAddress, path: string): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host === '0.0.0.0' ? '127.0.0.1' : address.host;
  return `http://${host}:${address.port}${path}`;
}

/** The request body, up to `limit` bytes; null when it is larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
