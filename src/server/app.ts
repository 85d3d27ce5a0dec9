/**
 * The daemon's HTTP app (Hono): the API under /api/v1, /metrics, the dashboard. Every API request is
 * authenticated (a bearer token, or a dashboard session plus the CSRF header for changes), checked
 * against the route's role, and, for a change, written to the audit log whatever its outcome.
 */
import { readFileSync } from 'node:fs';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { Principal } from '../auth/roles.js';
import { roleAtLeast } from '../auth/roles.js';
import { errorMessage, UserError } from '../util/errors.js';
import { dashboardRoutes, SESSION_COOKIE } from '../web/routes.js';
import { ApiError, errorBody, forbidden, unauthorized } from './errors.js';
import { openApiDocument } from './openapi.js';
import { type ApiRoute, apiRoute, type Ctx, type Env, servicesFor } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { experimentRoutes } from './routes/experiments.js';
import { gameDayRoutes } from './routes/gamedays.js';
import { runRoutes } from './routes/runs.js';
import { safetyRoutes } from './routes/safety.js';
import { scheduleRoutes } from './routes/schedules.js';
import { scorecardRoutes } from './routes/scorecard.js';
import type { DaemonServices } from './services.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Liveness, this API's description, metrics for Prometheus: no token, so that probes and scrapers need none. */
const publicRoutes: ApiRoute[] = [
  apiRoute({
    method: 'GET',
    path: '/api/v1/health',
    role: null,
    tag: 'daemon',
    summary: 'Liveness: ok once the daemon serves runs; the version and the kind of store',
    responses: { 200: '`{"status": "ok" | "starting", "version", "store", "startedAt"}`' },
    uses: ['runs', 'store', 'startedAt'],
    handler: (c, d) => c.json({ status: d.runs ? 'ok' : 'starting', version, store: d.store.kind, startedAt: d.startedAt }),
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/openapi.json',
    role: null,
    tag: 'daemon',
    summary: 'This document: the OpenAPI 3.1 description of the API',
    responses: { 200: 'the OpenAPI document' },
    uses: [],
    handler: (c) => c.json(openApiDocument(API_ROUTES, version)),
  }),
  apiRoute({
    method: 'GET',
    path: '/metrics',
    role: null,
    tag: 'daemon',
    summary: "Prometheus metrics: runs, faults, schedules, the halt switch, the API's requests, authentication costs",
    contentType: 'text/plain',
    responses: { 200: 'the metrics, in the Prometheus text format' },
    uses: ['metrics'],
    handler: async (c, d) => {
      c.header('Content-Type', d.metrics.contentType);
      return c.body(await d.metrics.text());
    },
  }),
];

export const API_ROUTES: readonly ApiRoute[] = [
  ...publicRoutes,
  ...experimentRoutes,
  ...runRoutes,
  ...scorecardRoutes,
  ...scheduleRoutes,
  ...safetyRoutes,
  ...adminRoutes,
  ...gameDayRoutes,
];

export const DEFAULT_MAX_BODY = 1024 * 1024;

function sourceOf(c: Ctx, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local'; // app.request() in tests: no socket
  }
}

/** The caller, from a bearer token or a dashboard session; null when neither is given. */
export async function authenticate(c: Ctx, daemon: DaemonServices, urgent = false): Promise<Principal | null> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('expected the header Authorization: Bearer <token>');
    return daemon.auth.verifyToken(match[1] as string, { source: c.get('source'), urgent });
  }
  const session = getCookie(c, SESSION_COOKIE);
  if (!session) return null;
  const principal = await daemon.auth.verifySession(session);
  // a cookie comes with every request to this origin; a change must also carry a header a form cannot set
  if (!['GET', 'HEAD'].includes(c.req.method) && c.req.header('x-faultline-csrf') !== '1') {
    throw forbidden('a dashboard request that changes something needs the header X-Faultline-CSRF: 1');
  }
  return principal;
}

