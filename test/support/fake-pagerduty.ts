/**
 * A small PagerDuty REST API v2 on 127.0.0.1 that speaks its wire format for `GET /incidents`: the
 * `Authorization: Token token=...` header, the `statuses[]`, `service_ids[]`, `urgencies[]` filters, the
 * default one-month date range (`date_range=all` lifts it), `limit`/`offset`/`total` paging, and PagerDuty's
 * error bodies. It records every request, and can be told to answer with a status of its choice or slowly.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface FakeIncident {
  id: string;
  incident_number: number;
  title: string;
  status: IncidentStatus;
  urgency: 'high' | 'low';
  service: { id: string; type: 'service_reference' };
  html_url: string;
  created_at: string;
}

export interface RecordedRequest {
  method: string;
  /** the path without the query string */
  path: string;
  /** the raw query string, without "?" */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface FakePagerDuty {
  /** base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** the API key it accepts */
  token: string;
  /** the incidents it knows; replace or edit freely */
  incidents: FakeIncident[];
  requests: RecordedRequest[];
  /** when set, every request is answered with this status and body (default: PagerDuty's body for the status) */
  force: { status: number; body?: unknown } | null;
  /** milliseconds to wait before answering */
  delayMs: number;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

let nextNumber = 1000;

/** An incident as PagerDuty lists it; the fields not given get plausible values. */
export function fakeIncident(fields: Partial<FakeIncident> & { title: string }): FakeIncident {
  const incident_number = fields.incident_number ?? nextNumber++;
  const id = fields.id ?? `Q${incident_number.toString(36).toUpperCase()}ABCDEF`;
  return {
    id,
    incident_number,
    status: 'triggered',
    urgency: 'high',
    service: { id: 'PSERVICE1', type: 'service_reference' },
    html_url: `https://example.pagerduty.com/incidents/${id}`,
    created_at: new Date(Date.now() - 10 * 60_000).toISOString(),
    ...fields,
  };
}

/** PagerDuty's error bodies for the statuses the guard may meet. */
function errorBody(status: number): unknown {
  switch (status) {
    case 400:
      return { error: { message: 'Invalid Input Provided', code: 2001, errors: [] } };
    case 401:
      return { error: { message: 'Invalid API Key', code: 2006 } };
    case 403:
      return { error: { message: 'Access Denied', code: 2010 } };
    case 404:
      return { error: { message: 'Not Found', code: 2100 } };
    case 429:
      return { error: { message: 'Rate Limit Exceeded', code: 2020 } };
    default:
      return { error: { message: 'Internal Server Error', code: 2000 } };
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakePagerDuty(options: { token?: string; incidents?: FakeIncident[] } = {}): Promise<FakePagerDuty> {
  const timers = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, path: string, method: string, query: URLSearchParams, headers: IncomingHttpHeaders) => {
    if (fake.force) return send(res, fake.force.status, fake.force.body ?? errorBody(fake.force.status));
    if (headers.authorization !== `Token token=${fake.token}`) return send(res, 401, errorBody(401));
    if (path !== '/incidents') return send(res, 404, errorBody(404));
    if (method !== 'GET') return send(res, 405, { error: { message: 'Method Not Allowed', code: 2000 } });

    const limit = Number(query.get('limit') ?? 25);
    const offset = Number(query.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0)
      return send(res, 400, { error: { message: 'Invalid Input Provided', code: 2001, errors: ['Limit must be between 1 and 100'] } });
    const statuses = query.getAll('statuses[]');
    const serviceIds = query.getAll('service_ids[]');
    const urgencies = query.getAll('urgencies[]');
    // PagerDuty searches the last month unless told otherwise (since/until), or date_range=all.
    const allDates = query.get('date_range') === 'all';
    const since = allDates ? Number.NEGATIVE_INFINITY : Date.parse(query.get('since') ?? new Date(Date.now() - 30 * DAY_MS).toISOString());
    const until = allDates ? Number.POSITIVE_INFINITY : Date.parse(query.get('until') ?? new Date(Date.now() + 1000).toISOString());

    const matching = fake.incidents.filter((i) => {
      const created = Date.parse(i.created_at);
      return (
        (statuses.length === 0 || statuses.includes(i.status)) &&
        (serviceIds.length === 0 || serviceIds.includes(i.service.id)) &&
        (urgencies.length === 0 || urgencies.includes(i.urgency)) &&
        created >= since &&
        created < until
      );
    });
    const incidents = matching.slice(offset, offset + limit);
    send(res, 200, {
      incidents,
      limit,
      offset,
      more: offset + incidents.length < matching.length,
      total: query.get('total') === 'true' ? matching.length : null,
    });
  };

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://fake-pagerduty');
    const method = req.method ?? 'GET';
    fake.requests.push({
      method,
      path: parsed.pathname,
      rawQuery: parsed.search.slice(1),
      query: parsed.searchParams,
      headers: req.headers,
    });
    req.resume();
    if (fake.delayMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(res, parsed.pathname, method, parsed.searchParams, req.headers);
      }, fake.delayMs);
      timers.add(timer);
    } else answer(res, parsed.pathname, method, parsed.searchParams, req.headers);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const fake: FakePagerDuty = {
    url: `http://127.0.0.1:${port}`,
    port,
    token: options.token ?? 'u+fake-pagerduty-token-9Zq',
    incidents: options.incidents ?? [],
    requests: [],
    force: null,
    delayMs: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}

/** A loopback port on which nothing listens (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
