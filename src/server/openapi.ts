/** The OpenAPI 3.1 document of the daemon's API, generated from the route table (GET /api/v1/openapi.json). */

import { ROLES } from '../auth/roles.js';
import { formatJsonSchema } from '../spec/json-schema.js';
import { scheduleSchema } from '../spec/schema.js';
import { z } from '../util/zod.js';
import type { ApiRoute } from './route.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['status', 'code', 'message'],
      properties: {
        status: { type: 'integer' },
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message'],
            properties: { line: { type: 'integer' }, column: { type: 'integer' }, path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

function operation(route: ApiRoute): Record<string, unknown> {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = (route.query ?? []).map((q) => ({
    name: q.name,
    in: 'query',
    required: false,
    description: q.description,
    schema: q.schema ?? { type: 'string' },
  }));
  const responses: Record<string, unknown> = {};
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  for (const [status, description] of Object.entries(route.responses)) {
    const code = Number(status);
    if (code >= 400)
      responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    else if (route.stream && code === 200)
      responses[status] = { description, content: { 'text/event-stream': { schema: { type: 'string' } } } };
    else if (route.contentType && code === 200)
      responses[status] = { description, content: { [route.contentType]: { schema: { type: 'string' } } } };
    else if (code === 204) responses[status] = { description };
    else responses[status] = { description, content: { 'application/json': { schema: { type: 'object' } } } };
  }
  if (route.role) {
    responses['401'] ??= error('no token, or a token that is not valid');
    responses['429'] ??= error('too many failed authentications for this token or from this address: see Retry-After');
    responses['503'] ??= error('too many token verifications waiting: see Retry-After');
    if (route.role !== 'viewer')
      responses['403'] ??= {
        description: `the role is below ${route.role}`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
  }
  if (route.body || route.query?.length)
    responses['400'] ??= error('the body or a query parameter is not well formed; the message says which');
  if (route.body)
    responses['413'] = {
      description: 'the body is too large',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  const body = route.body
    ? {
        requestBody: {
          required: true,
          description: route.body.description,
          content:
            route.body.type === 'yaml'
              ? {
                  'application/yaml': { schema: route.body.schema ?? { type: 'string' } },
                  'application/json': { schema: route.body.schema ?? { type: 'object' } },
                }
              : { 'application/json': { schema: route.body.schema ?? { type: 'object' } } },
        },
      }
    : {};
  return {
    operationId: `${route.method.toLowerCase()}${route.path
      .replace('/api/v1', '')
      .replace(/\/:?(\w)/g, (_m, ch: string) => ch.toUpperCase())
      .replace(/[^A-Za-z0-9]/g, '')}`,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.role ? { security: [{ bearer: [] }, { session: [] }], 'x-faultline-role': route.role } : { security: [] }),
    ...(route.action ? { 'x-faultline-audit': route.action } : {}),
    parameters: [...params, ...query],
    ...body,
    responses,
  };
}

export function openApiDocument(routes: readonly ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  // its $id kept: the schema's own references (#/$defs/...) resolve within it, not in this document
  const { $schema: _s, ...experiment } = formatJsonSchema();
  const { $schema: _t, ...schedule } = z.toJSONSchema(scheduleSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    openapi: '3.1.0',
    info: {
      title: 'faultline daemon API',
      version,
      description: `Experiments, runs, schedules, the halt switch, live events, users, tokens and the audit log. Roles: ${ROLES.join(' < ')}. Every change is written to the audit log.`,
    },
    servers: [{ url: '/' }],
    tags: ['experiments', 'runs', 'schedules', 'safety', 'auth', 'project', 'audit', 'daemon', 'gamedays'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an API token: flt_<id>_<secret> (faultline token create)' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'faultline_session',
          description: 'the dashboard session (POST /login); changes need the X-Faultline-CSRF: 1 header',
        },
      },
      schemas: { Error: errorSchema, ExperimentDocument: experiment, ScheduleDocument: schedule },
    },
  };
}
