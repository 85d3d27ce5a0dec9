/**
 * The game-day store contract, run against SQLite and against a real PostgreSQL server (Debian's
 * `postgresql`, started by the test): the same suite for both.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameDayRecord, GameDayStore } from '../src/store/gameday-store.js';
import { openGameDayStore } from '../src/store/open.js';
import { tempDir } from './support/cli.js';
import { type PostgresServer, postgresAvailable, startPostgres } from './support/postgres.js';

let server: PostgresServer | undefined;

beforeAll(async () => {
  if (postgresAvailable()) server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

let databases = 0;
const backends: [string, () => Promise<GameDayStore>][] = [
  ['sqlite', () => openGameDayStore(`sqlite:${join(tempDir(), 'runs.db')}`)],
  [
    'postgres',
    async () => {
      if (!server) throw new Error('PostgreSQL is not installed (apt-get install postgresql), or the tests do not run as root');
      return openGameDayStore(await server.createDatabase(`gamedays_${++databases}`));
    },
  ],
];

const record = (id: string, startedAt = '2026-03-01T09:00:00.000Z'): Omit<GameDayRecord, 'stages'> => ({
  id,
  name: 'q3-drill',
  file: '/srv/drill.yaml',
  facilitator: 'ada',
  observers: ['grace', 'linus'],
  status: 'running',
  reason: 'started',
  startedAt,
  endedAt: null,
});

describe.each(backends)('game-day store contract: %s', (_name, open) => {
  let store: GameDayStore;

  beforeAll(async () => {
    store = await open();
  }, 30_000);

  afterAll(async () => {
    await store?.close();
  });

  it('creates a game day with pending stages and finds it by id or prefix', async () => {
    await store.create(record('gd-20260301-aaaaaa'), ['warm-up', 'region-down']);
    const found = (await store.get('gd-20260301-aaa')) as GameDayRecord;
    expect(found.observers).toEqual(['grace', 'linus']);
    expect(found.stages.map((s) => [s.index, s.name, s.status, s.runIds])).toEqual([
      [0, 'warm-up', 'pending', []],
      [1, 'region-down', 'pending', []],
    ]);
    await store.create(record('gd-20260301-aaabbb', '2026-03-02T09:00:00.000Z'), ['only']);
    expect(await store.get('gd-20260301-aaa')).toBe('ambiguous');
    expect(await store.get('gd-nope')).toBeUndefined();
    expect((await store.list(10)).map((r) => r.id)).toEqual(['gd-20260301-aaabbb', 'gd-20260301-aaaaaa']);
  });

  it('records stage progress and the status of the game day', async () => {
    await store.updateStage('gd-20260301-aaaaaa', 0, {
      status: 'done',
      startedAt: '2026-03-01T09:01:00.000Z',
      endedAt: '2026-03-01T09:02:00.000Z',
      runIds: ['r1', 'r2'],
      verdict: 'failed',
      detail: '2 run(s)',
    });
    await store.setStatus('gd-20260301-aaaaaa', 'waiting', 'stage 2 waits', null);
    const found = (await store.get('gd-20260301-aaaaaa')) as GameDayRecord;
    expect(found.status).toBe('waiting');
    expect(found.stages[0]).toMatchObject({ status: 'done', runIds: ['r1', 'r2'], verdict: 'failed', endedAt: '2026-03-01T09:02:00.000Z' });
  });

  it('approves the waiting stage, a later stage ahead of time, never a done one', async () => {
    const id = 'gd-20260301-aaaaaa';
    const none = await store.approve(id, undefined, 'olga', '2026-03-01T09:03:00.000Z');
    expect(none).toMatchObject({ ok: false, why: 'no-waiting-stage' });
    await store.updateStage(id, 1, { status: 'waiting', requestedAt: '2026-03-01T09:03:00.000Z' });
    const approved = await store.approve(id, undefined, 'olga', '2026-03-01T09:04:00.000Z');
    expect(approved).toMatchObject({
      ok: true,
      stage: { index: 1, name: 'region-down', approvedBy: 'olga', approvedAt: '2026-03-01T09:04:00.000Z' },
    });
    expect(await store.approve(id, 0, 'olga', '2026-03-01T09:05:00.000Z')).toMatchObject({ ok: false, why: 'already-done' });
    expect(await store.approve(id, 5, 'olga', '2026-03-01T09:05:00.000Z')).toMatchObject({ ok: false, why: 'no-such-stage' });
    expect(await store.approve('gd-unknown', undefined, 'olga', '2026-03-01T09:05:00.000Z')).toMatchObject({
      ok: false,
      why: 'unknown-gameday',
    });
    await store.setStatus(id, 'passed', 'all passed', '2026-03-01T10:00:00.000Z');
    await store.updateStage(id, 1, { status: 'pending' });
    expect(await store.approve(id, 1, 'olga', '2026-03-01T10:01:00.000Z')).toMatchObject({ ok: false, why: 'finished' });
  });

  it('keeps findings and action items in the order they were added', async () => {
    const id = 'gd-20260301-aaaaaa';
    const first = await store.addNote(
      id,
      { kind: 'finding', text: 'alert late', author: 'olga', severity: 'high' },
      '2026-03-01T11:00:00.000Z',
    );
    const second = await store.addNote(
      id,
      { kind: 'action', text: 'tune the alert', author: 'ada', owner: 'team-sre', due: '2026-04-01' },
      '2026-03-01T11:01:00.000Z',
    );
    expect(second.id).toBeGreaterThan(first.id);
    expect(await store.notes(id)).toEqual([
      {
        id: first.id,
        gameDayId: id,
        kind: 'finding',
        text: 'alert late',
        author: 'olga',
        severity: 'high',
        owner: null,
        due: null,
        at: '2026-03-01T11:00:00.000Z',
      },
      {
        id: second.id,
        gameDayId: id,
        kind: 'action',
        text: 'tune the alert',
        author: 'ada',
        severity: null,
        owner: 'team-sre',
        due: '2026-04-01',
        at: '2026-03-01T11:01:00.000Z',
      },
    ]);
    expect(await store.notes('gd-20260301-aaabbb')).toEqual([]);
  });
});
