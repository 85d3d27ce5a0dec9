/**
 * The daemon's state in PostgreSQL, for a team: several daemons may share one database. Occurrence
 * claims are unique rows (no schedule fires twice), the audit chain is appended under an advisory
 * lock, and the schema is created under another. Loaded only for `--store postgres://...`.
 */
import pg from 'pg';
import type { Sample } from '../probes/sample.js';
import type { RunReport } from '../report/types.js';
import { auditHash, GENESIS_HASH } from './audit-chain.js';
/** row shapes and their mapping to records, shared with the other store */
import * as daemonRows from './daemon-rows.js';
import {
  type AuditEntry,
  type AuditFilter,
  type AuditInput,
  ConflictError,
  type DaemonStore,
  type Occurrence,
  type OccurrenceOutcome,
  type RunFilter,
  type RunOrigin,
  type RunRow,
  type SessionRecord,
  type StoredExperiment,
  type StoredSchedule,
  type TokenRecord,
  type TokenSecretRecord,
  type UserRecord,
} from './daemon-store.js';
import type { RunStart } from './recorder.js';
import {
  auditFilterConditions,
  checkDocumentPresence,
  finishRunSql,
  type Placeholder,
  RUN_COLUMNS,
  RUN_FIGURE_COLUMNS,
  runFilterConditions,
  whereClause,
} from './sql.js';

const SCHEMA_LOCK = 7_340_101;
const AUDIT_LOCK = 7_340_102;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, experiment TEXT NOT NULL, file TEXT, verdict TEXT, reason TEXT,
  started_at TEXT NOT NULL, ended_at TEXT, seed BIGINT NOT NULL, report TEXT,
  mttd_ms DOUBLE PRECISION, mttr_ms DOUBLE PRECISION, availability DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at);