function errorResponse(c: Ctx, error: unknown, log: (line: string) => void): Response {
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
    return c.json(errorBody(error), error.status);
  }
  if (error instanceof UserError) return c.json(errorBody(new ApiError(400, 'bad_request', error.message)), 400);
  log(`internal error on ${c.req.method} ${c.req.path}: ${errorMessage(error)}`);
  return c.json(errorBody(new ApiError(500, 'internal', 'internal error; see the daemon log')), 500);
}

function outcomeOf(status: number): 'ok' | 'denied' | 'invalid' | 'error' {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  if (status < 500) return 'invalid';
  return 'error';
}

export function buildApp(daemon: DaemonServices): Hono<Env> {
  const app = new Hono<Env>();
  const maxBody = daemon.options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const trustProxy = daemon.options.trustProxy ?? false;

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('source', sourceOf(c, trustProxy));
    c.set('principal', null);
    c.set('auditDetail', undefined);
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    if (!c.res.headers.has('Content-Security-Policy')) c.header('X-Frame-Options', 'DENY');
    c.header('Cache-Control', c.res.headers.get('Cache-Control') ?? 'no-store');
    daemon.daemonMetrics.request(c.req.method, c.req.routePath || 'unmatched', c.res.status, (performance.now() - started) / 1000);
  });
  app.onError((error, c) => errorResponse(c as Ctx, error, daemon.log));

  const tooLarge = `the body is larger than ${maxBody} bytes; split it, or start the daemon with a larger --max-body`;
  /** The body limit; `refused` runs for a refused body (an audited route records the denial). */
  const limit = (refused?: (c: Ctx) => Promise<void>) =>
    bodyLimit({
      maxSize: maxBody,
      onError: async (c) => {
        await refused?.(c as Ctx);
        return c.json(errorBody(new ApiError(413, 'too_large', tooLarge)), 413);
      },
    });
  app.use('/login', limit());

  for (const route of API_ROUTES) {
    // the handler sees the services its route declares, and no other; authentication and audit use the daemon
    const services = servicesFor(daemon, route.uses);
    const handlers = async (c: Ctx) => {
      let status = 500;
      try {
        if (route.role) {
          const principal = await authenticate(c, daemon, route.urgent ?? false);
          if (!principal) throw unauthorized('no token: send Authorization: Bearer <token> (faultline token create makes one)');
          c.set('principal', principal);
          if (!roleAtLeast(principal.role, route.role)) {
            throw forbidden(
              `${route.summary.replace(/[.:].*$/, '')}: needs the ${route.role} role; ${principal.user} is ${principal.role}`,
            );
          }
        }
        const response = await route.handler(c, services);
        status = response.status;
        return response;
      } catch (error) {
        const response = errorResponse(c, error, daemon.log);
        status = response.status;
        if (route.action && error instanceof ApiError) c.set('auditDetail', error.message);
        return response;
      } finally {
        if (route.action) await audit(c, daemon, route, status);
      }
    };
    // the limit per route, so that a refused body is audited like any other denial of an audited route
    const refused = route.action
      ? async (c: Ctx) => {
          c.set('auditDetail', tooLarge);
          await audit(c, daemon, route, 413);
        }
      : undefined;
    app.on(route.method, route.path, limit(refused), handlers);
  }
  app.all('/api/*', (c) =>
    c.json(errorBody(new ApiError(404, 'not_found', `no API route ${c.req.method} ${c.req.path}; see /api/v1/openapi.json`)), 404),
  );

  dashboardRoutes(app, daemon);
  return app;
}

async function audit(c: Ctx, daemon: DaemonServices, route: ApiRoute, status: number): Promise<void> {
  const principal = c.get('principal');
  try {
    await daemon.store.appendAudit({
      actor: principal?.user ?? 'anonymous',
      role: principal?.role ?? '-',
      action: route.action as string,
      resource: c.req.path,
      source: c.get('source'),
      outcome: outcomeOf(status),
      detail: `${status} ${(c.get('auditDetail') ?? '').slice(0, 500)}`.trim(),
    });
  } catch (error) {
    // the change happened; an audit entry that cannot be written must be seen by the operator
    daemon.log(`AUDIT WRITE FAILED for ${route.action} by ${principal?.user ?? 'anonymous'}: ${errorMessage(error)}`);
  }
}
