/**
 * faultline's proxy side by side with the real Toxiproxy, a bare Node pipe and the direct path, in one
 * run, with real clients (issue 14):
 *
 *   - throughput of one connection (256 MiB) and of 8 connections (8 x 64 MiB) into a meter
 *   - redis-benchmark SET and GET against Debian's redis-server
 *   - wrk against nginx-light (faultline's proxy in its default mode: HTTP connections are parsed, so
 *     that HTTP faults can reach them)
 *   - 64-byte ping-pong (added round trip at the median)
 *   - 1,000 idle connections (RSS growth of the proxy process), idle RSS against a bare Node echo server
 *   - CPU per GiB forwarded (from /proc, whatever else runs on the machine)
 *   - latency toxic at 1, 10, 100 ms and bandwidth toxic at 1, 10, 100 MB/s, faultline and Toxiproxy
 *     driven through the same Toxiproxy API calls
 *
 * Every figure is measured in each of ROUNDS rounds (default 5), the four paths in turn, and reported
 * as min / median / max of the per-round ratio, so that the machine's drift cancels out.
 *
 *   npm run build && npx tsx bench/proxy-vs-toxiproxy.ts     # writes bench/results/proxy-vs-toxiproxy.md
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_SOAK_GIB (default 0: no soak; 20 for the 20 GiB soak),
 * TOXIPROXY (default ../shared/tools/toxiproxy/toxiproxy-server beside the repository). Every server
 * listens on 127.0.0.1 and is started and stopped by this script; each step has a time bound.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SOAK_GIB = Number(process.env.BENCH_SOAK_GIB ?? 0);
const TOXIPROXY = process.env.TOXIPROXY ?? path.join(ROOT, '..', 'shared', 'tools', 'toxiproxy', 'toxiproxy-server');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BULK_ONE = 256 * MiB;
const BULK_EACH_OF_8 = 64 * MiB;
const PING_PONGS = 2000;
const IDLE = 1000;
const LATENCIES_MS = [1, 10, 100];
const RATES_MBPS = [1, 10, 100];
const TMP = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-proxy-'));

/** faultline-untuned: the same proxy with FAULTLINE_PROXY_MALLOC_TUNING=off, the before of that change in the same run */
type PathName = 'faultline' | 'toxiproxy' | 'node-pipe' | 'direct' | 'faultline-untuned';
const PATHS: PathName[] = ['faultline', 'toxiproxy', 'node-pipe', 'direct', 'faultline-untuned'];
type Upstream = 'redis' | 'nginx' | 'meter' | 'source' | 'echo';
const UPSTREAMS: Upstream[] = ['redis', 'nginx', 'meter', 'source', 'echo'];

// ---------------------------------------------------------------- processes

const children: ChildProcess[] = [];
/** nginx's master stops its workers on SIGTERM; a SIGKILL would leave them running */
const TERMINATE_GENTLY = new Set(['nginx']);
function killAll(): void {
  for (const child of children) if (child.exitCode === null) child.kill(TERMINATE_GENTLY.has(child.spawnfile) ? 'SIGTERM' : 'SIGKILL');
}
process.on('exit', () => {
  killAll();
  rmSync(TMP, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

function start(command: string, args: string[], options: { stdin?: 'pipe'; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr?.on('data', (d) => {
    log = (log + d).slice(-2000);
  });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`bench: ${command} ${args.join(' ')} exited (${code ?? signal}): ${log}\n`);
      process.exit(3);
    }
  });
  return child;
}
let stopping = false;

