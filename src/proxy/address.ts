/** `HOST:PORT` addresses of listeners and upstreams. */
import { ProxyError } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]*):(\d{1,5})$/;

/**
 * Parses `127.0.0.1:7001`, `localhost:0`, `[::1]:80` or `:8080` (every interface). `what` names the
 * field in the error; a port of 0 is allowed only where the system may pick one (`allowZero`).
 */
export function parseHostPort(text: string, what: string, allowZero = false): HostPort {
  const match = HOST_PORT.exec(String(text).trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65535 || (!allowZero && port === 0)) {
    throw new ProxyError(`${what} ${JSON.stringify(text)} is not HOST:PORT; write it like 127.0.0.1:${allowZero ? '0' : '7001'}`, 400);
  }
  const rawHost = match[1] as string;
  const host = rawHost === '' ? '0.0.0.0' : rawHost.replace(/^\[|\]$/g, '');
  return { host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
