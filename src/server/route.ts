/**
 * API routes as data: each declares its method, path, the least role it needs, what it records in the
 * audit log, and its request and responses. The app registers them, the OpenAPI document is generated
 * from them, and the role-matrix test walks them: one table, so the three never disagree.
 */
import type { Context } from 'hono';
import type { Principal, Role } from '../auth/roles.js';
import type { DaemonServices } from './services.js';

export type Env = { Variables: { principal: Principal | null; source: string; auditDetail: string | undefined } };
export type Ctx = Context<Env>;

export interface ApiRoute {
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
  handler: (c: Ctx, daemon: DaemonServices) => Response | Promise<Response>;
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