/** Resolves with the first stdout text for which `ready` returns a value; bounded. */
function waitOutput<T>(child: ChildProcess, ready: (out: string) => T | undefined, what: string, ms = 20_000): Promise<T> {
  let out = '';
  return bounded(
    new Promise<T>((resolve) => {
      child.stdout?.on('data', (d) => {
        out += d;
        const value = ready(out);
        if (value !== undefined) resolve(value);
      });
    }),
    ms,
    what,
  );
}

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function run(command: string, args: string[], ms: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { timeout: ms, maxBuffer: 16 * MiB }, (error, stdout, stderr) =>
      error
        ? reject(
            new Error(`${command} ${args.join(' ')}: ${error.killed ? `killed after ${ms / 1000}s` : error.message}: ${stdout} ${stderr}`),
          )
        : resolve(stdout),
    ),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitListening(port: number, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${what} does not listen on ${port}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) / 1024;
}

// ---------------------------------------------------------------- servers and proxies

const SERVERS_SCRIPT = path.join(ROOT, 'bench', 'servers.mjs');

async function startUpstreams(): Promise<Record<Upstream, number>> {
  const servers = start(process.execPath, [SERVERS_SCRIPT], { stdin: 'pipe' });
  const ports = await waitOutput(servers, (out) => (out.includes('\n') ? JSON.parse(out) : undefined), 'bench/servers.mjs');
  const redis = await freePort();
  start('redis-server', ['--port', String(redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', TMP]);
  const nginx = await freePort();
  const conf = path.join(TMP, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${TMP}/nginx.pid; error_log ${TMP}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${TMP}/body; proxy_temp_path ${TMP}/proxy; fastcgi_temp_path ${TMP}/fastcgi;
  uwsgi_temp_path ${TMP}/uwsgi; scgi_temp_path ${TMP}/scgi;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:${nginx}; location / { return 200 "ok\\n"; } }
}
`,
  );
  start('nginx', ['-c', conf, '-p', TMP]);
  await waitListening(redis, 'redis-server');
  await waitListening(nginx, 'nginx');
  return { redis, nginx, meter: ports.meter, source: ports.source, echo: ports.echo };
}

interface ProxyPath {
  pid: number | null;
  api: string | null;
  ports: Record<Upstream, number>;
}

async function listenPorts(): Promise<Record<Upstream, number>> {
  const ports = {} as Record<Upstream, number>;
  for (const u of UPSTREAMS) ports[u] = await freePort();
  return ports;
}

async function startFaultline(upstreams: Record<Upstream, number>, env: NodeJS.ProcessEnv = {}): Promise<ProxyPath> {
  const ports = await listenPorts();
  const apiPort = await freePort();
  const flags = UPSTREAMS.flatMap((u) => ['--proxy', `${u}=127.0.0.1:${ports[u]},127.0.0.1:${upstreams[u]}`]);
  const child = start(process.execPath, [path.join(ROOT, 'bin', 'faultline.js'), 'proxy', '--port', String(apiPort), ...flags], {
    env,
  });
  await waitOutput(child, (out) => (out.includes('ready') ? true : undefined), 'faultline proxy');
  return { pid: child.pid ?? null, api: `http://127.0.0.1:${apiPort}`, ports };
}

async function startToxiproxy(upstreams: Record<Upstream, number>): Promise<ProxyPath> {
  const ports = await listenPorts();
  const apiPort = await freePort();
  // its best case: without LOG_LEVEL it logs every connection at trace level
  const child = start(TOXIPROXY, ['-host', '127.0.0.1', '-port', String(apiPort)], { env: { LOG_LEVEL: 'error' } });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitListening(apiPort, 'toxiproxy-server');
  for (const u of UPSTREAMS) {
    await apiCall(api, 'POST', '/proxies', { name: u, listen: `127.0.0.1:${ports[u]}`, upstream: `127.0.0.1:${upstreams[u]}` });
  }
  return { pid: child.pid ?? null, api, ports };
}

/** A bare Node pipe: each accepted socket piped to a new upstream socket and back, nothing else. */
const NODE_PIPE = `
const net = require('node:net');
for (const [listen, upstream] of JSON.parse(process.argv[1])) {
  net.createServer({ noDelay: true }, (c) => {
    const u = net.connect({ port: upstream, host: '127.0.0.1', noDelay: true });
    c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
    c.pipe(u).pipe(c);
  }).listen(listen, '127.0.0.1');
}
console.log('ready');
`;

async function startNodePipe(upstreams: Record<Upstream, number>): Promise<ProxyPath> {
  const ports = await listenPorts();
  const child = start(process.execPath, ['-e', NODE_PIPE, JSON.stringify(UPSTREAMS.map((u) => [ports[u], upstreams[u]]))]);
  await waitOutput(child, (out) => (out.includes('ready') ? true : undefined), 'node pipe');
  return { pid: child.pid ?? null, api: null, ports };
}

/** A bare Node echo server, idle: the memory baseline of `faultline proxy`. */
async function startBareEcho(): Promise<number> {
  const child = start(process.execPath, [
    '-e',
    "require('node:net').createServer((s) => s.pipe(s)).listen(0, '127.0.0.1', () => console.log('ready'))",
  ]);
  await waitOutput(child, (out) => (out.includes('ready') ? true : undefined), 'bare echo');
  return child.pid as number;
}

async function apiCall(api: string, method: string, pathname: string, body?: unknown): Promise<void> {
  const response = await fetch(`${api}${pathname}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`${method} ${api}${pathname}: HTTP ${response.status} ${await response.text()}`);
}

async function withToxic<T>(p: ProxyPath, proxy: Upstream, toxic: object, work: () => Promise<T>): Promise<T> {
  const api = p.api as string;
  await apiCall(api, 'POST', `/proxies/${proxy}/toxics`, { name: 'bench', stream: 'downstream', toxicity: 1, ...toxic });
  try {
    return await work();
  } finally {
    await apiCall(api, 'DELETE', `/proxies/${proxy}/toxics/bench`);
  }
}

// ---------------------------------------------------------------- clients

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const CHUNK = Buffer.alloc(64 * 1024, 7);

/** Writes `bytes` into the meter through `port`; resolves when the meter has counted them all. */
async function upload(port: number, bytes: number): Promise<void> {
  const s = await connect(port);
  let reply = '';
  s.on('data', (d) => {
    reply += d;
  });
  const ended = new Promise((resolve) => s.once('end', resolve));
  s.write(`${bytes}\n`);
  let sent = 0;
  const pump = () => {
    while (sent < bytes) {
      sent += CHUNK.length;
      if (!s.write(CHUNK)) return void s.once('drain', pump);
    }
  };
  pump();
  await ended;
  s.destroy();
  if (Number(reply) !== bytes) throw new Error(`the meter counted ${reply} bytes, expected ${bytes}`);
}

/** GB/s of `connections` parallel uploads of `each` bytes. */
async function throughput(port: number, connections: number, each: number): Promise<number> {
  const t0 = performance.now();
  await bounded(Promise.all(Array.from({ length: connections }, () => upload(port, each))), 120_000, 'upload');
  return (connections * each) / ((performance.now() - t0) / 1000) / 1e9;
}

/** Reads `bytes` from the source; seconds taken. */
async function download(port: number, bytes: number): Promise<number> {
  const s = await connect(port);
  let got = 0;
  const t0 = performance.now();
  s.on('data', (d: Buffer) => {
    got += d.length;
  });
  const ended = new Promise((resolve) => s.once('end', resolve));
  s.write(`${bytes}\n`);
  await bounded(ended, 60_000, 'download');
  s.destroy();
  if (got !== bytes) throw new Error(`read ${got} bytes from the source, expected ${bytes}`);
  return (performance.now() - t0) / 1000;
}

/** Milliseconds of each of `n` sequential 64-byte round trips through the echo. */
async function pingPong(port: number, n: number): Promise<number[]> {
  const s = await connect(port);
  const message = Buffer.alloc(64, 0x7b); // '{': not the start of an HTTP request line
  const times: number[] = [];
  let have = 0;
  let wake: (() => void) | null = null;
  s.on('data', (d: Buffer) => {
    have += d.length;
    if (have >= 64 && wake) {
      have -= 64;
      const w = wake;
      wake = null;
      w();
    }
  });
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await bounded(
      new Promise<void>((resolve) => {
        wake = resolve;
        s.write(message);
      }),
      10_000,
      'round trip',
    );
    times.push(performance.now() - t0);
  }
  s.destroy();
  return times;
}

/** RSS growth (MiB) of `pid` while IDLE connections through `port` are open and idle. */
async function idleGrowth(pid: number, port: number): Promise<number> {
  const before = rssMiB(pid);
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < IDLE; i++) sockets.push(await connect(port));
    await sleep(500);
    return rssMiB(pid) - before;
  } finally {
    for (const s of sockets) s.destroy();
    await sleep(300);
  }
}

async function redisOps(port: number): Promise<{ set: number; get: number }> {
  const out = await run(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', String(port), '-t', 'set,get', '-n', '40000', '-c', '50', '--csv'],
    60_000,
  );
  const rps = (test: string) => Number(new RegExp(`"${test}","([\\d.]+)"`).exec(out)?.[1]);
  return { set: rps('SET'), get: rps('GET') };
}

async function wrkRps(port: number): Promise<number> {
  const out = await run('wrk', ['-t', '2', '-c', '32', '-d', '3s', `http://127.0.0.1:${port}/`], 30_000);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  if (!(rps > 0) || /Non-2xx|Socket errors/.test(out)) throw new Error(`wrk through ${port}: ${out}`);
  return rps;
}

// ---------------------------------------------------------------- statistics and the report

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const spread = (xs: number[], digits = 2) =>
  xs.length ? `${fmt(Math.min(...xs), digits)} / ${fmt(median(xs), digits)} / ${fmt(Math.max(...xs), digits)}` : '-';

/** samples[figure][path] = one value per round */
const samples = new Map<string, Partial<Record<PathName, number[]>>>();
function record(figure: string, p: PathName, value: number): void {
  const byPath = samples.get(figure) ?? {};
  (byPath[p] ??= []).push(value);
  samples.set(figure, byPath);
}
const values = (figure: string, p: PathName) => samples.get(figure)?.[p] ?? [];
/** per-round ratios a/b of two paths of a figure */
const ratios = (figure: string, a: PathName, b: PathName) => {
  const x = values(figure, a);
  const y = values(figure, b);
  return x.map((v, i) => v / (y[i] as number)).filter(Number.isFinite);
};
// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  if (!existsSync(TOXIPROXY)) {
    process.stderr.write(`bench: Toxiproxy is not at ${TOXIPROXY}; set TOXIPROXY=/path/to/toxiproxy-server\n`);
    process.exit(3);
  }
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('bench: faultline is not built; run npm run build first\n');
    process.exit(3);
  }
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const upstreams = await startUpstreams();
  const proxies: Record<PathName, ProxyPath> = {
    faultline: await startFaultline(upstreams),
    toxiproxy: await startToxiproxy(upstreams),
    'node-pipe': await startNodePipe(upstreams),
    direct: { pid: null, api: null, ports: upstreams },
    'faultline-untuned': await startFaultline(upstreams, { FAULTLINE_PROXY_MALLOC_TUNING: 'off' }),
  };
  const barePid = await startBareEcho();
  await sleep(1000);
  const idleRss = {
    faultline: rssMiB(proxies.faultline.pid as number),
    toxiproxy: rssMiB(proxies.toxiproxy.pid as number),
    bare: rssMiB(barePid),
  };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `bench: idle RSS faultline ${fmt(idleRss.faultline, 1)} MiB, toxiproxy ${fmt(idleRss.toxiproxy, 1)} MiB, bare Node echo ${fmt(idleRss.bare, 1)} MiB`,
  );

  for (let round = 0; round < ROUNDS; round++) {
    // the paths in a different order each round, so that none always goes first
    const order = PATHS.map((_, i) => PATHS[(i + round) % PATHS.length] as PathName);
    for (const p of order) {
      const { ports, pid } = proxies[p];
      const cpu0 = pid ? cpuSeconds(pid) : 0;
      record('throughput, 1 connection (GB/s)', p, await throughput(ports.meter, 1, BULK_ONE));
      record('throughput, 8 connections (GB/s)', p, await throughput(ports.meter, 8, BULK_EACH_OF_8));
      if (pid) record('CPU per GiB forwarded (s)', p, (cpuSeconds(pid) - cpu0) / ((BULK_ONE + 8 * BULK_EACH_OF_8) / GiB));
      const trips = await pingPong(ports.echo, PING_PONGS);
      record('round trip of 64 bytes, p50 (µs)', p, median(trips) * 1000);
      const redis = await redisOps(ports.redis);
      record('redis SET (ops/s)', p, redis.set);
      record('redis GET (ops/s)', p, redis.get);
      record('nginx through the endpoint, wrk (req/s)', p, await wrkRps(ports.nginx));
      if (pid) record('RSS growth, 1,000 idle connections (MiB)', p, await idleGrowth(pid, ports.echo));
      log(`bench: round ${round + 1}/${ROUNDS} ${p} done`);
    }
    for (const p of ['faultline', 'toxiproxy'] as const) {
      const proxy = proxies[p];
      const base = median(await pingPong(proxy.ports.echo, 200));
      for (const ms of LATENCIES_MS) {
        const n = ms >= 100 ? 12 : ms >= 10 ? 40 : 100;
        const trips = await withToxic(proxy, 'echo', { type: 'latency', attributes: { latency: ms, jitter: 0 } }, () =>
          pingPong(proxy.ports.echo, n),
        );
        record(`latency toxic ${ms} ms, error at p50 (ms)`, p, median(trips) - base - ms);
      }
      for (const mbps of RATES_MBPS) {
        const bytes = Math.round(mbps * 1e6 * 1.5); // 1.5 s at the nominal rate
        const seconds = await withToxic(proxy, 'source', { type: 'bandwidth', attributes: { rate: mbps * 1000 } }, () =>
          download(proxy.ports.source, bytes),
        );
        record(`bandwidth toxic ${mbps} MB/s, achieved (% of the rate)`, p, (bytes / seconds / (mbps * 1e6)) * 100);
      }
      log(`bench: round ${round + 1}/${ROUNDS} ${p} toxics done`);
    }
  }

  const soak = SOAK_GIB > 0 ? await runSoak(proxies.faultline, SOAK_GIB, log) : null;
  const loadAtEnd = os.loadavg();
  stopping = true;
  killAll();
  writeReport({ startedAt, loadAtStart, loadAtEnd, idleRss, soak });
}

