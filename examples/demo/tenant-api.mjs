// Demo multi-tenant API: each bearer token belongs to one tenant and sees only that tenant's orders.
//   GET /tenants/:id/orders  (Authorization: Bearer TOKEN)
//     no or unknown token -> 401, another tenant's token -> 403,
//     own tenant -> 200 {"tenant", "orders", "paymentsUp"}
//   GET /tenants/:id/page?token=TOKEN -> the tenant's orders as an HTML page (what a person sees; the token in
//     the query string keeps the demo simple). While provider A does not answer, the page still loads (200) and
//     shows a banner "provider unavailable, retrying with the fallback"; it never shows another tenant's orders.
//   GET /health -> 200 {"ok": true}
// Session tokens (session-acme, session-globex) act like a login: issued at start-up for 30 minutes and
// renewed every 10 minutes; once the API's clock passes a session's expiry, it answers 401 "token expired".
// A clock skewed an hour ahead (time.skew under faultline wrap) therefore rejects them until it is back.
// Authorization is decided before, and independently of, the payments check, so the API never
// fails open when provider A is down or stopped: "paymentsUp" just becomes false.
// Usage: node tenant-api.mjs --port=17003 --provider-a=http://127.0.0.1:17001 [--host=127.0.0.1]
//        [--service=tenant-api]
// Env fallbacks: PORT, HOST, PROVIDER_A_URL; PROVIDER_TIMEOUT_MS (default 250).
import { getWithDeadline, intOption, option, sendJson, serve } from './lib.mjs';

const host = option('host', 'HOST', '127.0.0.1');
const port = intOption('port', 'PORT', 17003);
const providerA = option('provider-a', 'PROVIDER_A_URL', 'http://127.0.0.1:17001');
const timeoutMs = intOption('timeout-ms', 'PROVIDER_TIMEOUT_MS', 250);
const service = option('service', undefined, 'tenant-api');

const TOKENS = new Map([
  ['token-acme', 'acme'],
  ['token-globex', 'globex'],
]);
const SESSION_TTL_MS = 30 * 60_000;
const SESSIONS = new Map([
  ['session-acme', { tenant: 'acme', expiresAt: 0 }],
  ['session-globex', { tenant: 'globex', expiresAt: 0 }],
]);
function renewSessions() {
  for (const session of SESSIONS.values()) session.expiresAt = Date.now() + SESSION_TTL_MS;
}
renewSessions();
setInterval(renewSessions, 10 * 60_000).unref();

const ORDERS = {
  acme: [
    { id: 'acme-1001', amount: 120, currency: 'EUR' },
    { id: 'acme-1002', amount: 75, currency: 'EUR' },
  ],
  globex: [{ id: 'globex-2001', amount: 990, currency: 'USD' }],
};

async function paymentsUp() {
  try {
    const { status } = await getWithDeadline(`${providerA}/health`, timeoutMs);
    return status >= 200 && status <= 299;
  } catch {
    return false;
  }
}

async function orders(req, res, tenantId) {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  const session = match ? SESSIONS.get(match[1]) : undefined;
  if (session && Date.now() > session.expiresAt) return sendJson(res, 401, { ok: false, error: 'token expired' });
  const callerTenant = match ? (TOKENS.get(match[1]) ?? session?.tenant) : undefined;
  if (callerTenant === undefined) return sendJson(res, 401, { ok: false, error: 'unauthorized' });
  if (callerTenant !== tenantId) return sendJson(res, 403, { ok: false, error: 'forbidden' });
  const up = await paymentsUp();
  sendJson(res, 200, {
    ok: true,
    tenant: tenantId,
    orders: ORDERS[tenantId] ?? [],
    paymentsUp: up,
  });
}

const escapeHtml = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function html(res, status, title, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`);
}

async function page(req, res, tenantId) {
  const token = new URL(req.url ?? '/', 'http://demo').searchParams.get('token') ?? '';
  const callerTenant = TOKENS.get(token) ?? SESSIONS.get(token)?.tenant;
  if (callerTenant === undefined) return html(res, 401, 'Sign in', '<h1>Sign in</h1>');
  if (callerTenant !== tenantId) return html(res, 403, 'Forbidden', '<h1>Forbidden</h1>');
  const up = await paymentsUp();
  const banner = up ? '' : '<div class="banner" role="alert">Payments: provider unavailable, retrying with the fallback</div>';
  const rows = (ORDERS[tenantId] ?? []).map((o) => `<li>${escapeHtml(o.id)}: ${o.amount} ${escapeHtml(o.currency)}</li>`).join('');
  html(res, 200, `Orders of ${tenantId}`, `${banner}<h1>Orders of ${escapeHtml(tenantId)}</h1><ul id="orders">${rows}</ul>`);
}

serve(service, host, port, (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const m = /^\/tenants\/([^/]+)\/orders$/.exec(path);
  if (req.method === 'GET' && m) return void orders(req, res, m[1]);
  const p = /^\/tenants\/([^/]+)\/page$/.exec(path);
  if (req.method === 'GET' && p) return void page(req, res, p[1]);
  if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { ok: true });
  sendJson(res, 404, { ok: false, error: 'not found' });
});
