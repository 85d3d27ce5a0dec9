/**
 * The audit log cannot be cut short unnoticed: someone who can write the database file (here, a second
 * SQLite connection that first drops the append-only triggers) edits an entry, deletes one, cuts the
 * tail off, appends entries with valid hashes, or replaces the whole database with another daemon's;
 * `GET /api/v1/audit/verify` reports each, comparing the chain with its anchor outside the database.
 * Every route that changes or feeds anything is audited, accepted or denied; alerts included.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../src/server/app.js';
import type { Daemon } from '../src/server/daemon.js';
import { auditHash } from '../src/store/audit-chain.js';
import { tempHome } from './support/cli.js';
import { call, makeToken } from './support/daemon.js';
import { startRecordingServer } from './support/recording-server.js';

const running: Daemon[] = [];

afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('test done');
});

interface Fresh {
  home: string;
  db: string;
  daemon: Daemon;
  token: string;
  logs: string[];
}

async function startIn(home: string, token: string, options: { shipAuditAnchor?: string } = {}): Promise<Fresh> {
  process.env.FAULTLINE_HOME = home;
  const logs: string[] = [];
  const { Daemon } = await import('../src/server/daemon.js');
  const daemon = await Daemon.start({ port: 0, log: (line) => logs.push(line), ...options });
  running.push(daemon);
  return { home, db: join(home, 'runs.db'), daemon, token, logs };
}

/** A daemon in a new home with an admin token, and `entries` audited changes (halt, unhalt, ...). */
async function fresh(entries: number, options: { shipAuditAnchor?: string } = {}): Promise<Fresh> {
  const home = tempHome();
  const token = await makeToken(home, 'root', 'admin'); // two entries: user.create, token.create
  const f = await startIn(home, token, options);
  for (let i = 2; i < entries; i++) {
    const res =
      i % 2 === 0
        ? await call(f.daemon.url, 'POST', '/api/v1/halt', { token, json: { reason: `drill ${i}` } })
        : await call(f.daemon.url, 'DELETE', '/api/v1/halt', { token });
    expect(res.status).toBe(200);
  }
  return f;
}

const verify = async (f: Fresh) => (await call(f.daemon.url, 'GET', '/api/v1/audit/verify', { token: f.token })).json;

/** What someone with write access to the database file can do: the triggers are only a speed bump. */
function tamper(file: string, sql: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
    sql(db);
  } finally {
    db.close();
  }
}

