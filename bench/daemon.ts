/**
 * Daemon benchmarks (issue 8), each measured side by side with a baseline in the same run:
 *
 *   1. API latency with 100 concurrent clients (authenticated reads) against GET /api/v1/health
 *   2. the history with 10,000 stored runs: the runs API and the dashboard's history page, filtered and
 *      paged deep; the goal is p99 under 50 ms
 *   3. 1,000 schedules in one daemon: load and arm time, memory, listing them, and all 1,000 firing in
 *      the same second (each occurrence decided once, each run stored)
 *
 * Run: `npx tsx bench/daemon.ts` (about a minute). Prints a table, and writes it to bench/results/daemon.md.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const home = mkdtempSync(join(tmpdir(), 'faultline-bench-daemon-'));
process.env.FAULTLINE_HOME = home;

const { Daemon } = await import('../src/server/daemon.js');
const { SqliteDaemonStore } = await import('../src/store/sqlite-daemon-store.js');
const { Authenticator } = await import('../src/server/auth.js');

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
}

/** `clients` concurrent loops, each making `perClient` requests; latency of each, in ms. */
async function load(url: string, headers: Record<string, string>, clients: number, perClient: number, paths: string[]): Promise<Stats> {
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const path = paths[(c + i) % paths.length] as string;
        const t = performance.now();
        const res = await fetch(`${url}${path}`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
        samples.push(performance.now() - t);
      }
    }),
  );
  return stats(samples);
}

const rows: string[][] = [];
const row = (what: string, s: Stats, baseline?: Stats) =>
  rows.push([
    what,
    String(s.n),
    s.p50.toFixed(2),
    s.p95.toFixed(2),
    s.p99.toFixed(2),
    baseline ? `×${(s.p50 / baseline.p50).toFixed(1)} / ×${(s.p99 / baseline.p99).toFixed(1)}` : 'baseline',
  ]);

// ---------- setup: 10,000 runs, a token ----------
const store = new SqliteDaemonStore(join(home, 'runs.db'));
const auth = new Authenticator(store);
await store.createUser({ name: 'bench', role: 'admin', createdAt: new Date().toISOString(), createdBy: 'bench' });
const { token } = await auth.createToken('bench', { createdBy: 'bench' });
const t0 = Date.parse('2026-01-01T00:00:00Z');
const verdicts = ['passed', 'passed', 'passed', 'failed', 'aborted'] as const;
const insertStarted = performance.now();
for (let i = 0; i < 10_000; i++) {
  const startedAt = new Date(t0 + i * 60_000).toISOString();
  const schedule = i % 3 === 0 ? `schedule-${i % 30}` : null;
  await store.startRun(
    { id: `run-${String(i).padStart(5, '0')}`, experiment: `experiment-${i % 40}`, file: null, startedAt, seed: i },
    {
      trigger: schedule ? 'schedule' : 'api',
      actor: 'bench',
      schedule,
      scheduledFor: schedule ? startedAt : null,
      owner: { pid: 1, start: '', host: 'bench' },
    },
  );
  const verdict = verdicts[i % verdicts.length] as (typeof verdicts)[number];
  await store.finishRun(
    {
      schemaVersion: 1,
      runId: `run-${String(i).padStart(5, '0')}`,
      experiment: { name: `experiment-${i % 40}`, file: null },
      hypothesis: 'h',
      verdict,
      reason: verdict,
      startedAt,
      endedAt: new Date(t0 + i * 60_000 + 30_000).toISOString(),
      seed: i,
      targets: [],
      faults: [],
      probes: [],
      tolerances: [],
      measurements: {
        mttdMs: 1200,
        mttrMs: 3400,
        availability: 0.99,
        availabilityByPhase: { before: 1, during: 0.99, after: 1 },
        samplesByPhase: { before: 10, during: 100, after: 10 },
        latencyMs: {
          before: { p50: 1, p95: 2, p99: 3, n: 10 },
          during: { p50: 1, p95: 2, p99: 3, n: 100 },
          after: { p50: 1, p95: 2, p99: 3, n: 10 },
        },
        probeIntervalMs: 250,
        recoverySamples: 3,
      },
      timeline: [],
    },
    [],
  );
}
const insertMs = performance.now() - insertStarted;
await store.close();

const daemon = await Daemon.start({ port: 0, log: () => {} });
const headers = { authorization: `Bearer ${token}` };

// ---------- 1. 100 concurrent clients ----------
// warm up: 100 connections opened, the token verified once (then remembered), the queries prepared
await load(daemon.url, headers, 100, 5, ['/api/v1/health', '/api/v1/whoami', '/api/v1/runs?limit=20']);
await load(daemon.url, {}, 100, 10, ['/api/v1/health']);
const health = await load(daemon.url, {}, 100, 30, ['/api/v1/health']);
row('GET /api/v1/health (no auth, no store): baseline', health);
row('GET /api/v1/whoami, 100 clients (token auth)', await load(daemon.url, headers, 100, 30, ['/api/v1/whoami']), health);
row('GET /api/v1/runs?limit=20, 100 clients', await load(daemon.url, headers, 100, 30, ['/api/v1/runs?limit=20']), health);

