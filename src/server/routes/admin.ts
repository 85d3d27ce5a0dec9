/** Who am I; users and tokens (admin); the project (admin); the audit log (everyone reads it). */
import { describeCapabilities } from '../../auth/capabilities.js';
import { CAPABILITIES, type Capability, isCapability, isRole, ROLES, type TokenScope } from '../../auth/roles.js';
import { describeScope } from '../../auth/scope.js';
import { verifyStoreAudit } from '../../store/audit-chain.js';
import type { AuditStore } from '../../store/audit-store.js';
import { ConflictError } from '../../store/documents-store.js';
import type { IdentitiesStore } from '../../store/identities-store.js';
import { parseDuration } from '../../util/duration.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { documentBody, jsonBody, limitParam } from '../http.js';
import { type ApiRoute, apiRoute, auditDetail, type Ctx, param, principalOf } from '../route.js';
import type { DaemonServices } from '../services.js';

/** What the handlers that only read users and tokens, or only the audit log, use of the daemon. */
type Identities = { readonly store: IdentitiesStore };
type Audit = { readonly store: AuditStore };

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const LABEL_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** Only an unscoped admin manages users and tokens: a scoped one could otherwise mint itself a wider token. */
function requireUnscoped(c: Ctx): void {
  if (principalOf(c).scope) throw forbidden('a token limited to a scope may not manage users and tokens');
}

/**
 * Deletes a user or revokes a token (`withdraw` says whether there was one to withdraw), then drops
 * every cached credential, so that the change holds from the very next request.
 */
async function withdrawAccess(
  c: Ctx,
  d: Pick<DaemonServices, 'auth'>,
  key: string,
  withdraw: (key: string, at: string) => Promise<boolean>,
  missing: (key: string) => string,
): Promise<Response> {
  requireUnscoped(c);
  if (!(await withdraw(key, new Date().toISOString()))) throw notFound(missing(key));
  d.auth.forgetAll();
  auditDetail(c, key);
  return c.body(null, 204);
}

function parseScope(value: unknown): TokenScope | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('scope: expected { labels: [{KEY: VALUE}], namespaces: [NAME] }');
  const { labels, namespaces, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) throw badRequest(`scope: unknown field ${Object.keys(rest).join(', ')}; known fields: labels, namespaces`);
  const scope: TokenScope = {};
  if (labels !== undefined) {
    if (!Array.isArray(labels) || !labels.length)
      throw badRequest('scope.labels: expected a non-empty list of label sets, e.g. [{team: payments}]');
    scope.labels = labels.map((set, i) => {
      if (!set || typeof set !== 'object' || Array.isArray(set) || !Object.keys(set).length)
        throw badRequest(`scope.labels[${i}]: expected a label set such as {team: payments}`);
      for (const [k, v] of Object.entries(set)) {
        if (!LABEL_KEY.test(k) || typeof v !== 'string') throw badRequest(`scope.labels[${i}]: ${k}: expected string labels`);
      }
      return set as Record<string, string>;
    });
  }
  if (namespaces !== undefined) {
    if (
      !Array.isArray(namespaces) ||
      !namespaces.length ||
      namespaces.some((n) => typeof n !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n))
    ) {
      throw badRequest('scope.namespaces: expected a non-empty list of namespace names');
    }
    scope.namespaces = namespaces as string[];
  }
  return scope.labels || scope.namespaces ? scope : null;
}

function parseCapabilities(value: unknown): Capability[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(isCapability))
    throw badRequest(`capabilities: expected a list of ${CAPABILITIES.join(', ')}, e.g. ["exec"]`);
  return [...new Set(value)];
}

