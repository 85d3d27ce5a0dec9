/**
 * Replays a recorded Toxiproxy client session (test/fixtures/toxiproxy-clients/*.json) against one
 * server: the HTTP calls as recorded, and between them checks of what the proxies do to real traffic
 * through an echo server. The results of two servers are then compared by the differential test.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { freePort } from './processes.js';
import { collect, connectTo } from './proxy-net.js';

export interface CallStep {
  call: string;
  method: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** compare the status only, and why */
  statusOnly?: string;
}

/**
 * echo: the bytes come back; delayed: they come back no sooner than `atLeastMs`; undelayed: sooner than
 * `lessThanMs`; refused: nothing listens; limited: exactly `bytes` come back, then the end; silent:
 * nothing comes back for `forMs`, and the connection stays open.
 */
export interface SocketStep {
  socket: 'echo' | 'delayed' | 'undelayed' | 'refused' | 'limited' | 'silent';
  port: string;
  send?: string;
  atLeastMs?: number;
  lessThanMs?: number;
  bytes?: number;
  forMs?: number;
}

/** The Toxiproxy byte counters of one proxy on GET /metrics, once the connections are closed. */
export interface MetricsStep {
  metrics: string;
}

export type Step = CallStep | SocketStep | MetricsStep;

export interface Session {
  client: string;
  headers: Record<string, string>;
  steps: Step[];
}

export interface CallResult {
  call: string;
  status: number;
  /** parsed JSON, or the text when it is not JSON */
  body: unknown;
}

export interface MetricsResult {
  metrics: string;
  /** the sample lines of the `toxiproxy_proxy_*` counters of that proxy, sorted */
  samples: string[];
}

export interface SocketResult {
  check: string;
  /** what the check saw, in words, so that two servers compare with toEqual */
  outcome: string;
}

export function loadSession(file: string): Session {
  return JSON.parse(readFileSync(file, 'utf8')) as Session;
}

function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_, key: string) => values[key] ?? `\${${key}}`);
}

/** Puts the placeholders back in an answer, so answers of two runs with different ports compare. */
function unsubstitute(text: string, values: Record<string, string>): string {
  let out = text;
  for (const [key, value] of Object.entries(values)) if (key.startsWith('PORT_')) out = out.replaceAll(`:${value}"`, `:\${${key}}"`);
  return out;
}

function send(api: string, step: CallStep, headers: Record<string, string>, values: Record<string, string>): Promise<CallResult> {
  const payload =
    step.rawBody !== undefined ? step.rawBody : step.body === undefined ? undefined : substitute(JSON.stringify(step.body), values);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(step.path, api),
      { method: step.method, headers: { ...headers, ...step.headers }, agent: false, timeout: 5000 },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const restored = unsubstitute(text, values);
          let body: unknown = restored;
          try {
            body = restored ? JSON.parse(restored) : null;
          } catch {}
          resolve({ call: step.call, status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${step.call}: no answer within 5s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function roundTrip(port: number, data: string): Promise<{ data: string; ms: number }> {
  const socket = await connectTo(port);
  try {
    const start = performance.now();
    socket.write(data);
    let got = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`port ${port}: ${got.length} of ${data.length} bytes back within 3s`)), 3000);
      socket.on('data', (c: Buffer) => {
        got += c.toString();
        if (got.length >= data.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return { data: got, ms: performance.now() - start };
  } finally {
    socket.destroy();
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function check(step: SocketStep, port: number): Promise<string> {
  const data = step.send ?? '';
  switch (step.socket) {
    case 'echo':
      return `echoed ${JSON.stringify((await roundTrip(port, data)).data)}`;
    case 'delayed': {
      const r = await roundTrip(port, data);
      return `echoed ${JSON.stringify(r.data)} ${r.ms >= (step.atLeastMs ?? 0) ? 'delayed' : `after only ${Math.round(r.ms)}ms`}`;
    }
    case 'undelayed': {
      const r = await roundTrip(port, data);
      return `echoed ${JSON.stringify(r.data)} ${r.ms < (step.lessThanMs ?? 0) ? 'at once' : `after ${Math.round(r.ms)}ms`}`;
    }
    case 'refused':
      return (await refused(port)) ? 'refused' : 'accepted';
    case 'limited':
    case 'silent': {
      const socket = await connectTo(port);
      socket.write(data);
      const got = await collect(socket, step.forMs ?? 3000);
      socket.destroy();
      return `got ${JSON.stringify(got.data.toString())}, then ${got.how}`;
    }
  }
}

/** What a socket step must see for the session to make sense (whatever the server). */
export function expectedOutcome(step: SocketStep): string {
  const echoed = `echoed ${JSON.stringify(step.send ?? '')}`;
  switch (step.socket) {
    case 'echo':
      return echoed;
    case 'delayed':
      return `${echoed} delayed`;
    case 'undelayed':
      return `${echoed} at once`;
    case 'refused':
      return 'refused';
    case 'limited':
      return `got ${JSON.stringify((step.send ?? '').slice(0, step.bytes))}, then end`;
    case 'silent':
      return 'got "", then timeout';
  }
}

async function scrape(api: string, proxy: string, values: Record<string, string>): Promise<string[]> {
  // a closed connection's last bytes are counted when the proxy sees the close: give it a moment
  await new Promise((r) => setTimeout(r, 200));
  const text = unsubstitute(await (await fetch(new URL('/metrics', api))).text(), values);
  return text
    .split('\n')
    .filter((line) => line.startsWith('toxiproxy_proxy_') && line.includes(`proxy="${proxy}"`))
    .sort();
}

/** Runs every step in order against the API at `api`; ports of the placeholders are chosen here. */
export async function replay(session: Session, api: string, upstream: string): Promise<(CallResult | SocketResult | MetricsResult)[]> {
  const values: Record<string, string> = { UPSTREAM: upstream };
  const text = JSON.stringify(session.steps);
  for (const [, key] of text.matchAll(/\$\{(PORT_\d+)\}/g)) values[key as string] ??= String(await freePort());
  const results: (CallResult | SocketResult | MetricsResult)[] = [];
  for (const step of session.steps) {
    if ('metrics' in step) results.push({ metrics: step.metrics, samples: await scrape(api, step.metrics, values) });
    else if ('socket' in step) {
      results.push({ check: `${step.socket} on ${step.port}`, outcome: await check(step, Number(values[step.port])) });
    } else results.push(await send(api, step, session.headers, values));
  }
  return results;
}