CREATE INDEX IF NOT EXISTS runs_experiment_started ON runs (experiment, started_at);
CREATE INDEX IF NOT EXISTS runs_verdict_started ON runs (verdict, started_at);
CREATE TABLE IF NOT EXISTS samples (
  run_id TEXT NOT NULL, probe TEXT NOT NULL, t TEXT NOT NULL, ok INTEGER NOT NULL,
  latency_ms DOUBLE PRECISION NOT NULL, phase TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_run ON samples (run_id);
CREATE TABLE IF NOT EXISTS events (run_id TEXT NOT NULL, t TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id);
CREATE TABLE IF NOT EXISTS run_meta (
  run_id TEXT PRIMARY KEY, trigger_kind TEXT NOT NULL, actor TEXT NOT NULL, schedule TEXT, scheduled_for TEXT,
  owner_pid INTEGER NOT NULL, owner_start TEXT NOT NULL, owner_host TEXT NOT NULL,
  mttd_ms DOUBLE PRECISION, mttr_ms DOUBLE PRECISION, availability DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS run_meta_schedule ON run_meta (schedule);
CREATE TABLE IF NOT EXISTS experiments (
  name TEXT PRIMARY KEY, yaml TEXT NOT NULL, labels TEXT NOT NULL, hypothesis TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
  name TEXT PRIMARY KEY, yaml TEXT NOT NULL, labels TEXT NOT NULL, cron TEXT NOT NULL, time_zone TEXT NOT NULL,
  experiment_ref TEXT, suspended BOOLEAN NOT NULL, last_scheduled_at TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_occurrences (
  schedule TEXT NOT NULL, scheduled_for TEXT NOT NULL, decided_at TEXT NOT NULL, outcome TEXT NOT NULL,
  detail TEXT NOT NULL, run_id TEXT, PRIMARY KEY (schedule, scheduled_for)
);
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY, user_name TEXT NOT NULL, description TEXT NOT NULL, salt TEXT NOT NULL, hash TEXT NOT NULL,
  scope TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL, expires_at TEXT, last_used_at TEXT, revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY, token_id TEXT NOT NULL, user_name TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
  resource TEXT NOT NULL, source TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE OR REPLACE FUNCTION faultline_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION faultline_audit_append_only();
CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION faultline_audit_append_only();
`;

/** `postgres://user@host:5432/db`: the URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

type Queryable = pg.Pool | pg.PoolClient;

/** PostgreSQL's placeholder: `$n`, n the value's position in `args`. */
function numbered(args: unknown[]): Placeholder {
  return (value) => {
    args.push(value);
    return `$${args.length}`;
  };
}

/**
 * Databases made before the figures moved into `runs` (they were in run_meta, and missing for CLI runs)
 * get the columns, filled from each stored report, once.
 */
async function addFigureColumns(c: pg.PoolClient): Promise<void> {
  const { rows } = await c.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'runs'",
  );
  const present = new Set(rows.map((r) => r.column_name));
  if (RUN_FIGURE_COLUMNS.every((column) => present.has(column))) return;
  for (const column of RUN_FIGURE_COLUMNS) await c.query(`ALTER TABLE runs ADD COLUMN IF NOT EXISTS ${column} DOUBLE PRECISION`);
  await c.query(`UPDATE runs SET mttd_ms = (report::jsonb #>> '{measurements,mttdMs}')::double precision,
    mttr_ms = (report::jsonb #>> '{measurements,mttrMs}')::double precision,
    availability = (report::jsonb #>> '{measurements,availability}')::double precision WHERE report IS NOT NULL`);
}

export class PostgresDaemonStore implements DaemonStore {
  readonly kind = 'postgres' as const;
  readonly location: string;

  private constructor(
    private readonly pool: pg.Pool,
    url: string,
  ) {
    this.location = redactUrl(url);
  }

  /** Connects and creates the tables (once, whichever daemon comes first). */
  static async open(url: string): Promise<PostgresDaemonStore> {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
    // an idle client that loses its server must not crash the daemon; the next query reports it
    pool.on('error', () => {});
    const store = new PostgresDaemonStore(pool, url);
    try {
      await store.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await c.query(SCHEMA);
        await addFigureColumns(c);
      });
    } catch (error) {
      await pool.end().catch(() => {});
      throw new Error(`cannot use PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
    }
    return store;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async rows<T>(sql: string, args: unknown[] = [], on: Queryable = this.pool): Promise<T[]> {
    return (await on.query(sql, args)).rows as T[];
  }

  // ---------- runs ----------

  async startRun(run: RunStart, origin: RunOrigin | null): Promise<void> {
    await this.tx(async (c) => {
      await c.query('INSERT INTO runs (id, experiment, file, started_at, seed) VALUES ($1, $2, $3, $4, $5)', [
        run.id,
        run.experiment,
        run.file,
        run.startedAt,
        run.seed,
      ]);
      if (origin) {
        await c.query(
          'INSERT INTO run_meta (run_id, trigger_kind, actor, schedule, scheduled_for, owner_pid, owner_start, owner_host) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          daemonRows.runMetaValues(run.id, origin),
        );
      }
    });
  }

  async finishRun(report: RunReport, samples: readonly Sample[]): Promise<void> {
    await this.tx(async (c) => {
      const args: unknown[] = [];
      await c.query(finishRunSql(numbered(args), daemonRows.finishedRunValues(report)), args);
      if (samples.length) {
        await c.query(
          `INSERT INTO samples (run_id, probe, t, ok, latency_ms, phase, detail)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::float8[], $6::text[], $7::text[])`,
          [
            report.runId,
            samples.map((s) => s.probe),
            samples.map((s) => new Date(s.t).toISOString()),
            samples.map((s) => (s.ok ? 1 : 0)),
            samples.map((s) => s.latencyMs),
            samples.map((s) => s.phase),
            samples.map((s) => s.detail),
          ],
        );
      }
      if (report.timeline.length) {
        await c.query('INSERT INTO events (run_id, t, event, detail) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])', [
          report.runId,
          report.timeline.map((e) => e.t),
          report.timeline.map((e) => e.event),
          report.timeline.map((e) => e.detail),
        ]);
      }
    });
  }

  async listRuns(filter: RunFilter): Promise<RunRow[]> {
    const args: unknown[] = [];
    const arg = numbered(args);
    const where = runFilterConditions(filter, arg);
    const rows = await this.rows<daemonRows.RunRowColumns>(
      `SELECT ${RUN_COLUMNS} FROM runs r LEFT JOIN run_meta m ON m.run_id = r.id ${whereClause(where)}
       ORDER BY r.started_at DESC, r.id DESC LIMIT ${arg(filter.limit)}`,
      args,
    );
    return rows.map(daemonRows.runRowOf);
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    const [row] = await this.rows<daemonRows.RunRowColumns>(
      `SELECT ${RUN_COLUMNS} FROM runs r LEFT JOIN run_meta m ON m.run_id = r.id WHERE r.id = $1`,
      [id],
    );
    return row ? daemonRows.runRowOf(row) : undefined;
  }

  async getReport(id: string): Promise<RunReport | undefined> {
    const [row] = await this.rows<{ report: string }>('SELECT report FROM runs WHERE id = $1 AND report IS NOT NULL', [id]);
    return row ? (JSON.parse(row.report) as RunReport) : undefined;
  }

  async getSamples(id: string): Promise<Sample[]> {
    const rows = await this.rows<{ probe: string; t: string; ok: number; latency_ms: number; phase: Sample['phase']; detail: string }>(
      'SELECT probe, t, ok, latency_ms, phase, detail FROM samples WHERE run_id = $1 ORDER BY t',
      [id],
    );
    return rows.map((r) => ({
      probe: r.probe,
      t: Date.parse(r.t),
      ok: r.ok === 1,
      latencyMs: Number(r.latency_ms),
      phase: r.phase,
      detail: r.detail,
    }));
  }

  async endOrphanedRuns(isAlive: (owner: RunOrigin['owner']) => boolean, reason: string): Promise<string[]> {
    const rows = await this.rows<{ id: string; owner_pid: number; owner_start: string; owner_host: string }>(
      'SELECT r.id, m.owner_pid, m.owner_start, m.owner_host FROM runs r JOIN run_meta m ON m.run_id = r.id WHERE r.verdict IS NULL',
    );
    const dead = rows.filter((r) => !isAlive({ pid: r.owner_pid, start: r.owner_start, host: r.owner_host })).map((r) => r.id);
    if (dead.length) {
      await this.pool.query("UPDATE runs SET verdict = 'error', reason = $1, ended_at = $2 WHERE id = ANY($3) AND verdict IS NULL", [
        reason,
        new Date().toISOString(),
        dead,
      ]);
    }
    return dead;
  }

  async unfinishedRunsOfSchedule(schedule: string): Promise<string[]> {
    const rows = await this.rows<{ id: string }>(
      'SELECT r.id FROM runs r JOIN run_meta m ON m.run_id = r.id WHERE m.schedule = $1 AND r.verdict IS NULL',
      [schedule],
    );
    return rows.map((r) => r.id);
  }

  async pruneScheduleHistory(schedule: string, keep: number): Promise<string[]> {
    return this.tx(async (c) => {
      const old = (
        await this.rows<{ id: string }>(
          `SELECT r.id FROM runs r JOIN run_meta m ON m.run_id = r.id WHERE m.schedule = $1 AND r.verdict IS NOT NULL
           ORDER BY r.started_at DESC, r.id DESC OFFSET $2`,
          [schedule, keep],
          c,
        )
      ).map((r) => r.id);
      if (old.length) {
        for (const table of ['samples', 'events', 'run_meta']) await c.query(`DELETE FROM ${table} WHERE run_id = ANY($1)`, [old]);
        await c.query('DELETE FROM runs WHERE id = ANY($1)', [old]);
      }
      await c.query(
        `DELETE FROM schedule_occurrences WHERE schedule = $1 AND scheduled_for < (
           SELECT scheduled_for FROM schedule_occurrences WHERE schedule = $1 ORDER BY scheduled_for DESC LIMIT 1 OFFSET $2)`,
        [schedule, keep - 1],
      );
      return old;
    });
  }

  // ---------- documents ----------

  async listExperiments(): Promise<StoredExperiment[]> {
    return (await this.rows<daemonRows.ExperimentRow>('SELECT * FROM experiments ORDER BY name')).map(daemonRows.experimentOf);
  }

  async getExperiment(name: string): Promise<StoredExperiment | undefined> {
    const [row] = await this.rows<daemonRows.ExperimentRow>('SELECT * FROM experiments WHERE name = $1', [name]);
    return row ? daemonRows.experimentOf(row) : undefined;
  }

  async putExperiments(experiments: StoredExperiment[], replace: boolean): Promise<void> {
    await this.tx(async (c) => {
      await this.checkPresence(c, 'experiments', 'experiment', experiments, replace);
      for (const e of experiments) {
        // a create that loses a race with another daemon's create conflicts; it never overwrites
        const result = await c.query(
          `INSERT INTO experiments (name, yaml, labels, hypothesis, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (name) DO ${replace ? 'UPDATE SET yaml = excluded.yaml, labels = excluded.labels, hypothesis = excluded.hypothesis, updated_at = excluded.updated_at, updated_by = excluded.updated_by' : 'NOTHING'}`,
          daemonRows.experimentValues(e),
        );
        if (!result.rowCount) throw new ConflictError(`experiment ${e.name} exists already; replace it with PUT`, [e.name]);
      }
    });
  }

  async deleteExperiment(name: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM experiments WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  async listSchedules(): Promise<StoredSchedule[]> {
    return (await this.rows<daemonRows.ScheduleRow>('SELECT * FROM schedules ORDER BY name')).map(daemonRows.scheduleOf);
  }

  async getSchedule(name: string): Promise<StoredSchedule | undefined> {
    const [row] = await this.rows<daemonRows.ScheduleRow>('SELECT * FROM schedules WHERE name = $1', [name]);
    return row ? daemonRows.scheduleOf(row) : undefined;
  }

  async putSchedules(schedules: StoredSchedule[], replace: boolean): Promise<void> {
    await this.tx(async (c) => {
      await this.checkPresence(c, 'schedules', 'schedule', schedules, replace);
      for (const s of schedules) {
        await c
          .query(
            `INSERT INTO schedules (name, yaml, labels, cron, time_zone, experiment_ref, suspended, last_scheduled_at, created_at, updated_at, updated_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (name) DO ${replace ? 'UPDATE SET yaml = excluded.yaml, labels = excluded.labels, cron = excluded.cron, time_zone = excluded.time_zone, experiment_ref = excluded.experiment_ref, suspended = excluded.suspended, updated_at = excluded.updated_at, updated_by = excluded.updated_by' : 'NOTHING'}`,
            daemonRows.scheduleValues(s, s.suspended),
          )
          .then((result) => {
            if (!result.rowCount) throw new ConflictError(`schedule ${s.name} exists already; replace it with PUT`, [s.name]);
          });
      }
    });
  }

  async deleteSchedule(name: string): Promise<boolean> {
    return this.tx(async (c) => {
      await c.query('DELETE FROM schedule_occurrences WHERE schedule = $1', [name]);
      return ((await c.query('DELETE FROM schedules WHERE name = $1', [name])).rowCount ?? 0) > 0;
    });
  }

  async setScheduleSuspended(name: string, suspended: boolean, by: string): Promise<boolean> {
    // resuming decides every occurrence until now (skipped while suspended): a restart does not catch them up
    const result = await this.pool.query(
      `UPDATE schedules SET suspended = $1, updated_at = $2, updated_by = $3,
         last_scheduled_at = CASE WHEN NOT $1 AND (last_scheduled_at IS NULL OR last_scheduled_at < $2) THEN $2 ELSE last_scheduled_at END
       WHERE name = $4`,
      [suspended, new Date().toISOString(), by, name],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async claimOccurrence(schedule: string, scheduledFor: string): Promise<boolean> {
    return this.tx(async (c) => {
      const inserted = await c.query(
        "INSERT INTO schedule_occurrences (schedule, scheduled_for, decided_at, outcome, detail) VALUES ($1, $2, $3, 'pending', '') ON CONFLICT DO NOTHING",
        [schedule, scheduledFor, new Date().toISOString()],
      );
      if (!inserted.rowCount) return false;
      await c.query(
        'UPDATE schedules SET last_scheduled_at = $1 WHERE name = $2 AND (last_scheduled_at IS NULL OR last_scheduled_at < $1)',
        [scheduledFor, schedule],
      );
      return true;
    });
  }

  async settleOccurrence(
    schedule: string,
    scheduledFor: string,
    outcome: OccurrenceOutcome,
    detail: string,
    runId: string | null,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE schedule_occurrences SET outcome = $1, detail = $2, run_id = $3, decided_at = $4 WHERE schedule = $5 AND scheduled_for = $6',
      [outcome, detail, runId, new Date().toISOString(), schedule, scheduledFor],
    );
  }

  async listOccurrences(schedule: string, limit: number): Promise<Occurrence[]> {
    const rows = await this.rows<daemonRows.OccurrenceRow>(
      'SELECT * FROM schedule_occurrences WHERE schedule = $1 ORDER BY scheduled_for DESC LIMIT $2',
      [schedule, limit],
    );
    return rows.map(daemonRows.occurrenceOf);
  }

  async lastStartOf(schedule: string): Promise<number | null> {
    const [row] = await this.rows<{ started_at: string }>(
      "SELECT r.started_at FROM schedule_occurrences o JOIN runs r ON r.id = o.run_id WHERE o.schedule = $1 AND o.outcome = 'started' ORDER BY o.scheduled_for DESC LIMIT 1",
      [schedule],
    );
    return row ? Date.parse(row.started_at) : null;
  }

  // ---------- users, tokens, sessions ----------

  async listUsers(): Promise<UserRecord[]> {
    return (await this.rows<daemonRows.UserRow>('SELECT * FROM users ORDER BY name')).map(daemonRows.userOf);
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const [row] = await this.rows<daemonRows.UserRow>('SELECT * FROM users WHERE name = $1', [name]);
    return row ? daemonRows.userOf(row) : undefined;
  }

  async createUser(user: UserRecord): Promise<void> {
    const result = await this.pool.query(
      'INSERT INTO users (name, role, created_at, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [user.name, user.role, user.createdAt, user.createdBy],
    );
    if (!result.rowCount) throw new ConflictError(`user ${user.name} exists`, [user.name]);
  }

  async deleteUser(name: string, at: string): Promise<boolean> {
    return this.tx(async (c) => {
      await c.query('UPDATE tokens SET revoked_at = $1 WHERE user_name = $2 AND revoked_at IS NULL', [at, name]);
      await c.query('DELETE FROM sessions WHERE user_name = $1', [name]);
      return ((await c.query('DELETE FROM users WHERE name = $1', [name])).rowCount ?? 0) > 0;
    });
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.rows<daemonRows.TokenRow>('SELECT * FROM tokens ORDER BY created_at')).map(daemonRows.tokenOf);
  }

  async createToken(t: TokenSecretRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO tokens (id, user_name, description, salt, hash, scope, created_at, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [t.id, t.user, t.description, t.salt, t.hash, t.scope ? JSON.stringify(t.scope) : null, t.createdAt, t.createdBy, t.expiresAt],
    );
  }

  async getTokenSecret(id: string): Promise<TokenSecretRecord | undefined> {
    const [row] = await this.rows<daemonRows.TokenSecretRow>(
      'SELECT t.*, u.role FROM tokens t LEFT JOIN users u ON u.name = t.user_name WHERE t.id = $1',
      [id],
    );
    return row ? daemonRows.tokenSecretOf(row) : undefined;
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return this.tx(async (c) => {
      await c.query('DELETE FROM sessions WHERE token_id = $1', [id]);
      return ((await c.query('UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])).rowCount ?? 0) > 0;
    });
  }

  async touchToken(id: string, at: string): Promise<void> {
    await this.pool.query('UPDATE tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
  }

  async createSession(idHash: string, s: SessionRecord): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE expires_at < $1', [new Date().toISOString()]);
    await this.pool.query('INSERT INTO sessions (id_hash, token_id, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      idHash,
      s.tokenId,
      s.user,
      s.createdAt,
      s.expiresAt,
    ]);
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const [row] = await this.rows<daemonRows.SessionRow>('SELECT * FROM sessions WHERE id_hash = $1', [idHash]);
    return row ? daemonRows.sessionOf(row) : undefined;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  // ---------- audit ----------

  async appendAudit(entry: AuditInput): Promise<AuditEntry> {
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const [last] = await this.rows<{ seq: string; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1', [], c);
      const seq = Number(last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const at = new Date().toISOString();
      const hash = auditHash(prevHash, seq, at, entry);
      await c.query(
        'INSERT INTO audit (seq, at, actor, role, action, resource, source, outcome, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
        [seq, at, entry.actor, entry.role, entry.action, entry.resource, entry.source, entry.outcome, entry.detail, prevHash, hash],
      );
      return { ...entry, seq, at, prevHash, hash };
    });
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    const args: unknown[] = [];
    const arg = numbered(args);
    const where = auditFilterConditions(filter, arg);
    const rows = await this.rows<daemonRows.AuditRow>(
      `SELECT * FROM audit ${whereClause(where)} ORDER BY seq DESC LIMIT ${arg(filter.limit)}`,
      args,
    );
    return rows.map(daemonRows.auditOf);
  }

  async auditChain(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (await this.rows<daemonRows.AuditRow>('SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit])).map(
      daemonRows.auditOf,
    );
  }

  async getSetting(key: string): Promise<string | undefined> {
    const [row] = await this.rows<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return row?.value;
  }

  async putSetting(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }

  private async checkPresence(c: pg.PoolClient, table: string, what: string, docs: readonly { name: string }[], replace: boolean) {
    const found = new Set(
      (await this.rows<{ name: string }>(`SELECT name FROM ${table} WHERE name = ANY($1) FOR UPDATE`, [docs.map((d) => d.name)], c)).map(
        (r) => r.name,
      ),
    );
    checkDocumentPresence(what, docs, replace, (name) => found.has(name));
  }
}
