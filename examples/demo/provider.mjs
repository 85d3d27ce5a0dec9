// Demo payment provider: a tiny HTTP server the checkout gateway pays through.
//   GET /pay    -> 200 {"provider": NAME, "ok": true}
//   GET /health -> 200 {"ok": true}
//   GET /data   -> 200 {"state": "ok"|"rejected"|"none", "version", "reason", "rejected"} (see data-file.mjs)
// Usage: node provider.mjs --name=a --port=17001 [--host=127.0.0.1] [--service=provider-a] [--data=FILE]
// Env fallbacks: PROVIDER_NAME, PORT, HOST, PROVIDER_DATA_FILE.
// DEMO_SIGNING_KEY (unset): /pay answers also carry "amount" and an HMAC-SHA256 "signature" of the rest
// (hex, over its JSON), which the gateway checks when it has the same key (examples/experiments/more/).
import { createHmac } from 'node:crypto';
import { watchDataFile } from './data-file.mjs';
import { intOption, option, sendJson, serve } from './lib.mjs';

const name = option('name', 'PROVIDER_NAME', 'a');
const host = option('host', 'HOST', '127.0.0.1');
const port = intOption('port', 'PORT', 17001);
const service = option('service', undefined, `provider-${name}`);
const data = watchDataFile(option('data', 'PROVIDER_DATA_FILE', ''), service);

/** What /pay answers: signed when DEMO_SIGNING_KEY is set, so a tampered answer can be told apart. */
function payAnswer() {
  const key = process.env.DEMO_SIGNING_KEY;
  if (!key) return { provider: name, ok: true };
  const signed = { provider: name, ok: true, amount: 10 };
  return { ...signed, signature: createHmac('sha256', key).update(JSON.stringify(signed)).digest('hex') };
}

serve(service, host, port, (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/pay') return sendJson(res, 200, payAnswer());
  if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { ok: true });
  if (req.method === 'GET' && path === '/data') return sendJson(res, 200, data.status());
  sendJson(res, 404, { ok: false, error: 'not found' });
});
