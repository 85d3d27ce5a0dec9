// Demo checkout gateway: pays through provider A (primary) and fails over to provider B.
//   GET /checkout -> 200 {"ok": true, "provider": "a"|"b"}, or 502 {"ok": false} when both fail
//   GET /health   -> 200 {"ok": true}
// Any error, non-2xx answer or timeout from A (PROVIDER_TIMEOUT_MS, default 250) means "use B".
// Usage: node gateway.mjs --port=17000 --provider-a=http://127.0.0.1:17001 --provider-b=http://127.0.0.1:17002
//        [--host=127.0.0.1] [--service=gateway]
// Env fallbacks: PORT, HOST, PROVIDER_A_URL, PROVIDER_B_URL; PROVIDER_TIMEOUT_MS.
// DEMO_SIGNING_KEY (unset): a /pay answer whose HMAC signature does not match is rejected like an error
// (the next provider is tried): the gateway never serves a tampered answer.
import { createHmac } from 'node:crypto';
import { getWithDeadline, intOption, option, sendJson, serve } from './lib.mjs';

const host = option('host', 'HOST', '127.0.0.1');
const port = intOption('port', 'PORT', 17000);
const providers = [
  {
    id: 'a',
    url: option('provider-a', 'PROVIDER_A_URL', 'http://127.0.0.1:17001'),
  },
  {
    id: 'b',
    url: option('provider-b', 'PROVIDER_B_URL', 'http://127.0.0.1:17002'),
  },
];
const timeoutMs = intOption('timeout-ms', 'PROVIDER_TIMEOUT_MS', 250);
const service = option('service', undefined, 'gateway');

async function pay(provider) {
  const { status, body } = await getWithDeadline(`${provider.url}/pay`, timeoutMs);
  if (status < 200 || status > 299) throw new Error(`provider ${provider.id} answered ${status}`);
  const key = process.env.DEMO_SIGNING_KEY;
  if (key) {
    let answer;
    try {
      answer = JSON.parse(body);
    } catch {
      throw new Error(`provider ${provider.id} answered something that is not JSON; rejected`);
    }
    const { signature, ...signed } = answer;
    const expected = createHmac('sha256', key).update(JSON.stringify(signed)).digest('hex');
    if (signature !== expected) throw new Error(`provider ${provider.id} answered with a bad signature; rejected`);
  }
}

async function checkout(res) {
  for (const provider of providers) {
    try {
      await pay(provider);
      return sendJson(res, 200, { ok: true, provider: provider.id });
    } catch (err) {
      console.error(`[${service}] provider ${provider.id} failed: ${err.message}`);
    }
  }
  sendJson(res, 502, { ok: false });
}

serve(service, host, port, (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/checkout') return void checkout(res);
  if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { ok: true });
  sendJson(res, 404, { ok: false, error: 'not found' });
});