export const adminRoutes: ApiRoute[] = [
  apiRoute({
    method: 'GET',
    path: '/api/v1/whoami',
    role: 'viewer',
    tag: 'auth',
    summary: 'The user, role and scope of the calling token',
    responses: { 200: 'who you are' },
    uses: [],
    handler: (c) => {
      const p = principalOf(c);
      return c.json({
        user: p.user,
        role: p.role,
        tokenId: p.tokenId,
        scope: p.scope,
        scopeText: describeScope(p.scope),
        capabilities: p.capabilities,
        via: p.via,
      });
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/users',
    role: 'admin',
    tag: 'auth',
    summary: 'List the users',
    responses: { 200: 'the users' },
    uses: ['store'],
    handler: async (c, d: Identities) => c.json({ users: await d.store.listUsers() }),
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/users',
    role: 'admin',
    tag: 'auth',
    action: 'user.create',
    summary: 'Create a user with a role',
    body: { type: 'json', description: '`{"name": NAME, "role": "viewer" | "operator" | "admin"}`' },
    responses: { 201: 'created', 400: 'bad name or role', 409: 'exists' },
    uses: ['store'],
    handler: async (c, d) => {
      requireUnscoped(c);
      const body = await jsonBody(c);
      const name = typeof body.name === 'string' ? body.name : '';
      if (!USER_NAME.test(name)) throw badRequest('name: expected letters, digits, ".", "_", "@" and "-" (up to 64)');
      if (!isRole(body.role)) throw badRequest(`role: expected one of ${ROLES.join(', ')}`);
      const user = { name, role: body.role, createdAt: new Date().toISOString(), createdBy: principalOf(c).user };
      try {
        await d.store.createUser(user);
      } catch (error) {
        if (error instanceof ConflictError) throw conflict(`user ${name} exists`);
        throw error;
      }
      auditDetail(c, `${name} as ${user.role}`);
      return c.json(user, 201);
    },
  }),
  apiRoute({
    method: 'DELETE',
    path: '/api/v1/users/:name',
    role: 'admin',
    tag: 'auth',
    action: 'user.delete',
    summary: 'Delete a user; every token of theirs stops working at once',
    responses: { 204: 'deleted', 404: 'no such user' },
    uses: ['auth', 'store'],
    handler: (c, d) =>
      withdrawAccess(
        c,
        d,
        param(c, 'name'),
        (name, at) => d.store.deleteUser(name, at),
        (name) => `no user named ${name}`,
      ),
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/tokens',
    role: 'admin',
    tag: 'auth',
    summary: 'List the tokens (ids and metadata; never a secret)',
    responses: { 200: 'the tokens' },
    uses: ['store'],
    handler: async (c, d: Identities) => c.json({ tokens: await d.store.listTokens() }),
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/tokens',
    role: 'admin',
    tag: 'auth',
    action: 'token.create',
    summary: 'Make a token for a user; the token is in this response only, never again',
    body: {
      type: 'json',
      description:
        '`{"user": NAME, "description"?: TEXT, "expiresIn"?: "90d", "scope"?: {"labels": [{KEY: VALUE}], "namespaces": [NAME]}, "capabilities"?: ["exec"]}`; `exec` lets the token\'s experiments run commands on the host, and is never given unless named',
    },
    responses: { 201: 'the token (shown once)', 400: 'bad input', 404: 'no such user' },
    uses: ['auth', 'store'],
    handler: async (c, d) => {
      requireUnscoped(c);
      const body = await jsonBody(c);
      const userName = typeof body.user === 'string' ? body.user : '';
      const user = await d.store.getUser(userName);
      if (!user) throw notFound(`no user named ${userName}; create it with POST /api/v1/users`);
      let expiresAt: string | null = null;
      if (body.expiresIn !== undefined) {
        const ms = typeof body.expiresIn === 'string' ? parseDuration(body.expiresIn) : null;
        if (!ms) throw badRequest('expiresIn: expected a duration such as 12h or 90d');
        expiresAt = new Date(Date.now() + ms).toISOString();
      }
      const description = typeof body.description === 'string' ? body.description.slice(0, 200) : '';
      const scope = parseScope(body.scope);
      const capabilities = parseCapabilities(body.capabilities);
      // an admin without exec could otherwise give it to a token of its own
      const missing = capabilities.filter((cap) => !principalOf(c).capabilities.includes(cap));
      if (missing.length)
        throw forbidden(
          `only a token that has ${missing.join(', ')} may give it; ask its holder, or run faultline token create --capability ${missing.join(',')} on the daemon's host`,
        );
      const { token, record } = await d.auth.createToken(user.name, {
        description,
        scope,
        capabilities,
        expiresAt,
        createdBy: principalOf(c).user,
      });
      auditDetail(
        c,
        `token ${record.id} for ${user.name} (${user.role}, ${describeScope(scope)}, capabilities ${describeCapabilities(capabilities)})`,
      );
      return c.json(
        {
          token,
          id: record.id,
          user: user.name,
          role: user.role,
          scope,
          capabilities,
          expiresAt,
          note: 'store the token now: it is not shown again',
        },
        201,
      );
    },
  }),
  apiRoute({
    method: 'DELETE',
    path: '/api/v1/tokens/:id',
    role: 'admin',
    tag: 'auth',
    action: 'token.revoke',
    summary: 'Revoke a token; it stops working at once, and its dashboard sessions end',
    responses: { 204: 'revoked', 404: 'no such token, or revoked already' },
    uses: ['auth', 'store'],
    handler: (c, d) =>
      withdrawAccess(
        c,
        d,
        param(c, 'id'),
        (id, at) => d.store.revokeToken(id, at),
        (id) => `no active token ${id}`,
      ),
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/project',
    role: 'viewer',
    tag: 'project',
    summary: "The project of the daemon's experiments (shared targets, probes, policy)",
    responses: { 200: 'the project and where it comes from' },
    uses: ['project'],
    handler: async (c, d) => c.json(await d.project.get()),
  }),
  apiRoute({
    method: 'PUT',
    path: '/api/v1/project',
    role: 'admin',
    tag: 'project',
    action: 'project.replace',
    summary: 'Replace the project (Project document: targets, probes, policy); refused when it comes from --project',
    body: { type: 'yaml', description: 'a Project document' },
    responses: { 200: 'replaced', 409: 'the project comes from --project', 422: 'invalid' },
    uses: ['documents', 'project'],
    handler: async (c, d) => {
      if (principalOf(c).scope)
        throw forbidden('a token limited to a scope may not replace the project, which applies to every experiment');
      await d.project.put(await documentBody(c), (project) => d.documents.authorizeProject(project, principalOf(c)));
      return c.json(await d.project.get());
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/audit',
    role: 'viewer',
    tag: 'audit',
    summary: 'The audit log, newest first: who did what, when, from where, and the outcome',
    query: [
      { name: 'actor', description: 'only this user' },
      { name: 'action', description: 'actions starting with this, e.g. run. or schedule.create' },
      { name: 'outcome', description: 'ok, denied, invalid or error' },
      { name: 'before', description: 'entries before this sequence number (paging)' },
      { name: 'limit', description: '1 to 1000 (default 100)' },
    ],
    responses: { 200: 'the entries' },
    uses: ['store'],
    handler: async (c, d: Audit) => {
      const before = c.req.query('before');
      if (before !== undefined && !/^\d+$/.test(before)) throw badRequest('before: expected a sequence number');
      const entries = await d.store.listAudit({
        actor: c.req.query('actor') || undefined,
        action: c.req.query('action') || undefined,
        outcome: c.req.query('outcome') || undefined,
        beforeSeq: before === undefined ? undefined : Number(before),
        limit: limitParam(c, 100, 1000),
      });
      return c.json({ entries });
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/audit/verify',
    role: 'viewer',
    tag: 'audit',
    summary:
      'Check the hash chain of the whole audit log against its anchor outside the database: any entry changed, removed, cut off the end or added behind its back shows, and so does a replaced database',
    responses: { 200: 'the result' },
    uses: ['store'],
    handler: async (c, d: Audit) => c.json(await verifyStoreAudit(d.store)),
  }),
];
