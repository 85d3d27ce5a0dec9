/**
 * API routes as data: each declares its method, path, the least role it needs, what it records in the
 * audit log, its request and responses, and the daemon's services its handler uses. The app registers
 * them, the OpenAPI document is generated from them, and the role-matrix test walks them: one table, so
 * the three never disagree.
 */
import type { Context } from 'hono';
import type { Principal, Role } from '../auth/roles.js';
import type { DaemonServices } from './services.js';

export type Env = {
  Variables: {
    principal: Principal | null;
    source: string;
    auditDetail: string | undefined;
    /** a dashboard page: the id of the daemon's latest live event before the page read what it shows */
    eventsSeen: number | undefined;
  };
};
export type Ctx = Context<Env>;

/**
 * One route. `K` is the services its handler uses: declare a route with `apiRoute({...})`, so that `K` is
 * taken from `uses` and the compiler refuses a handler that touches a service it did not declare (an
 * object written straight into a table would not be held to it; test/route-services.test.ts checks that
 * every route is declared so). A table of routes is an `ApiRoute[]`, which an `ApiRoute<K>` fits in.
 */
export interface ApiRoute<K extends keyof DaemonServices = keyof DaemonServices> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Hono path: `/api/v1/runs/:id` */
  path: string;
  /** null: no token needed */
  role: Role | null;
  tag: string;
  summary: string;
  description?: string;
  /** recorded in the audit log (every outcome, denials included) when set: `run.start` */
  action?: string;
  body?: { type: 'yaml' | 'json'; description: string; schema?: Record<string, unknown> };
  query?: { name: string; description: string; schema?: Record<string, unknown> }[];
  /** status -> description */
  responses: Record<number, string>;
  /** a server-sent events stream */
  stream?: boolean;
  /** the media type of the 200 answer when it is not JSON */
  contentType?: string;
  /** a safety endpoint (halt, stop a run): its token is verified ahead of every other request's */
  urgent?: boolean;
  /** the daemon's services the handler sees (the app passes it these, and no other): `['store', 'runs']` */
  uses: readonly K[];
  handler: (c: Ctx, services: Pick<DaemonServices, K>) => Response | Promise<Response>;
}

/**
 * Declares a route: its handler sees only the services named in `uses` (`[]`: none). The result goes
 * into a table of routes; the app calls the handler with `servicesFor(daemon, route.uses)`, nothing wider.
 */
export function apiRoute<K extends keyof DaemonServices>(route: ApiRoute<K>): ApiRoute {
  return route;
}

/**
 * The services of `uses`, and only those, read from the daemon when the handler reads them (the daemon's
 * url, say, is set once it listens); a method (`gameDays`, `stop`) stays bound to the daemon.
 */
export function servicesFor<K extends keyof DaemonServices>(daemon: DaemonServices, uses: readonly K[]): Pick<DaemonServices, K> {
  const services = {};
  for (const key of new Set(uses)) {
    const value = daemon[key];
    const bound = typeof value === 'function' ? value.bind(daemon) : undefined;
    Object.defineProperty(services, key, { enumerable: true, get: bound ? () => bound : () => daemon[key] });
  }
  // every key of `uses` was just defined on it
  return services as Pick<DaemonServices, K>;
}

/** The principal of an authenticated route (the role middleware ran before). */
export function principalOf(c: Ctx): Principal {
  const principal = c.get('principal');
  if (!principal) throw new Error('route without a principal');
  return principal;
}

/** What the audit entry of this request says, besides its outcome. */
export function auditDetail(c: Ctx, detail: string): void {
  c.set('auditDetail', detail);
}

/** A path parameter of the route (always present when the route matched). */
export function param(c: Ctx, name: string): string {
  return c.req.param(name) ?? '';
}
