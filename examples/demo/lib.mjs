// Shared helpers for the faultline demo services: command-line options, JSON replies,
// an HTTP GET with a hard deadline, and "exit when my supervisor goes away".
// Node 20 built-ins only.
import http from 'node:http';

/** Value of `--key=value` on the command line, else the environment variable, else the fallback. */
export function option(key, envName, fallback) {
  const prefix = `--${key}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(prefix));
  if (arg !== undefined) return arg.slice(prefix.length);
  if (envName && process.env[envName] !== undefined && process.env[envName] !== '') return process.env[envName];
  return fallback;
}

/** Integer option; exits with a message when it is not a valid number. */
export function intOption(key, envName, fallback) {
  const raw = option(key, envName, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`invalid --${key} / ${envName}: ${raw}`);
    process.exit(2);
  }
  return n;
}

export function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  });
  res.end(text);
}

/**
 * GET `url` without keep-alive. Resolves { status, body } or rejects on any error, including
 * when the whole exchange takes longer than `timeoutMs` (the request is then destroyed, so a
 * stopped peer that accepted the connection but never answers cannot hold us).
 */
export function getWithDeadline(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Listen on host:port, log one line to stderr, and exit on bind errors (the supervisor restarts us).
 * Every service also answers GET /metrics for Prometheus (the tenant-isolation programme's monitoring):
 * `demo_up` and the requests it served, so a frozen or dead service shows as `up == 0` where it is scraped.
 */
export function serve(name, host, port, handler) {
  let served = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# HELP demo_up The demo service answers.\n# TYPE demo_up gauge\ndemo_up{service="${name}"} 1\n` +
          `# HELP demo_requests_total Requests the demo service served.\n# TYPE demo_requests_total counter\ndemo_requests_total{service="${name}"} ${served}\n`,
      );
      return;
    }
    served++;
    handler(req, res);
  });
  server.keepAliveTimeout = 1;
  server.on('error', (err) => {
    console.error(`[${name}] ${err.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => console.error(`[${name}] pid ${process.pid} listening on http://${host}:${port}`));
  exitWithSupervisor();
  return server;
}

/**
 * Under the supervisor (DEMO_SUPERVISED=1) stdin is a pipe from it: when that pipe closes the
 * supervisor is gone (even if it was SIGKILLed), so we exit instead of lingering as an orphan.
 */
function exitWithSupervisor() {
  if (process.env.DEMO_SUPERVISED !== '1') return;
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