// ---------- 2. history of 10,000 runs ----------
const cursor = Buffer.from(JSON.stringify({ startedAt: new Date(t0 + 200 * 60_000).toISOString(), id: 'run-00200' })).toString('base64url');
const history = [
  '/api/v1/runs?limit=50',
  '/api/v1/runs?experiment=experiment-7&limit=50',
  '/api/v1/runs?verdict=failed&limit=50',
  '/api/v1/runs?schedule=schedule-3&limit=50',
  `/api/v1/runs?limit=50&cursor=${cursor}`,
  '/api/v1/runs?since=2026-01-03&until=2026-01-04&limit=50',
];
const historyApi = await load(daemon.url, headers, 10, 60, history);
row('history API, 10,000 runs (filters, deep page), 10 clients', historyApi, health);
const login = await fetch(`${daemon.url}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
const historyPage = await load(daemon.url, { cookie }, 10, 30, [
  '/runs',
  '/runs?verdict=failed',
  '/runs?experiment=experiment-3',
  `/runs?cursor=${cursor}`,
]);
row('dashboard /runs page, 10,000 runs, 10 clients', historyPage, health);
await daemon.stop('bench');

// ---------- 3. 1,000 schedules ----------
const store2 = new SqliteDaemonStore(join(home, 'runs.db'));
const experiment = `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: noop }\nspec:\n  hypothesis: h\n  method: [ { pause: 50ms } ]\n`;
const now = new Date().toISOString();
await store2.putExperiments(
  [{ name: 'noop', yaml: experiment, labels: {}, hypothesis: 'h', createdAt: now, updatedAt: now, updatedBy: 'bench' }],
  false,
);
const fireAt = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000);
const cron = `${fireAt.getUTCSeconds()} ${fireAt.getUTCMinutes()} ${fireAt.getUTCHours()} * * *`;
await store2.putSchedules(
  Array.from({ length: 1000 }, (_, i) => ({
    name: `schedule-${i}`,
    yaml: `apiVersion: faultline.dev/v1\nkind: Schedule\nmetadata: { name: schedule-${i} }\nspec: { schedule: "${cron}", experiment: noop, startingDeadline: 5m }\n`,
    labels: {},
    cron,
    timeZone: 'UTC',
    experimentRef: 'noop',
    suspended: false,
    lastScheduledAt: now,
    createdAt: now,
    updatedAt: now,
    updatedBy: 'bench',
  })),
  false,
);
await store2.close();
const rssBefore = process.memoryUsage().rss;
const loadStarted = performance.now();
const big = await Daemon.start({ port: 0, log: () => {} });
const loadMs = performance.now() - loadStarted;
const rssAfter = process.memoryUsage().rss;
const list = await load(big.url, headers, 5, 4, ['/api/v1/schedules']);
row('GET /api/v1/schedules with 1,000 schedules, 5 clients', list, health);
const metrics = await load(big.url, {}, 2, 5, ['/metrics']);
row('GET /metrics with 1,000 schedules', metrics, health);
const waitStarted = Date.now();
const check = new SqliteDaemonStore(join(home, 'runs.db'));
let started = 0;
while (Date.now() - waitStarted < 120_000) {
  started = (await check.listRuns({ since: fireAt.toISOString(), limit: 2000 })).filter((r) => r.verdict).length;
  if (started >= 1000) break;
  await new Promise((r) => setTimeout(r, 250));
}
const allDoneMs = Date.now() - fireAt.getTime();
const runs = await check.listRuns({ since: fireAt.toISOString(), limit: 2000 });
const doubled = runs.length - new Set(runs.map((r) => `${r.schedule}|${r.scheduledFor}`)).size;
await check.close();
await big.stop('bench');

const scheduleLines = [
  `1,000 schedules: loaded and armed in ${loadMs.toFixed(0)} ms (with 10,000 runs in the store); memory +${((rssAfter - rssBefore) / 1048576).toFixed(1)} MiB`,
  `1,000 occurrences due at the same second: ${started} runs ended and stored ${(allDoneMs / 1000).toFixed(1)} s after it; ${doubled} doubled`,
  `10,000 runs written through the store in ${(insertMs / 1000).toFixed(1)} s (${(insertMs / 10_000).toFixed(2)} ms per run)`,
];

const table = [
  '| measurement | requests | p50 ms | p95 ms | p99 ms | p50 / p99 vs baseline |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const historyOk = Math.max(historyApi.p99, historyPage.p99) < 50;
const text = `# Daemon benchmarks\n\n${new Date().toISOString()}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores, SQLite store\n\n${table}\n\n${scheduleLines.map((l) => `- ${l}`).join('\n')}\n- history goal (p99 under 50 ms): ${historyOk ? 'met' : 'NOT met'}\n`;
process.stdout.write(`${text}\n`);
const out = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'daemon.md'), text);
