/**
 * Auth, roles, scopes and audit over real sockets: the whole matrix of routes and roles (401 without a
 * token, 403 below the route's role), tokens of deleted users, revoked and expired tokens, dashboard
 * sessions and their CSRF header, token scopes, and the audit log of every change and denial. No
 * secret may appear in any response but the one that makes a token, nor in the daemon's log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../src/server/app.js';
import type { Daemon } from '../src/server/daemon.js';
import { tempHome } from './support/cli.js';
import { call, makeToken, pauseExperiment } from './support/daemon.js';
import { killStarted, startSleeper } from './support/processes.js';

let daemon: Daemon;
let url: string;
const logs: string[] = [];
const responses: string[] = [];
let admin: string;
let operator: string;
let viewer: string;

async function api(method: string, path: string, options: Parameters<typeof call>[3] = {}) {
  const res = await call(url, method, path, options);
  responses.push(res.text);
  return res;
}

beforeAll(async () => {
  const home = tempHome();
  process.env.FAULTLINE_HOME = home;
  admin = await makeToken(home, 'root', 'admin', ['--capability', 'exec']);
  const { Daemon } = await import('../src/server/daemon.js');
  daemon = await Daemon.start({ port: 0, log: (line) => logs.push(line) });
  url = daemon.url;
  for (const [name, role] of [
    ['olga', 'operator'],
    ['vic', 'viewer'],
  ]) {
    expect((await api('POST', '/api/v1/users', { token: admin, json: { name, role } })).status).toBe(201);
  }
  const op = await call(url, 'POST', '/api/v1/tokens', { token: admin, json: { user: 'olga', description: 'tests' } });
  const vw = await call(url, 'POST', '/api/v1/tokens', { token: admin, json: { user: 'vic' } });
  operator = op.json.token;
  viewer = vw.json.token;
});

afterAll(async () => {
  await daemon?.stop('tests done');
  killStarted();
});

const sample = (path: string) => path.replace(/:(\w+)/g, 'nothing-here');

describe('the role matrix', () => {
  it('answers 401 without a token on every route that needs one, and 403 below its role', async () => {
    let checked = 0;
    for (const route of API_ROUTES) {
      if (!route.role) continue;
      const path = sample(route.path);
      const anonymous = await api(route.method, path, route.body ? { json: {} } : {});
      expect(anonymous.status, `${route.method} ${route.path} without a token`).toBe(401);
      expect(anonymous.json.error.code).toBe('unauthorized');
      const below = route.role === 'admin' ? [viewer, operator] : route.role === 'operator' ? [viewer] : [];
      for (const token of below) {
        const denied = await api(route.method, path, { token, ...(route.body ? { json: {} } : {}) });
        expect(denied.status, `${route.method} ${route.path} below ${route.role}`).toBe(403);
        expect(denied.json.error.message).toMatch(new RegExp(`needs the ${route.role} role`));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('lets each role do what it may: viewers read, operators run and halt, admins manage tokens', async () => {
    expect((await api('GET', '/api/v1/runs', { token: viewer })).status).toBe(200);
    expect((await api('GET', '/api/v1/audit', { token: viewer })).status).toBe(200);
    expect((await api('GET', '/api/v1/tokens', { token: admin })).status).toBe(200);
    expect((await api('GET', '/api/v1/whoami', { token: operator })).json).toMatchObject({ user: 'olga', role: 'operator', scope: null });
    const halted = await api('POST', '/api/v1/halt', { token: operator, json: { reason: 'game day check' } });
    expect(halted.status).toBe(200);
    expect(halted.json.halt.who).toMatch(/^olga \(api from /);
    expect((await api('DELETE', '/api/v1/halt', { token: operator })).json).toMatchObject({ halted: false, lifted: 1 });
  });

  it('publishes a public health check, OpenAPI document naming each route role, and metrics, without a token', async () => {
    expect((await api('GET', '/api/v1/health')).json).toMatchObject({ status: 'ok', store: 'sqlite' });
    const doc = (await api('GET', '/api/v1/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    for (const route of API_ROUTES) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path} in the OpenAPI document`).toBeDefined();
      expect(op['x-faultline-role']).toBe(route.role ?? undefined);
    }
    expect(doc.components.schemas.ScheduleDocument.properties.spec).toBeDefined();
    const metrics = await api('GET', '/metrics');
    expect(metrics.text).toMatch(/faultline_http_requests_total\{method="GET",route="\/api\/v1\/runs",status="200"\}/);
    expect(metrics.text).toMatch(/faultline_halted 0/);
  });
});

describe('tokens', () => {
  it('refuses malformed, unknown, revoked and expired tokens, and tokens of deleted users', async () => {
    expect((await api('GET', '/api/v1/whoami', { token: 'hunter2' })).json.error.message).toMatch(/malformed token/);
    expect((await api('GET', '/api/v1/whoami', { headers: { authorization: 'Basic abc' } })).json.error.message).toMatch(/Bearer/);
    expect((await api('GET', '/api/v1/whoami', { token: `flt_000000000000_${'A'.repeat(43)}` })).json.error.message).toBe('unknown token');
    // a right id with a wrong secret is as unknown as a wrong id
    expect((await api('GET', '/api/v1/whoami', { token: `${viewer.slice(0, 17)}${'B'.repeat(43)}` })).status).toBe(401);

    await api('POST', '/api/v1/users', { token: admin, json: { name: 'bob', role: 'viewer' } });
    const bob = (await api('POST', '/api/v1/tokens', { token: admin, json: { user: 'bob' } })).json.token as string;
    expect((await api('GET', '/api/v1/whoami', { token: bob })).status).toBe(200);
    expect((await api('DELETE', '/api/v1/users/bob', { token: admin })).status).toBe(204);
    const gone = await api('GET', '/api/v1/whoami', { token: bob });
    expect(gone.status).toBe(401);
    expect(gone.json.error.message).toMatch(/revoked|deleted/);

    await api('POST', '/api/v1/users', { token: admin, json: { name: 'carl', role: 'viewer' } });
    const made = (await api('POST', '/api/v1/tokens', { token: admin, json: { user: 'carl' } })).json;
    expect((await api('DELETE', `/api/v1/tokens/${made.id}`, { token: admin })).status).toBe(204);
    expect((await api('GET', '/api/v1/whoami', { token: made.token })).json.error.message).toMatch(/was revoked/);

    const short = (await api('POST', '/api/v1/tokens', { token: admin, json: { user: 'carl', expiresIn: '3s' } })).json;
    expect((await api('GET', '/api/v1/whoami', { token: short.token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3200));
    expect((await api('GET', '/api/v1/whoami', { token: short.token })).json.error.message).toMatch(/expired/);

    const noUser = await api('POST', '/api/v1/tokens', { token: admin, json: { user: 'nobody' } });
    expect(noUser.status).toBe(404);
  });

  it('lists tokens without any secret or hash', async () => {
    const list = await api('GET', '/api/v1/tokens', { token: admin });
    expect(list.json.tokens.length).toBeGreaterThan(3);
    for (const t of list.json.tokens) {
      expect(Object.keys(t).sort()).toEqual([
        'capabilities',
        'createdAt',
        'createdBy',
        'description',
        'expiresAt',
        'id',
        'lastUsedAt',
        'revokedAt',
        'scope',
        'user',
      ]);
    }
  });
});

describe('dashboard sessions', () => {
  it('logs in with a token into an HttpOnly, SameSite=Strict cookie; changes need the CSRF header', async () => {
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: operator, next: '/runs' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/runs');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^faultline_session=[\w-]+;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(operator.slice(17));
    const session = cookie.split(';')[0] as string;
    expect((await api('GET', '/api/v1/whoami', { headers: { cookie: session } })).json).toMatchObject({ user: 'olga', via: 'session' });
    const forged = await api('POST', '/api/v1/halt', { headers: { cookie: session }, json: { reason: 'a form on another site' } });
    expect(forged.status).toBe(403);
    expect(forged.json.error.message).toMatch(/X-Faultline-CSRF/);
    const page = await fetch(`${url}/runs`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    await fetch(`${url}/logout`, { method: 'POST', headers: { cookie: session }, redirect: 'manual' });
    expect((await api('GET', '/api/v1/whoami', { headers: { cookie: session } })).status).toBe(401);
    const bad = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'flt_nope' }), redirect: 'manual' });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toMatch(/Not logged in: malformed token/);
    const anonymousPage = await fetch(`${url}/schedules`, { redirect: 'manual' });
    expect(anonymousPage.status).toBe(303);
    expect(anonymousPage.headers.get('location')).toBe('/login?next=%2Fschedules');
  });
});

describe('token scopes', () => {
  it('lets a token limited to team=payments act on payments targets only', async () => {
    await api('POST', '/api/v1/users', { token: admin, json: { name: 'pay', role: 'operator' } });
    const scoped = (
      await api('POST', '/api/v1/tokens', {
        token: admin,
        json: { user: 'pay', scope: { labels: [{ team: 'payments' }] }, capabilities: ['exec'] },
      })
    ).json;
    expect(scoped.scope).toEqual({ labels: [{ team: 'payments' }] });
    const pay = scoped.token as string;
    const worker = startSleeper('scope');
    const inside = pauseExperiment('pay-pause', worker.pid as number, '200ms', 'team: payments');
    const outside = pauseExperiment('search-pause', worker.pid as number, '200ms', 'team: search');
    expect((await api('POST', '/api/v1/experiments', { token: pay, yaml: inside })).status).toBe(201);
    const refused = await api('POST', '/api/v1/experiments', { token: pay, yaml: outside });
    expect(refused.status).toBe(403);
    expect(refused.json.error.details[0].message).toMatch(
      /can hit target worker \{team=search\}, outside the token's labels \(team=payments\)/,
    );
    const host = await api('POST', '/api/v1/runs', {
      token: pay,
      json: {
        yaml: `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: host }\nspec:\n  hypothesis: h\n  method: [ { fault: custom.action, params: { run: [ "true" ], revert: [ "true" ] } } ]\n`,
      },
    });
    expect(host.status).toBe(403);
    expect(host.json.error.details[0].message).toMatch(/acts on this host itself/);
    // the unscoped admin stores the outside experiment; the scoped token may not run it
    expect((await api('POST', '/api/v1/experiments', { token: admin, yaml: outside })).status).toBe(201);
    expect((await api('POST', '/api/v1/runs', { token: pay, json: { experiment: 'search-pause' } })).status).toBe(403);
    const run = await api('POST', '/api/v1/runs', { token: pay, json: { experiment: 'pay-pause' } });
    expect(run.status).toBe(202);
    await daemon.runs.idle();
    expect((await api('DELETE', '/api/v1/halt', { token: pay })).status).toBe(403);
    expect((await api('POST', '/api/v1/tokens', { token: pay, json: { user: 'pay' } })).status).toBe(403);
  });
});

describe('the audit log', () => {
  it('records every change and every denial with who, what, from where and the outcome, in an intact chain', async () => {
    const entries = (await api('GET', '/api/v1/audit?limit=1000', { token: viewer })).json.entries as {
      actor: string;
      action: string;
      outcome: string;
      source: string;
      detail: string;
    }[];
    expect(entries.some((e) => e.actor === 'anonymous' && e.action === 'run.start' && e.outcome === 'denied')).toBe(true);
    expect(entries.some((e) => e.actor === 'vic' && e.action === 'schedule.create' && e.outcome === 'denied')).toBe(true);
    expect(
      entries.some((e) => e.actor === 'olga' && e.action === 'halt' && e.outcome === 'ok' && e.detail.includes('game day check')),
    ).toBe(true);
    expect(entries.some((e) => e.actor === 'root' && e.action === 'token.create' && e.outcome === 'ok')).toBe(true);
    expect(entries.some((e) => e.actor === 'pay' && e.action === 'experiment.create' && e.outcome === 'denied')).toBe(true);
    expect(entries.some((e) => e.action === 'login' && e.outcome === 'ok')).toBe(true);
    expect(entries.every((e) => e.source === '127.0.0.1' || e.source === 'cli' || e.source === '::ffff:127.0.0.1')).toBe(true);
    expect(
      (await api('GET', '/api/v1/audit?action=token.&limit=5', { token: viewer })).json.entries.every((e: { action: string }) =>
        e.action.startsWith('token.'),
      ),
    ).toBe(true);
    const verify = await api('GET', '/api/v1/audit/verify', { token: viewer });
    expect(verify.json).toMatchObject({ ok: true, brokenAt: null });
    expect(verify.json.checked).toBe(entries.length);
  });

  it('cannot be changed: the store refuses updates and deletes', async () => {
    const { SqliteDaemonStore } = await import('../src/store/sqlite-daemon-store.js');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database((daemon.store as InstanceType<typeof SqliteDaemonStore>).location);
    expect(() => db.prepare("UPDATE audit SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    db.close();
  });

  it('never shows a secret: no token secret in any response but its own creation, nor in the log', async () => {
    const secrets = [admin, operator, viewer].map((t) => t.slice(17));
    const creations = responses.filter((r) => r.includes('"note":"store the token now'));
    for (const text of responses.filter((r) => !creations.includes(r))) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    for (const line of logs) for (const secret of secrets) expect(line).not.toContain(secret);
    const audit = JSON.stringify((await call(url, 'GET', '/api/v1/audit?limit=1000', { token: admin })).json);
    for (const secret of secrets) expect(audit).not.toContain(secret);
  });
});
