/**
 * Hostile load on the daemon's authentication (issue 19), each figure measured side by side with a
 * baseline in the same run. The daemon is a real `faultline serve` child process (so the load generator
 * does not share its event loop), on loopback, started with --trust-proxy so that the attackers can
 * speak from many addresses: the per-address limit then does not stop them, and what keeps the daemon
 * answering is the per-token limit and the bounded hashing pool. Every loop is bounded in time.
 *
 *   0. baseline: GET /api/v1/health, 10 clients, no other load
 *   1. 500 concurrent bad-secret requests (real token ids, wrong secrets, 500 addresses) going on for 8 s,
 *      sent by bench/auth-attackers.mjs, a process of its own (the bench's event loop times the operator):
 *      GET /api/v1/health p99 (goal <= 200 ms), and an operator's halt (a token never used before) while
 *      a run pauses a process: time from the request to the process running again (goal <= 1 s)
 *   2. 500 concurrent viewer requests with one valid token never used before: p99 (goal <= 1 s), timeouts
 *   3. the history of 10,000 runs: in bench/daemon.ts (npx tsx bench/daemon.ts), p99 against health
 *
 * Run: `npm run build && npx tsx bench/auth-load.ts` (about a minute). Prints a table, and writes it to
 * bench/results/auth-load.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'faultline.js');
const home = mkdtempSync(join(tmpdir(), 'faultline-bench-auth-'));
process.env.FAULTLINE_HOME = home;

const { SqliteDaemonStore } = await import('../src/store/sqlite-daemon-store.js');
const { Authenticator } = await import('../src/server/auth.js');

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
}

function stats(samples: number[], failed = 0): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN, failed };
}

async function timed(url: string, init: RequestInit = {}): Promise<{ ms: number; status: number }> {
  const t = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return { ms: performance.now() - t, status: res.status };
  } catch {
    return { ms: performance.now() - t, status: 0 }; // a timeout or a refused connection
  }
}

/** `clients` loops of GET `path` until `until()`, at most `max` requests each. */
async function probeLoop(url: string, clients: number, until: () => boolean, max: number): Promise<Stats> {
  const samples: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < max && !until(); i++) {
        const r = await timed(url);
        if (r.status === 200) samples.push(r.ms);
        else failed++;
      }
    }),
  );
  return stats(samples, failed);
}

// ---------- setup: users, 40 tokens (their ids are what attackers know), a sleeper to pause ----------
const store = new SqliteDaemonStore(join(home, 'runs.db'));
const auth = new Authenticator(store);
const now = new Date().toISOString();
await store.createUser({ name: 'olga', role: 'operator', createdAt: now, createdBy: 'bench' });
await store.createUser({ name: 'vic', role: 'viewer', createdAt: now, createdBy: 'bench' });
const victims = await Promise.all(Array.from({ length: 40 }, () => auth.createToken('vic', { createdBy: 'bench' })));
const starter = await auth.createToken('olga', { createdBy: 'bench' });
const halter = await auth.createToken('olga', { createdBy: 'bench' });
const stampede = await auth.createToken('vic', { createdBy: 'bench' });
await store.close();

const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
const children: ChildProcess[] = [sleeper];
const daemon = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--trust-proxy'], {
  env: { ...process.env, FAULTLINE_HOME: home, NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
children.push(daemon);
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
let output = '';
daemon.stdout?.on('data', (c: Buffer) => (output += c.toString()));
daemon.stderr?.on('data', (c: Buffer) => (output += c.toString()));
const deadline = Date.now() + 20_000;
while (!/faultline serve: (http:\/\/\S+) /.test(output)) {
  if (Date.now() > deadline) throw new Error(`the daemon did not start:\n${output}`);
  await new Promise((r) => setTimeout(r, 50));
}
const url = (/faultline serve: (http:\/\/\S+) /.exec(output) as RegExpExecArray)[1] as string;
const health = `${url}/api/v1/health`;

const rows: string[][] = [];
const goals: string[] = [];
const fmt = (s: Stats) =>
  `n ${s.n}, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms, failed ${s.failed}`;

// ---------- 0. baselines: one scrypt on this machine now, health without load ----------
const { secretMatches } = await import('../src/auth/tokens.js');
const scryptMs: number[] = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await secretMatches('x'.repeat(43), '00'.repeat(16), '00'.repeat(32));
  scryptMs.push(performance.now() - t);
}
rows.push([
  'one token verification (scrypt N=2^15), alone, 3 in a row (baseline of what a halt must pay)',
  scryptMs.map((m) => `${m.toFixed(0)} ms`).join(', '),
  '-',
  '-',
]);

await probeLoop(health, 10, () => false, 20); // warm up
const baseline = await probeLoop(health, 10, () => false, 100);
rows.push(['GET /api/v1/health, 10 clients, no other load (baseline)', fmt(baseline), '-', '-']);

// ---------- 1. a stampede of one valid token never used before, against the same with a token remembered ----------
async function burst(token: string): Promise<Stats> {
  const samples: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: 500 }, async () => {
      const r = await timed(`${url}/api/v1/runs?limit=20`, { headers: { authorization: `Bearer ${token}` } });
      if (r.status === 200) samples.push(r.ms);
      else failed++;
    }),
  );
  return stats(samples, failed);
}
await timed(`${url}/api/v1/whoami`, { headers: { authorization: `Bearer ${starter.token}` } }); // remembered from now on
const remembered = await burst(starter.token);
rows.push(['500 concurrent GET /api/v1/runs?limit=20 with a token verified before (baseline of the burst)', fmt(remembered), '-', '-']);

