/** A small client of the Toxiproxy v2 HTTP API (ours or Toxiproxy's), on node:http, for the faults. */
import { request } from 'node:http';
import type { ProxyJson } from '../proxy.js';
import type { ToxicInput, ToxicJson } from '../toxic.js';

export interface ApiResponse {
  status: number;
  body: unknown;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One JSON request; rejects with an ApiError naming the API when it cannot be reached. */
export function apiRequest(api: string, method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<ApiResponse> {
  const url = new URL(path, api.endsWith('/') ? api : `${api}/`);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          'User-Agent': 'faultline',
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (error) => reject(new ApiError(`the proxy API at ${api} failed: ${error.message}`, null)));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === 'ECONNREFUSED' ? 'connection refused' : error.message;
      reject(new ApiError(`cannot reach the proxy API at ${api} (${why}); start it with \`faultline proxy\` or fix endpoint.api`, null));
    });
    if (payload) req.write(payload);
    req.end();
  });
}

function errorText(response: ApiResponse): string {
  const body = response.body as { error?: unknown } | string | null;
  if (body && typeof body === 'object' && typeof body.error === 'string') return body.error;
  return typeof body === 'string' && body ? body : `status ${response.status}`;
}

const segment = (s: string) => encodeURIComponent(s);

export async function getProxy(api: string, proxy: string): Promise<ProxyJson> {
  const response = await apiRequest(api, 'GET', `proxies/${segment(proxy)}`);
  if (response.status === 404) throw new ApiError(`the proxy API at ${api} has no proxy named ${proxy}`, 404);
  if (response.status !== 200)
    throw new ApiError(`the proxy API at ${api} answered ${response.status}: ${errorText(response)}`, response.status);
  return response.body as ProxyJson;
}

export async function addToxic(api: string, proxy: string, toxic: ToxicInput): Promise<ToxicJson> {
  const response = await apiRequest(api, 'POST', `proxies/${segment(proxy)}/toxics`, toxic);
  if (response.status !== 200 && response.status !== 201) {
    throw new ApiError(`proxy ${proxy} at ${api} refused the toxic: ${errorText(response)}`, response.status);
  }
  return response.body as ToxicJson;
}

/** Removes a toxic; one that is already gone (404) counts as removed. */
export async function removeToxic(api: string, proxy: string, name: string): Promise<void> {
  const response = await apiRequest(api, 'DELETE', `proxies/${segment(proxy)}/toxics/${segment(name)}`);
  if (response.status === 204 || response.status === 200 || response.status === 404) return;
  throw new ApiError(`proxy ${proxy} at ${api} could not remove toxic ${name}: ${errorText(response)}`, response.status);
}
