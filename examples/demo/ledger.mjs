// Demo ledger with a write-behind cache: it acknowledges a write as soon as the record is in memory and
// writes it to disk FLUSH_MS later. Killed, it loses the writes of its last FLUSH_MS, whenever the kill comes:
// exactly what faultline's write probe detects (lost writes, observed RPO).
//   PUT  /records/:key   -> 201 (acknowledged; on disk FLUSH_MS later, or at once with --sync)
//   GET  /records/:key   -> 200 {key, body} or 404
//   GET  /health         -> 200
// Usage: node ledger.mjs --port=17100 --data=/tmp/ledger.jsonl [--flush-ms=1000] [--sync] [--service=ledger]
//        node ledger.mjs --keeper --pid-file=/tmp/ledger.pid ...   restarts the ledger when it dies
//                                                                  (after RESTART_MS, default 300), like a supervisor
// Env fallbacks: PORT, HOST, LEDGER_DATA, LEDGER_FLUSH_MS, LEDGER_SYNC=1, LEDGER_PID_FILE, LEDGER_RESTART_MS.
// Node 20 built-ins only.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { intOption, option, sendJson, serve } from './lib.mjs';

const argv = process.argv.slice(2);

if (argv.includes('--keeper')) keep();
else runLedger();

function runLedger() {
  const host = option('host', 'HOST', '127.0.0.1');
  const port = intOption('port', 'PORT', 17100);
  const data = option('data', 'LEDGER_DATA', '/tmp/faultline-ledger.jsonl');
  const flushMs = intOption('flush-ms', 'LEDGER_FLUSH_MS', 1000);
  const sync = argv.includes('--sync') || process.env.LEDGER_SYNC === '1';
  const service = option('service', undefined, 'ledger');

  /** key -> body: every record on disk or in the cache */
  const records = new Map();
  /** records acknowledged but not yet on disk, oldest first, with when they were acknowledged */
  let dirty = [];
  if (existsSync(data)) {
    for (const line of readFileSync(data, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const { key, body } = JSON.parse(line);
        records.set(key, body);
      } catch {} // a torn last line: the write never completed
    }
  }
  /** Writes to disk the records acknowledged at least `olderThanMs` ago (0: every one). */
  const flush = (olderThanMs = 0) => {
    const due = Date.now() - olderThanMs;
    const count = dirty.findIndex((r) => r.at > due);
    const written = count === -1 ? dirty : dirty.slice(0, count);
    if (written.length === 0) return;
    appendFileSync(data, written.map(({ key, body }) => `${JSON.stringify({ key, body })}\n`).join(''));
    dirty = dirty.slice(written.length);
  };
  // each record reaches the disk FLUSH_MS after it was acknowledged, so a crash always finds the last FLUSH_MS
  // of writes in the cache alone (a fixed flush cycle would lose nothing when the kill comes just after it)
  setInterval(() => flush(flushMs), Math.min(100, flushMs)).unref();
  process.on('SIGTERM', () => {
    flush(); // a clean stop keeps everything; only a crash (SIGKILL) loses the cache
    process.exit(0);
  });

  serve(service, host, port, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const match = /^\/records\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { ok: true, records: records.size });
    if (match && req.method === 'GET') {
      const key = decodeURIComponent(match[1]);
      return records.has(key) ? sendJson(res, 200, { key, body: records.get(key) }) : sendJson(res, 404, { key, error: 'no such record' });
    }
    if (match && (req.method === 'PUT' || req.method === 'POST')) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const key = decodeURIComponent(match[1]);
        const body = Buffer.concat(chunks).toString('utf8');
        records.set(key, body);
        dirty.push({ key, body, at: Date.now() });
        if (sync) flush();
        sendJson(res, 201, { key, stored: sync ? 'disk' : 'cache' });
      });
      return;
    }
    sendJson(res, 404, { ok: false, error: 'not found' });
  });
}

/** Runs the ledger as a child and starts it again whenever it dies; writes the child's pid to the pid file. */
function keep() {
  const pidFile = option('pid-file', 'LEDGER_PID_FILE', '/tmp/faultline-ledger.pid');
  const restartMs = intOption('restart-ms', 'LEDGER_RESTART_MS', 300);
  const args = argv.filter((a) => a !== '--keeper' && !a.startsWith('--pid-file=') && !a.startsWith('--restart-ms='));
  let child;
  let stopping = false;
  const start = () => {
    // stdin is a pipe from us: when it closes (we died, even by SIGKILL) the ledger exits too (lib.mjs)
    child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      stdio: ['pipe', 'inherit', 'inherit'],
      env: { ...process.env, DEMO_SUPERVISED: '1' },
    });
    writeFileSync(pidFile, `${child.pid}\n`);
    child.on('exit', () => {
      if (!stopping) setTimeout(start, restartMs);
    });
  };
  const stop = () => {
    stopping = true;
    rmSync(pidFile, { force: true });
    if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(0);
    child.on('exit', () => process.exit(0));
    child.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  start();
}