await new Promise((r) => setTimeout(r, 500));
const stampedeStats = await burst(stampede.token);
rows.push([
  '500 concurrent GET /api/v1/runs?limit=20 with one viewer token never used before',
  fmt(stampedeStats),
  `p99 ×${(stampedeStats.p99 / remembered.p99).toFixed(1)} of the same burst with a remembered token`,
  stampedeStats.p99 <= 1000 && stampedeStats.failed === 0 ? 'yes (goal p99 <= 1 s, no timeouts)' : 'no (goal p99 <= 1 s, no timeouts)',
]);

// ---------- 2. 500 concurrent bad secrets ----------
const pausedState = () => /^State:\s+(\S)/m.exec(readFileSync(`/proc/${sleeper.pid}/status`, 'utf8'))?.[1];
const experiment = `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: bench-pause }\nspec:\n  hypothesis: h\n  targets: [ { name: w, process: { pid: ${sleeper.pid} } } ]\n  method: [ { fault: process.pause, selector: { names: [ w ] }, duration: 60s } ]\n`;
const started = await fetch(`${url}/api/v1/runs`, {
  method: 'POST',
  headers: { authorization: `Bearer ${starter.token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ yaml: experiment }),
});
if (started.status !== 202) throw new Error(`the run did not start: ${started.status} ${await started.text()}`);
while (pausedState() !== 'T') await new Promise((r) => setTimeout(r, 20));

const attackMs = 8000;
/**
 * 500 clients sending wrong secrets for the known token ids for `attackMs`, from one address or from
 * 500; meanwhile health is probed, and at `haltAfterMs` an operator halts (when `halter` is given).
 */
async function attack(addresses: 'one' | 'many', halterToken: string | null) {
  const attackEnds = Date.now() + attackMs;
  const bad = victims.map((v) => `${v.token.slice(0, 17)}${'W'.repeat(43)}`);
  const generator = spawn(process.execPath, [join(ROOT, 'bench', 'auth-attackers.mjs'), url, addresses, String(attackMs), ...bad], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(generator);
  let answers = '';
  generator.stdout?.on('data', (c: Buffer) => (answers += c.toString()));
  const attackers = new Promise<Record<string, number>>((resolve) => generator.once('close', () => resolve(JSON.parse(answers || '{}'))));
  await new Promise((r) => setTimeout(r, 1000)); // the attack is going on
  const probed = probeLoop(health, 10, () => Date.now() > attackEnds - 500, 10_000);
  let halt: { status: number; ms: number; revertedMs: number } | null = null;
  if (halterToken) {
    await new Promise((r) => setTimeout(r, 2000));
    const haltStarted = performance.now();
    const answer = await timed(`${url}/api/v1/halt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${halterToken}`, 'content-type': 'application/json', 'x-forwarded-for': '10.9.0.1' },
      body: JSON.stringify({ reason: 'bench: halt under attack' }),
    });
    while (pausedState() === 'T' && performance.now() - haltStarted < 10_000) await new Promise((r) => setTimeout(r, 5));
    halt = { ...answer, revertedMs: performance.now() - haltStarted };
  }
  const healthStats = await probed;
  const summary = Object.entries(await attackers)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([s, n]) => `${s === '0' ? 'timeout' : s} × ${n}`)
    .join(', ');
  return { healthStats, halt, summary };
}

for (const addresses of ['one', 'many'] as const) {
  const { healthStats, halt, summary } = await attack(addresses, addresses === 'many' ? halter.token : null);
  rows.push([
    `GET /api/v1/health while 500 clients send wrong secrets for ${victims.length} real token ids for ${attackMs / 1000} s from ${addresses === 'one' ? 'one address' : '500 addresses'} (their answers: ${summary})`,
    fmt(healthStats),
    `p99 ×${(healthStats.p99 / baseline.p99).toFixed(1)} of the baseline`,
    healthStats.p99 <= 200 ? 'yes (goal p99 <= 200 ms)' : 'no (goal p99 <= 200 ms)',
  ]);
  if (halt)
    rows.push([
      'halt during the attack from 500 addresses (an operator token never used before): from the request to the paused process running again',
      `HTTP ${halt.status} in ${halt.ms.toFixed(1)} ms; process running after ${halt.revertedMs.toFixed(1)} ms`,
      '-',
      halt.revertedMs <= 1000 && halt.status === 200 ? 'yes (goal <= 1 s)' : 'no (goal <= 1 s)',
    ]);
}
await fetch(`${url}/api/v1/halt`, { method: 'DELETE', headers: { authorization: `Bearer ${starter.token}` } });

const hashes = /^faultline_auth_hashes_total (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1];
goals.push(`scrypt computations in the whole run (faultline_auth_hashes_total): ${hashes}`);

daemon.kill('SIGTERM');
await new Promise((r) => daemon.once('close', r));
sleeper.kill('SIGKILL');

const table = [
  '| benchmark | measured | against the baseline | goal met |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const text = `# Authentication under hostile load

Command: \`npm run build && npx tsx bench/auth-load.ts\` (from the repository root).

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; load average at the end ${loadavg()
  .map((l) => l.toFixed(2))
  .join(', ')}. The machine is shared: numbers vary from run to run, and are recorded as measured.

${table}

- ${goals.join('\n- ')}
- the history of 10,000 runs (p99 against health in the same run) is measured by \`npx tsx bench/daemon.ts\`: see results/daemon.md
`;
console.log(text);
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'auth-load.md'), text);
process.exit(0);
