/**
 * A node:http server on 127.0.0.1 for the fakes of outside services (Slack, PagerDuty Events, a webhook
 * receiver, an OTLP collector): it records every request with its raw body and arrival time, and can be
 * scripted to hang (never answer, so the client times out) or to answer a status before behaving.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedHttpRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** epoch ms when the request had fully arrived */
  at: number;
}

/** What to do with the next request: `hang` never answers; a number answers that status with `body`. */
export type ScriptStep = 'hang' | { status: number; body?: string; headers?: Record<string, string> };

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface RecordingServer {
  url: string;
  port: number;
  requests: RecordedHttpRequest[];
  /** consumed one per request before the normal handler answers */
  script: ScriptStep[];
  close(): Promise<void>;
}

export async function startRecordingServer(handle: (request: RecordedHttpRequest) => Answer): Promise<RecordingServer> {
  const hanging = new Set<ServerResponse>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedHttpRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      server.requests.push(recorded);
      const step = server.script.shift();
      if (step === 'hang') {
        hanging.add(res);
        return;
      }
      const answer = step ?? handle(recorded);
      const body = answer.body ?? '';
      res.writeHead(answer.status, { 'Content-Length': Buffer.byteLength(body), ...answer.headers });
      res.end(body);
    });
  };
  const http = createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const server: RecordingServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    script: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
  return server;
}

export function json(status: number, value: unknown): Answer {
  return { status, body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } };
}

export function text(status: number, body: string): Answer {
  return { status, body, headers: { 'Content-Type': 'text/plain; charset=utf-8' } };
}