interface Soak {
  gib: number;
  cpuPerGibFirst: number;
  cpuPerGibLast: number;
  rssFirst: number;
  rssLast: number;
}

/** `gib` GiB through faultline's proxy in 1 GiB pieces: CPU per GiB and RSS of the first and the last piece. */
async function runSoak(proxy: ProxyPath, gib: number, log: (line: string) => void): Promise<Soak> {
  const pid = proxy.pid as number;
  const pieces: { cpu: number; rss: number }[] = [];
  for (let i = 0; i < gib; i++) {
    const cpu0 = cpuSeconds(pid);
    await throughput(proxy.ports.meter, 1, GiB);
    pieces.push({ cpu: cpuSeconds(pid) - cpu0, rss: rssMiB(pid) });
    log(`bench: soak ${i + 1}/${gib} GiB: ${fmt(pieces.at(-1)?.cpu ?? 0)} s CPU, RSS ${fmt(rssMiB(pid), 1)} MiB`);
  }
  const first = pieces[0] as { cpu: number; rss: number };
  const last = pieces.at(-1) as { cpu: number; rss: number };
  return { gib, cpuPerGibFirst: first.cpu, cpuPerGibLast: last.cpu, rssFirst: first.rss, rssLast: last.rss };
}

function writeReport(run: {
  startedAt: Date;
  loadAtStart: number[];
  loadAtEnd: number[];
  idleRss: { faultline: number; toxiproxy: number; bare: number };
  soak: Soak | null;
}): void {
  const rows: string[][] = [];
  for (const [figure, byPath] of samples) {
    rows.push([figure, ...PATHS.map((p) => spread(byPath[p] ?? [], figure.includes('ops/s') || figure.includes('req/s') ? 0 : 2))]);
  }
  const higherIsBetter = (figure: string) => ratios(figure, 'faultline', 'toxiproxy');
  const lowerIsBetter = (figure: string) => ratios(figure, 'toxiproxy', 'faultline');
  const roundTrip = 'round trip of 64 bytes, p50 (µs)';
  const added = (p: PathName) => values(roundTrip, p).map((x, i) => x - (values(roundTrip, 'direct')[i] as number));
  const addedFaultline = added('faultline');
  const addedToxiproxy = added('toxiproxy');
  const absErrorRatio = (figure: string) =>
    values(figure, 'toxiproxy')
      .map((t, i) => Math.abs(t) / Math.abs(values(figure, 'faultline')[i] as number))
      .filter(Number.isFinite);
  const goals: [string, number[], string][] = [
    ['throughput, 1 connection', higherIsBetter('throughput, 1 connection (GB/s)'), 'faultline / Toxiproxy >= 1'],
    ['throughput, 8 connections', higherIsBetter('throughput, 8 connections (GB/s)'), 'faultline / Toxiproxy >= 1'],
    ['redis SET ops/s', higherIsBetter('redis SET (ops/s)'), 'faultline / Toxiproxy >= 1'],
    ['redis GET ops/s', higherIsBetter('redis GET (ops/s)'), 'faultline / Toxiproxy >= 1'],
    [
      'wrk req/s through an endpoint that can take HTTP faults',
      higherIsBetter('nginx through the endpoint, wrk (req/s)'),
      'faultline / Toxiproxy >= 1',
    ],
    ['added round trip at p50', addedToxiproxy.map((t, i) => t / (addedFaultline[i] as number)), 'Toxiproxy added / faultline added >= 1'],
    ['CPU per GiB forwarded', lowerIsBetter('CPU per GiB forwarded (s)'), 'Toxiproxy / faultline >= 1'],
    ...LATENCIES_MS.map((ms): [string, number[], string] => [
      `latency toxic ${ms} ms, error at p50`,
      absErrorRatio(`latency toxic ${ms} ms, error at p50 (ms)`),
      '|Toxiproxy error| / |faultline error| >= 1',
    ]),
  ];
  const goalRows = goals.map(([what, xs, goal]) => [what, spread(xs), goal, xs.length && median(xs) >= 1 ? 'yes' : '**no**']);
  for (const mbps of RATES_MBPS) {
    const figure = `bandwidth toxic ${mbps} MB/s, achieved (% of the rate)`;
    const f = values(figure, 'faultline');
    const t = values(figure, 'toxiproxy');
    const within = f.filter((x) => Math.abs(x - 100) <= 2).length;
    const worse = f.filter((x, i) => Math.abs(x - 100) > Math.abs((t[i] as number) - 100)).length;
    goalRows.push([
      `bandwidth toxic ${mbps} MB/s`,
      `faultline ${spread(f, 1)} %, Toxiproxy ${spread(t, 1)} %`,
      'within 2% in every round, and no further off than Toxiproxy',
      within === f.length && worse === 0 ? 'yes' : `**no** (${f.length - within} round(s) outside 2%, ${worse} further off than Toxiproxy)`,
    ]);
  }
  const rssGap = run.idleRss.faultline - run.idleRss.bare;
  goalRows.push([
    'idle RSS of `faultline proxy` against a bare Node echo server',
    `${fmt(run.idleRss.faultline, 1)} MiB against ${fmt(run.idleRss.bare, 1)} MiB (+${fmt(rssGap, 1)} MiB); Toxiproxy ${fmt(run.idleRss.toxiproxy, 1)} MiB`,
    'within 10 MiB',
    rssGap <= 10 ? 'yes' : '**no**',
  ]);
  if (run.soak) {
    const s = run.soak;
    goalRows.push([
      `soak of ${s.gib} GiB through faultline`,
      `CPU per GiB ${fmt(s.cpuPerGibFirst)} s first, ${fmt(s.cpuPerGibLast)} s last; RSS ${fmt(s.rssFirst, 1)} → ${fmt(s.rssLast, 1)} MiB`,
      'no growth of CPU per GiB or memory',
      s.cpuPerGibLast <= s.cpuPerGibFirst * 1.1 && s.rssLast <= s.rssFirst + 10 ? 'yes' : '**no**',
    ]);
  }
  const tuningRows = [
    ['throughput, 1 connection (GB/s)', 'tuned / untuned'],
    ['throughput, 8 connections (GB/s)', 'tuned / untuned'],
    ['redis SET (ops/s)', 'tuned / untuned'],
    ['redis GET (ops/s)', 'tuned / untuned'],
    ['nginx through the endpoint, wrk (req/s)', 'tuned / untuned'],
    ['CPU per GiB forwarded (s)', 'untuned / tuned'],
  ].map(([figure, how]) => [
    figure as string,
    spread(how === 'tuned / untuned' ? ratios(figure as string, 'faultline', 'faultline-untuned') : ratios(figure as string, 'faultline-untuned', 'faultline')),
    how as string,
  ]);
  const table = (header: string[], body: string[][]) =>
    [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const cpu = os.cpus();
  const text = `## faultline's proxy side by side with Toxiproxy (issue 14)

Command: \`npm run build && npx tsx bench/proxy-vs-toxiproxy.ts\` (from the repository root; BENCH_ROUNDS=${ROUNDS}${SOAK_GIB ? `, BENCH_SOAK_GIB=${SOAK_GIB}` : ''}).

Run ${run.startedAt.toISOString()} on ${cpu.length} × ${cpu[0]?.model ?? '?'}, Node ${process.version}, Toxiproxy v2.7.0 (../shared/tools/toxiproxy);
load average at the start ${run.loadAtStart.map((x) => x.toFixed(2)).join(', ')}, at the end ${run.loadAtEnd.map((x) => x.toFixed(2)).join(', ')}.
**The machine was shared** with other work during the run: absolute figures vary from run to run; the ratios
are taken round by round (the four paths one after the other within a round, their order rotated each round).
Servers: Debian's redis-server and nginx-light, bench/servers.mjs (meter, source, echo), all on 127.0.0.1; clients:
redis-benchmark (40,000 requests, 50 clients), wrk (2 threads, 32 connections, 3 s), this script for the rest.
faultline's proxy runs in its default mode (\`protocol: auto\`: HTTP connections are parsed, so that HTTP faults
can reach live keep-alive connections). Figures are min / median / max over ${ROUNDS} rounds.

### Goals (each a ratio against Toxiproxy in the same round; >= 1 means faultline is at least as good)

${table(['goal', 'min / median / max', 'goal', 'met (median)'], goalRows)}

### The allocator tuning (src/proxy/malloc-tuning.ts), before and after in the same run

faultline-untuned is the same \`faultline proxy\` started with \`FAULTLINE_PROXY_MALLOC_TUNING=off\` (>= 1: the tuning helps).

${table(['figure', 'min / median / max', 'ratio'], tuningRows)}

### Every figure

${table(['figure', ...PATHS], rows)}
`;
  writeFileSync(path.join(ROOT, 'bench', 'results', 'proxy-vs-toxiproxy.md'), text);
  process.stdout.write(text);
}

await main().catch((error) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  process.exit(3);
});
process.exit(0);
