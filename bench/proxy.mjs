#!/usr/bin/env node
// Benchmarks of the fault-injecting proxy, each a ratio or a difference measured side by side in one
// run against a direct connection: throughput of one connection (256 MiB), added latency of small
// round trips (10,000), accuracy of the latency and bandwidth toxics, memory of 1,000 idle connections.
//
//   npm run build && node bench/proxy.mjs            # writes bench/RESULTS.md
//
// Three processes: this one (the client), bench/servers.mjs (sink, source, echo), and the real
// `faultline proxy` (bin/faultline.js) in front of each server, driven through its Toxiproxy API.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const loadAtStart = os.loadavg();
const ROOT = path.join(HERE, '..');
const MiB = 1024 * 1024;
const TRANSFER = 256 * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_TRIPS = 10_000;
const IDLE = 1000;

const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function startChild(args, env, readyTest) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const ready = readyTest(out);
      if (ready) resolve({ child, ready });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const chunk = Buffer.alloc(64 * 1024, 7);

/** GB/s of writing TRANSFER bytes to the sink (the sink answers the count it got). */
async function upload(port) {
  const s = await connect(port);
  const start = process.hrtime.bigint();
  let sent = 0;
  let reply = '';
  s.on('data', (d) => (reply += d));
  const done = new Promise((r) => s.once('end', r));
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < TRANSFER) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
      resolve();
    };
    pump();
  });
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  s.destroy();
  if (Number(reply) !== TRANSFER) throw new Error(`sink got ${reply} bytes, expected ${TRANSFER}`);
  return TRANSFER / seconds / 1e9;
}

/** Seconds to read `bytes` from the source. */
async function download(port, bytes) {
  const s = await connect(port);
  const start = process.hrtime.bigint();
  let got = 0;
  s.on('data', (d) => (got += d.length));
  const done = new Promise((r) => s.once('end', r));
  s.write(`${bytes}\n`);
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  s.destroy();
  if (got !== bytes) throw new Error(`read ${got} bytes, expected ${bytes}`);
  return seconds;
}