describe('the audit anchor', () => {
  it('says an intact log ends where its anchor says', async () => {
    const f = await fresh(20);
    expect(await verify(f)).toMatchObject({ ok: true, checked: 20, brokenAt: null, anchor: { seq: 20 } });
    expect((await verify(f)).detail).toMatch(/20 entries, chain intact; it ends where its anchor says/);
    expect(existsSync(`${f.db}.audit-anchor.json`)).toBe(true);
  });

  it('reports the last 10 entries cut off', async () => {
    const f = await fresh(20);
    tamper(f.db, (db) => db.prepare('DELETE FROM audit WHERE seq > ?').run(10));
    const result = await verify(f);
    expect(result).toMatchObject({ ok: false, brokenAt: 11 });
    expect(result.detail).toMatch(/ends at entry 10, but its anchor .* says 20 entries were written: entries 11 to 20 were removed/);
  });

  it('reports an edited entry and a deleted one in the middle', async () => {
    const f = await fresh(12);
    tamper(f.db, (db) => db.prepare("UPDATE audit SET actor = 'someone-else' WHERE seq = 5").run());
    expect(await verify(f)).toMatchObject({ ok: false, brokenAt: 5 });
    expect((await verify(f)).detail).toMatch(/entry 5 does not match its hash/);
    const g = await fresh(12);
    tamper(g.db, (db) => db.prepare('DELETE FROM audit WHERE seq = 7').run());
    expect(await verify(g)).toMatchObject({ ok: false, brokenAt: 8, detail: 'entry 7 is missing' });
  });

  it('reports a tail rewritten with valid hashes, and entries appended behind its back', async () => {
    const f = await fresh(10);
    // the chain's hash has no key: whoever holds the file can recompute it; only the anchor tells
    tamper(f.db, (db) => {
      const row = db.prepare('SELECT * FROM audit WHERE seq = 10').get() as Record<string, string>;
      const forged = { ...row, actor: 'someone-else' } as unknown as Parameters<typeof auditHash>[3];
      const hash = auditHash(row.prev_hash as string, 10, row.at as string, forged);
      db.prepare("UPDATE audit SET actor = 'someone-else', hash = ? WHERE seq = 10").run(hash);
    });
    const rewritten = await verify(f);
    expect(rewritten).toMatchObject({ ok: false, brokenAt: 10 });
    expect(rewritten.detail).toMatch(/entry 10 is not the one its anchor .* recorded: the database was replaced, or its chain rewritten/);

    const g = await fresh(10);
    tamper(g.db, (db) => {
      const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
      const at = new Date().toISOString();
      const added = { actor: 'root', role: 'admin', action: 'unhalt', resource: '/', source: 'x', outcome: 'ok', detail: '' };
      db.prepare(
        'INSERT INTO audit (seq, at, actor, role, action, resource, source, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(last.seq + 1, at, ...Object.values(added), last.hash, auditHash(last.hash, last.seq + 1, at, added));
    });
    const appended = await verify(g);
    expect(appended).toMatchObject({ ok: false, brokenAt: 11 });
    expect(appended.detail).toMatch(/entries 11 to 11 came after the anchor .* without moving it/);
  });

  it('reports a database replaced by another daemon’s, and a deleted anchor', async () => {
    const a = await fresh(8);
    const b = await fresh(14);
    for (const d of running.splice(0)) await d.stop('swap the databases');
    for (const suffix of ['-wal', '-shm']) rmSync(`${a.db}${suffix}`, { force: true });
    copyFileSync(b.db, a.db);
    const again = await startIn(a.home, b.token); // b's token: a's is not in b's database
    const replaced = await verify(again);
    expect(replaced).toMatchObject({ ok: false, brokenAt: 8 });
    expect(replaced.detail).toMatch(/the database was replaced/);

    rmSync(`${again.db}.audit-anchor.json`);
    const orphan = await verify(again);
    expect(orphan.ok).toBe(false);
    expect(orphan.detail).toMatch(/has 14 entries but no anchor at .*: a cut tail or a replaced database cannot be ruled out/);
  });

  it('ships each new anchor to the log, or to a webhook', async () => {
    const logged = await fresh(4, { shipAuditAnchor: 'log' });
    expect(logged.logs.filter((l) => /^audit anchor: \d+ entries, head [0-9a-f]{64}/.test(l))).toHaveLength(2);
    const hook = await startRecordingServer(() => ({ status: 204, body: '' }));
    try {
      const shipped = await fresh(5, { shipAuditAnchor: `${hook.url}/anchors` });
      await expect.poll(() => hook.requests.length, { timeout: 5000 }).toBe(3);
      const last = JSON.parse(hook.requests.at(-1)?.body ?? '{}');
      expect(last).toMatchObject({ seq: 5, hash: (await verify(shipped)).anchor.hash });
    } finally {
      await hook.close();
    }
  });
});

describe('what is audited', () => {
  it('audits every route that changes or feeds anything', () => {
    // these read, or only compute an answer: nothing is stored, started or sent
    const readOnly = new Set(['POST /api/v1/validate', 'POST /api/v1/targets/preview']);
    const unaudited = API_ROUTES.filter((r) => r.method !== 'GET' && !r.action && !readOnly.has(`${r.method} ${r.path}`));
    expect(unaudited.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('records alerts received, accepted or denied', async () => {
    const f = await fresh(2);
    const payload = {
      version: '4',
      status: 'firing',
      receiver: 'faultline',
      alerts: [{ status: 'firing', labels: { alertname: 'CheckoutErrors' }, startsAt: new Date().toISOString(), fingerprint: 'f1' }],
    };
    expect((await call(f.daemon.url, 'POST', '/api/v1/alerts', { token: f.token, json: payload })).status).toBe(200);
    expect((await call(f.daemon.url, 'POST', '/api/v1/alerts', { json: payload })).status).toBe(401);
    const entries = (await call(f.daemon.url, 'GET', '/api/v1/audit?action=alerts.', { token: f.token })).json.entries;
    expect(entries).toMatchObject([
      { action: 'alerts.receive', actor: 'anonymous', outcome: 'denied' },
      { action: 'alerts.receive', actor: 'root', outcome: 'ok', detail: '200 1 alert(s), 1 new: CheckoutErrors' },
    ]);
    expect(await verify(f)).toMatchObject({ ok: true, checked: 4 });
  });
});
