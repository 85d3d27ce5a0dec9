/**
 * The daemon's store contract, run against SQLite and against a real PostgreSQL server (Debian's
 * `postgresql`, started by the test): the same suite for both, as Hono runs one suite on every router.
 * Then `faultline serve --store postgres://...` end to end, and two daemons on one database that never
 * start the same occurrence twice.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import type { DaemonStore, StoredExperiment, StoredSchedule } from '../src/store/daemon-store.js';
import { openDaemonStore } from '../src/store/open.js';
import { tempDir, tempHome } from './support/cli.js';
import { call, killDaemons, makeToken, pauseExperiment, startDaemon } from './support/daemon.js';
import { type PostgresServer, postgresAvailable, startPostgres } from './support/postgres.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

let server: PostgresServer | undefined;

beforeAll(async () => {
  // a PostgreSQL store keeps its audit anchor in FAULTLINE_HOME: never the real one
  process.env.FAULTLINE_HOME = tempHome();
  if (postgresAvailable()) server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await killDaemons();
  killStarted();
  await server?.stop();
});

let databases = 0;
const backends: [string, () => Promise<DaemonStore>][] = [
  ['sqlite', () => openDaemonStore(`sqlite:${join(tempDir(), 'runs.db')}`)],
  [
    'postgres',
    async () => {
      if (!server) throw new Error('PostgreSQL is not installed (apt-get install postgresql), or the tests do not run as root');
      return openDaemonStore(await server.createDatabase(`store_${++databases}`));
    },
  ],
];

function report(runId: string, verdict: RunReport['verdict'], startedAt: string): RunReport {
  return {
    schemaVersion: 1,
    runId,
    experiment: { name: 'exp', file: null },
    hypothesis: 'h',
    verdict,
    reason: `it ${verdict}`,
    startedAt,
    endedAt: new Date(Date.parse(startedAt) + 1000).toISOString(),
    seed: 7,
    targets: [],
    faults: [],
    probes: [],
    tolerances: [],
    measurements: {
      mttdMs: 250,
      mttrMs: 500,
      availability: 0.98,
      availabilityByPhase: { before: 1, during: 0.98, after: 1 },
      samplesByPhase: { before: 1, during: 1, after: 1 },
      latencyMs: {
        before: { p50: 1, p95: 1, p99: 1, n: 1 },
        during: { p50: 1, p95: 1, p99: 1, n: 1 },
        after: { p50: 1, p95: 1, p99: 1, n: 1 },
      },
      probeIntervalMs: 100,
      recoverySamples: 3,
    },
    timeline: [{ t: startedAt, event: 'run-started', detail: 'x' }],
  };
}

const owner = { pid: 4242, start: '1', host: 'test-host' };
const doc = (name: string, extra: Partial<StoredExperiment> = {}): StoredExperiment => ({
  name,
  yaml: `kind: Experiment # ${name}`,
  labels: { team: 'a' },
  hypothesis: 'h',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'test',
  ...extra,
});
const sched = (name: string): StoredSchedule => ({
  ...doc(name),
  cron: '* * * * *',
  timeZone: 'UTC',
  experimentRef: 'e1',
  suspended: false,
  lastScheduledAt: '2026-01-01T00:00:00.000Z',
});

describe.each(backends)('the %s store', (_name, open) => {
  // runs-store.ts: runs, their origin, reports and samples
  describe('runs', () => {
    it('lists a run recorded without an origin (as the CLI records it) with the figures of its report', async () => {
      const store = await open();
      try {
        const startedAt = '2026-02-01T00:00:00.000Z';
        await store.startRun({ id: 'cli-run', experiment: 'exp', file: '/x.yaml', startedAt, seed: 3 }, null);
        const r = report('cli-run', 'passed', startedAt);
        r.measurements = { ...r.measurements, mttdMs: 123, mttrMs: null, mttrReason: 'not applicable: nothing failed', availability: 0.5 };
        await store.finishRun(r, []);
        const [row] = await store.listRuns({ limit: 10 });
        expect(row).toMatchObject({ id: 'cli-run', trigger: null, verdict: 'passed', mttdMs: 123, mttrMs: null, availability: 0.5 });
        expect(await store.getRun('cli-run')).toEqual(row);
        expect((await store.listRuns({ trigger: 'cli', limit: 10 })).map((x) => x.id)).toEqual(['cli-run']);
      } finally {
        await store.close();
      }
    });

    it('records runs with where they came from, lists them with filters and keyset paging, and keeps their reports and samples', async () => {
      const store = await open();
      try {
        for (let i = 0; i < 5; i++) {
          const startedAt = `2026-01-01T00:0${i}:00.000Z`;
          const schedule = i % 2 === 0 ? 'nightly' : null;
          await store.startRun(
            { id: `r${i}`, experiment: i < 3 ? 'exp' : 'other', file: null, startedAt, seed: 7 },
            {
              trigger: schedule ? 'schedule' : 'api',
              actor: schedule ? 'schedule nightly' : 'olga',
              schedule,
              scheduledFor: schedule ? startedAt : null,
              owner,
            },
          );
          if (i < 4)
            await store.finishRun(report(`r${i}`, i === 1 ? 'failed' : 'passed', startedAt), [
              { probe: 'p', t: Date.parse(startedAt), ok: true, latencyMs: 1.5, phase: 'during', detail: 'ok' },
            ]);
        }
        const all = await store.listRuns({ limit: 10 });
        expect(all.map((r) => r.id)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
        expect(all[0]).toMatchObject({ verdict: null, trigger: 'schedule', schedule: 'nightly' });
        expect(all[1]).toMatchObject({
          verdict: 'passed',
          trigger: 'api',
          actor: 'olga',
          mttdMs: 250,
          mttrMs: 500,
          availability: 0.98,
          seed: 7,
        });
        expect((await store.listRuns({ experiment: 'exp', limit: 10 })).map((r) => r.id)).toEqual(['r2', 'r1', 'r0']);
        expect((await store.listRuns({ verdict: 'failed', limit: 10 })).map((r) => r.id)).toEqual(['r1']);
        expect((await store.listRuns({ verdict: 'running', limit: 10 })).map((r) => r.id)).toEqual(['r4']);
        expect((await store.listRuns({ schedule: 'nightly', limit: 10 })).map((r) => r.id)).toEqual(['r4', 'r2', 'r0']);
        expect((await store.listRuns({ trigger: 'api', limit: 10 })).map((r) => r.id)).toEqual(['r3', 'r1']);
        expect(
          (await store.listRuns({ since: '2026-01-01T00:01:00.000Z', until: '2026-01-01T00:03:00.000Z', limit: 10 })).map((r) => r.id),
        ).toEqual(['r2', 'r1']);
        expect((await store.listRuns({ before: { startedAt: '2026-01-01T00:02:00.000Z', id: 'r2' }, limit: 2 })).map((r) => r.id)).toEqual([
          'r1',
          'r0',
        ]);
        expect((await store.getReport('r1'))?.verdict).toBe('failed');
        expect(await store.getReport('r4')).toBeUndefined();
        expect(await store.getSamples('r0')).toEqual([
          { probe: 'p', t: Date.parse('2026-01-01T00:00:00.000Z'), ok: true, latencyMs: 1.5, phase: 'during', detail: 'ok' },
        ]);
        expect(await store.unfinishedRunsOfSchedule('nightly')).toEqual(['r4']);
        expect(await store.endOrphanedRuns(() => false, 'its daemon died')).toEqual(['r4']);
        expect(await store.getRun('r4')).toMatchObject({ verdict: 'error', reason: 'its daemon died' });
        expect(await store.pruneScheduleHistory('nightly', 1)).toEqual(expect.arrayContaining(['r2', 'r0']));
        expect((await store.listRuns({ schedule: 'nightly', limit: 10 })).map((r) => r.id)).toEqual(['r4']);
        expect(await store.getSamples('r0')).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });

  // documents-store.ts and schedules-store.ts: experiments, schedules and their occurrences
  describe('documents and schedules', () => {
    it('stores experiments and schedules all at once or not at all, and claims each occurrence once', async () => {
      const store = await open();
      try {
        await store.putExperiments([doc('e1'), doc('e2')], false);
        await expect(store.putExperiments([doc('e3'), doc('e1')], false)).rejects.toThrow(/experiment e1 exists already/);
        expect((await store.listExperiments()).map((e) => e.name)).toEqual(['e1', 'e2']);
        await expect(store.putExperiments([doc('nope')], true)).rejects.toThrow(/no experiment named nope/);
        await store.putExperiments([doc('e1', { yaml: 'changed', updatedBy: 'bob' })], true);
        expect(await store.getExperiment('e1')).toMatchObject({ yaml: 'changed', updatedBy: 'bob', labels: { team: 'a' } });
        expect(await store.deleteExperiment('e2')).toBe(true);
        expect(await store.deleteExperiment('e2')).toBe(false);

        await store.putSchedules([sched('s1')], false);
        expect(await store.getSchedule('s1')).toMatchObject({ cron: '* * * * *', suspended: false, experimentRef: 'e1' });
        const claims = await Promise.all([1, 2, 3, 4].map(() => store.claimOccurrence('s1', '2026-01-01T00:01:00.000Z')));
        expect(claims.filter(Boolean)).toHaveLength(1);
        await store.settleOccurrence('s1', '2026-01-01T00:01:00.000Z', 'skipped', 'halted', null);
        expect(await store.listOccurrences('s1', 10)).toEqual([
          expect.objectContaining({ outcome: 'skipped', detail: 'halted', runId: null }),
        ]);
        expect((await store.getSchedule('s1'))?.lastScheduledAt).toBe('2026-01-01T00:01:00.000Z');
        // replacing a schedule keeps its last occurrence
        await store.putSchedules([{ ...sched('s1'), cron: '0 * * * *', lastScheduledAt: '2030-01-01T00:00:00.000Z' }], true);
        expect(await store.getSchedule('s1')).toMatchObject({ cron: '0 * * * *', lastScheduledAt: '2026-01-01T00:01:00.000Z' });
        expect(await store.setScheduleSuspended('s1', true, 'olga')).toBe(true);
        expect(await store.getSchedule('s1')).toMatchObject({ suspended: true, updatedBy: 'olga' });
        await store.setScheduleSuspended('s1', false, 'olga');
        expect(Date.parse((await store.getSchedule('s1'))?.lastScheduledAt as string)).toBeGreaterThan(Date.now() - 60_000);
        expect(await store.deleteSchedule('s1')).toBe(true);
        expect(await store.listOccurrences('s1', 10)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });

  // identities-store.ts, settings-store.ts and audit-store.ts
  describe('identities, settings and audit', () => {
    it('keeps users, tokens as hashes, sessions, settings, and an append-only hash-chained audit log', async () => {
      const store = await open();
      try {
        await store.createUser({ name: 'ana', role: 'admin', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'cli' });
        await expect(
          store.createUser({ name: 'ana', role: 'viewer', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'cli' }),
        ).rejects.toThrow(/exists/);
        const token = {
          id: 'abc123abc123',
          user: 'ana',
          description: 'd',
          scope: { labels: [{ team: 'a' }] },
          capabilities: ['exec' as const],
          createdAt: 'now',
          createdBy: 'cli',
          expiresAt: null,
          lastUsedAt: null,
          revokedAt: null,
        };
        await store.createToken({ ...token, salt: '00', hash: 'ff', role: null });
        expect(await store.getTokenSecret('abc123abc123')).toMatchObject({
          role: 'admin',
          hash: 'ff',
          scope: { labels: [{ team: 'a' }] },
          capabilities: ['exec'],
        });
        expect(await store.listTokens()).toEqual([token]);
        await store.createSession('h1', { tokenId: 'abc123abc123', user: 'ana', createdAt: 'now', expiresAt: '2999-01-01T00:00:00.000Z' });
        expect(await store.getSession('h1')).toMatchObject({ user: 'ana' });
        expect(await store.deleteUser('ana', '2026-01-02T00:00:00.000Z')).toBe(true);
        expect(await store.getTokenSecret('abc123abc123')).toMatchObject({ role: null, revokedAt: '2026-01-02T00:00:00.000Z' });
        expect(await store.getSession('h1')).toBeUndefined();

        await store.putSetting('project', 'a');
        await store.putSetting('project', 'b');
        expect(await store.getSetting('project')).toBe('b');

        const entries = await Promise.all(
          [1, 2, 3, 4, 5].map((i) =>
            store.appendAudit({
              actor: `u${i}`,
              role: 'admin',
              action: 'x.y',
              resource: '/r',
              source: '127.0.0.1',
              outcome: 'ok',
              detail: String(i),
            }),
          ),
        );
        expect(entries.map((e) => e.seq).sort()).toEqual([1, 2, 3, 4, 5]);
        const { verifyStoreAudit } = await import('../src/store/audit-chain.js');
        // the chain and its anchor outside the database agree
        expect(await verifyStoreAudit(store)).toMatchObject({ ok: true, checked: 5, anchor: { seq: 5 } });
        expect((await store.listAudit({ actor: 'u3', limit: 10 })).map((e) => e.detail)).toEqual(['3']);
        expect((await store.listAudit({ beforeSeq: 3, limit: 10 })).map((e) => e.seq)).toEqual([2, 1]);
      } finally {
        await store.close();
      }
    });
  });
});

describe('faultline serve on PostgreSQL', () => {
  it('keeps its state in the database, and two daemons on one database start each occurrence once', async () => {
    if (!server) throw new Error('PostgreSQL is not installed (apt-get install postgresql), or the tests do not run as root');
    const url = await server.createDatabase('daemons');
    const env = { FAULTLINE_STORE: url };
    const worker = startSleeper('postgres-daemon').pid as number;
    const homeA = tempHome();
    const token = await makeToken(homeA, 'olga', 'admin', ['--capability', 'exec'], env);
    const a = await startDaemon(homeA, [], env);
    expect(a.output()).toMatch(/store postgres postgres:\/\/postgres@127.0.0.1:\d+\/daemons/);
    expect((await call(a.url, 'POST', '/api/v1/experiments', { token, yaml: pauseExperiment('blink', worker, '200ms') })).status).toBe(201);
    const schedule = `apiVersion: faultline.dev/v1\nkind: Schedule\nmetadata: { name: every-2s }\nspec: { schedule: "*/2 * * * * *", experiment: blink, concurrencyPolicy: Forbid }\n`;
    // Forbid, checked in the shared database: on a loaded machine a run can outlast 2s, and the next occurrence,
    // whichever daemon claims it, is then skipped rather than refused by the guard lock on the same worker
    expect((await call(a.url, 'POST', '/api/v1/schedules', { token, yaml: schedule })).status).toBe(201);
    // a second daemon with its own state folder shares the database: same token, same schedule
    const b = await startDaemon(tempHome(), [], env);
    expect((await call(b.url, 'GET', '/api/v1/whoami', { token })).json.user).toBe('olga');
    const store = await openDaemonStore(url);
    try {
      await waitFor(
        async () => (await store.listOccurrences('every-2s', 100)).filter((o) => o.outcome === 'started').length >= 5,
        30_000,
        'five scheduled runs',
      );
      expect((await a.stop()).code).toBe(0);
      expect((await b.stop()).code).toBe(0);
      const runs = await store.listRuns({ schedule: 'every-2s', limit: 100 });
      const times = runs.map((r) => r.scheduledFor);
      expect(new Set(times).size).toBe(times.length);
      expect(runs.length).toBeGreaterThanOrEqual(5);
      // the last run may have been going when the daemons stopped: it was reverted, and ended interrupted
      expect(
        runs.every((r) => r.verdict === 'passed' || r.verdict === 'interrupted'),
        JSON.stringify(runs.map((r) => r.reason)),
      ).toBe(true);
      expect(runs.filter((r) => r.verdict === 'passed').length).toBeGreaterThanOrEqual(4);
      // both daemons decided occurrences: each was claimed by whichever came first
      const decidedBy = (out: string) => (out.match(/schedule every-2s \S+: (started|skipped|missed)/g) ?? []).length;
      expect(decidedBy(a.output()) + decidedBy(b.output())).toBe((await store.listOccurrences('every-2s', 100)).length);
      expect((await store.listAudit({ action: 'schedule.create', limit: 5 }))[0]).toMatchObject({ actor: 'olga', outcome: 'ok' });
      expect(processState(worker)).not.toBe('T');
    } finally {
      await store.close();
    }
  });

  it('says so when the database cannot be reached, without its password', async () => {
    const { runCli } = await import('./support/cli.js');
    const result = await runCli(['token', 'list', '--store', 'postgres://admin:s3cret@127.0.0.1:1/none'], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot use PostgreSQL at postgres:\/\/admin:\*\*\*@127.0.0.1:1\/none/);
    expect(result.stderr).not.toContain('s3cret');
  });
});