/** Microseconds of `n` sequential 64-byte round trips on one connection to the echo. */
async function roundTrips(port, n) {
  const s = await connect(port);
  const message = Buffer.alloc(64, 0x7b); // '{': not the start of an HTTP request line
  const times = [];
  let pending = null;
  let have = 0;
  s.on('data', (d) => {
    have += d.length;
    if (have >= 64 && pending) {
      have -= 64;
      const r = pending;
      pending = null;
      r();
    }
  });
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await new Promise((r) => {
      pending = r;
      s.write(message);
    });
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  s.destroy();
  return times;
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs) => pct(xs, 50);
/** CPU time (user + system) of a process so far, in ms (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); // KiB

async function api(base, method, p, body) {
  const res = await fetch(`${base}${p}`, { method, body: body ? JSON.stringify(body) : undefined });
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- start ----------
const { child: serversChild, ready: upstreams } = await startChild([path.join(HERE, 'servers.mjs')], {}, (out) => {
  const line = out.split('\n').find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : null;
});
const apiPort = await freePort();
const ports = { sink: await freePort(), source: await freePort(), echo: await freePort(), http: await freePort() };
const base = `http://127.0.0.1:${apiPort}`;
const { child: proxyChild } = await startChild(
  [
    path.join(ROOT, 'bin', 'faultline.js'),
    'proxy',
    '--port',
    String(apiPort),
    ...Object.entries(ports).flatMap(([name, port]) => ['--proxy', `${name}=127.0.0.1:${port},127.0.0.1:${upstreams[name]}`]),
  ],
  { FAULTLINE_HOME: mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-')), NO_COLOR: '1' },
  (out) => out.includes('ready'),
);
const log = (...a) => console.error(...a);
const results = [];
const row = (name, measured, goal, met) => {
  results.push({ name, measured, goal, met });
  log(`${name}: ${measured}${goal ? ` (goal ${goal}: ${met ? 'met' : 'NOT met'})` : ''}`);
};

// ---------- 0. memory of idle connections (first, while both processes are fresh) ----------
async function idle(port, pid) {
  await sleep(500);
  const before = rss(pid);
  const sockets = [];
  for (let i = 0; i < IDLE; i++) {
    const s = await connect(port);
    s.write('{'); // one byte each way: the connection is established end to end
    sockets.push(s);
  }
  await sleep(1500);
  const after = rss(pid);
  for (const s of sockets) s.destroy();
  await sleep(500);
  return { before, after, perConnection: (after - before) / IDLE };
}
const directIdle = await idle(upstreams.echo, serversChild.pid);
const proxyIdle = await idle(ports.echo, proxyChild.pid);
row(
  `memory of ${IDLE} idle connections (RSS growth of the process holding them)`,
  `proxy ${((proxyIdle.after - proxyIdle.before) / 1024).toFixed(1)} MiB (${proxyIdle.perConnection.toFixed(1)} KiB per connection, 2 sockets each); echo server ${((directIdle.after - directIdle.before) / 1024).toFixed(1)} MiB (${directIdle.perConnection.toFixed(1)} KiB per connection, 1 socket each); ratio ${(proxyIdle.perConnection / Math.max(0.1, directIdle.perConnection)).toFixed(2)}`,
  '',
  true,
);

// ---------- 1. throughput ----------
await upload(ports.sink); // warm up both paths
await upload(upstreams.sink);
const up = { direct: [], proxy: [] };
const down = { direct: [], proxy: [] };
const cpu = { proxy: 0, servers: 0, bytes: 0 }; // CPU time per transfer, insensitive to what else runs
for (let i = 0; i < ROUNDS; i++) {
  up.direct.push(await upload(upstreams.sink));
  const p0 = cpuMs(proxyChild.pid);
  const s0 = cpuMs(serversChild.pid);
  up.proxy.push(await upload(ports.sink));
  cpu.proxy += cpuMs(proxyChild.pid) - p0;
  cpu.servers += cpuMs(serversChild.pid) - s0;
  cpu.bytes += TRANSFER;
  down.direct.push(TRANSFER / (await download(upstreams.source, TRANSFER)) / 1e9);
  down.proxy.push(TRANSFER / (await download(ports.source, TRANSFER)) / 1e9);
}
for (const [label, r] of [
  ['client to server', up],
  ['server to client', down],
]) {
  const d = median(r.direct);
  const p = median(r.proxy);
  const ratio = p / d;
  row(
    `throughput, 256 MiB on one connection, ${label} (median of ${ROUNDS})`,
    `direct ${d.toFixed(2)} GB/s, proxy ${p.toFixed(2)} GB/s, ratio ${ratio.toFixed(2)}`,
    'ratio ≥ 0.8 and ≥ 1 GB/s',
    ratio >= 0.8 && p >= 1,
  );
}

row(
  'CPU time per GiB through the proxy, client to server (from /proc, independent of what else runs)',
  `proxy process ${((cpu.proxy / cpu.bytes) * 2 ** 30).toFixed(0)} ms/GiB; the sink it forwards to ${((cpu.servers / cpu.bytes) * 2 ** 30).toFixed(0)} ms/GiB`,
  '',
  true,
);

// ---------- 2. added latency ----------
await roundTrips(upstreams.echo, 500);
await roundTrips(ports.echo, 500);
const rtDirect = [];
const rtProxy = [];
for (let block = 0; block < 10; block++) {
  rtDirect.push(...(await roundTrips(upstreams.echo, ROUND_TRIPS / 10)));
  rtProxy.push(...(await roundTrips(ports.echo, ROUND_TRIPS / 10)));
}
const addedMedian = median(rtProxy) - median(rtDirect);
const addedP99 = pct(rtProxy, 99) - pct(rtDirect, 99);
row(
  `round trip of 64 bytes, ${ROUND_TRIPS} sequential (µs)`,
  `direct median ${median(rtDirect).toFixed(1)} / p99 ${pct(rtDirect, 99).toFixed(1)}; proxy median ${median(rtProxy).toFixed(1)} / p99 ${pct(rtProxy, 99).toFixed(1)}; added median ${addedMedian.toFixed(1)}, p99 ${addedP99.toFixed(1)}`,
  'added median ≤ 100 µs',
  addedMedian <= 100,
);

// ---------- 2b. HTTP requests through the HTTP-aware path ----------
async function httpRequests(port, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  agent.destroy();
  return times;
}
await httpRequests(upstreams.http, 200);
await httpRequests(ports.http, 200);
const httpDirect = [];
const httpProxy = [];
for (let block = 0; block < 5; block++) {
  httpDirect.push(...(await httpRequests(upstreams.http, 400)));
  httpProxy.push(...(await httpRequests(ports.http, 400)));
}
row(
  'HTTP GET on a keep-alive connection, 2,000 sequential (µs; the proxy parses HTTP connections)',
  `direct median ${median(httpDirect).toFixed(1)} / p99 ${pct(httpDirect, 99).toFixed(1)}; proxy median ${median(httpProxy).toFixed(1)} / p99 ${pct(httpProxy, 99).toFixed(1)}; added median ${(median(httpProxy) - median(httpDirect)).toFixed(1)}`,
  '',
  true,
);

// ---------- 3. latency accuracy ----------
await api(base, 'POST', '/proxies/echo/toxics', { name: 'lat', type: 'latency', stream: 'downstream', attributes: { latency: 100 } });
const withLatency = (await roundTrips(ports.echo, 100)).map((us) => us / 1000);
await api(base, 'DELETE', '/proxies/echo/toxics/lat');
const plain = (await roundTrips(ports.echo, 100)).map((us) => us / 1000);
const latencyError = median(withLatency) - median(plain) - 100;
row(
  'latency toxic of 100 ms, 100 round trips (ms)',
  `median added ${(median(withLatency) - median(plain)).toFixed(2)} ms (error ${latencyError >= 0 ? '+' : ''}${latencyError.toFixed(2)} ms), p99 ${pct(withLatency, 99).toFixed(2)} ms`,
  'within 2 ms at the median',
  Math.abs(latencyError) <= 2,
);

// ---------- 4. bandwidth accuracy ----------
for (const [rate, bytes] of [
  [1000, 2_000_000],
  [10_000, 20_000_000],
  [50_000, 100_000_000],
]) {
  await api(base, 'POST', '/proxies/source/toxics', { name: 'bw', type: 'bandwidth', stream: 'downstream', attributes: { rate } });
  const seconds = await download(ports.source, bytes);
  await api(base, 'DELETE', '/proxies/source/toxics/bw');
  const measured = bytes / seconds / 1000; // KB/s
  const error = (measured - rate) / rate;
  row(
    `bandwidth toxic, rate ${rate} KB/s, ${bytes / 1e6} MB`,
    `${measured.toFixed(0)} KB/s in ${seconds.toFixed(2)} s (error ${(error * 100).toFixed(2)}%)`,
    'within 5%',
    Math.abs(error) <= 0.05,
  );
}

// ---------- report ----------
proxyChild.kill('SIGTERM');
serversChild.stdin.end();
const cpuModel = os.cpus()[0]?.model ?? 'unknown';
const lines = [
  '# Proxy benchmarks',
  '',
  `Command: \`npm run build && node bench/proxy.mjs\` (from the repository root).`,
  '',
  `Run ${new Date().toISOString()} on ${os.cpus().length} × ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()};`,
  `load average at the start ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}, at the end ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}.`,
  'Three processes on loopback: the client (this script), the upstream servers (bench/servers.mjs) and the',
  'real `faultline proxy`; each number is measured side by side with the same client going directly to the',
  'same server in the same run. The machine is shared (other work may run at the same time): numbers vary',
  'from run to run, and are recorded here as measured.',
  '',
  '| benchmark | measured | goal | met |',
  '|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.measured} | ${r.goal || '-'} | ${r.goal ? (r.met ? 'yes' : '**no**') : '-'} |`),
  '',
  'Raw samples:',
  '',
  `- client to server GB/s: direct ${up.direct.map((x) => x.toFixed(2)).join(', ')}; proxy ${up.proxy.map((x) => x.toFixed(2)).join(', ')}`,
  `- server to client GB/s: direct ${down.direct.map((x) => x.toFixed(2)).join(', ')}; proxy ${down.proxy.map((x) => x.toFixed(2)).join(', ')}`,
  `- idle connections RSS KiB: proxy ${proxyIdle.before} → ${proxyIdle.after}; echo server ${directIdle.before} → ${directIdle.after}`,
  '',
];
const notes = [
  '## Reading the numbers',
  '',
  '- With no toxic a direction is a plain `socket.pipe()`: the proxy adds one more hop, two more copies through the',
  '  kernel and one more process competing for the two cores with the client and the server. The direct baseline',
  '  alone varies from 0.4 to 2 GB/s between runs on this shared machine, and the ratio with it.',
  '- Where the proxy spends its CPU: the proxy process uses about 2 s of CPU per GiB forwarded (the row above),',
  '  counting the read and write system calls of both legs, the page faults of the fresh 64 KiB buffer Node',
  '  allocates for every read, and garbage collection on its helper threads. A CPU profile of its JavaScript thread',
  '  during the transfer shows about 1.1 s/GiB busy: the write system call (`writeBuffer`) about 40%, garbage',
  '  collection about 17%, the proxy code itself a few percent. On two cores shared with the client and the',
  '  server, this is what bounds the throughput.',
  "- Tried and not adopted: reading into a fixed buffer (`net.Socket`'s `onread`) instead of `pipe()` cut the proxy's",
  '  CPU time per GiB by about 40% in a prototype (no allocation, no page faults per read), but each socket then holds its read buffer for its whole life',
  '  (64 KiB or more, twice per connection: 128 MiB for 1,000 idle connections, against about 14 KiB each now) and',
  '  the accepted socket must be rebuilt from its private `_handle`. A larger `highWaterMark` (256 KiB, 1 MiB) on the',
  '  sockets made no measurable difference.',
  '- The latency and bandwidth toxics keep one timer per connection and direction (not one per chunk); their',
  '  accuracy is that of Node timers (about 1 ms).',
  '- The added latency of an HTTP request is larger than that of raw bytes because HTTP connections are parsed',
  '  (so that HTTP faults reach live keep-alive connections); raw TCP connections are never parsed.',
  '',
].join('\n');
writeFileSync(path.join(HERE, 'RESULTS.md'), `${lines.join('\n')}${notes}`);
log('written to bench/RESULTS.md');
process.exit(0);
