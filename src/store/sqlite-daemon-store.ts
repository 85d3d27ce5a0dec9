/**
 * The daemon's state in SQLite: the runs tables of `RunStore` (so the CLI sees the daemon's runs), plus
 * the daemon's own tables in the same file. better-sqlite3 is synchronous; the methods are async only to
 * share the interface with PostgreSQL.
 */
import { join } from 'node:path';
import type { Sample } from '../probes/sample.js';
import type { RunReport } from '../report/types.js';
import { faultlineHome } from '../util/home.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
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
  DAEMON_TABLES,
  type Placeholder,
  RUN_COLUMNS,
  runFilterConditions,
  whereClause,
} from './sql.js';
import { RunStore } from './store.js';

const SQLITE_EXTRA = `
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

/** SQLite's placeholder: `?`, the value appended to `args` in order. */
function positional(args: unknown[]): Placeholder {
  return (value) => {
    args.push(value);
    return '?';
  };
}

export class SqliteDaemonStore implements DaemonStore {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  private readonly runs: RunStore;
  private readonly db: SqliteDatabase;

  constructor(file: string = join(faultlineHome(), 'runs.db')) {
    this.location = file;
    this.runs = new RunStore(file); // creates the runs tables the CLI shares
    this.db = openSqlite(file, DAEMON_TABLES + SQLITE_EXTRA);
  }

  async close(): Promise<void> {
    this.runs.close();
    this.db.close();
  }

  // ---------- runs ----------

  async startRun(run: RunStart, origin: RunOrigin | null): Promise<void> {
    this.db.transaction(() => {
      this.runs.startRun(run);
      if (origin) {
        this.db
          .prepare(
            'INSERT INTO run_meta (run_id, trigger_kind, actor, schedule, scheduled_for, owner_pid, owner_start, owner_host) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(...daemonRows.runMetaValues(run.id, origin));
      }
    })();
  }

  async finishRun(report: RunReport, samples: readonly Sample[]): Promise<void> {
    this.runs.finishRun(report, samples); // the CLI's own recorder: one code for every run
  }

  async listRuns(filter: RunFilter): Promise<RunRow[]> {
    const args: unknown[] = [];
    const where = runFilterConditions(filter, positional(args));
    const rows = this.db
      .prepare(
        `SELECT ${RUN_COLUMNS} FROM runs r LEFT JOIN run_meta m ON m.run_id = r.id ${whereClause(where)}
         ORDER BY r.started_at DESC, r.id DESC LIMIT ?`,
      )
      .all(...args, filter.limit) as daemonRows.RunRowColumns[];
    return rows.map(daemonRows.runRowOf);
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r LEFT JOIN run_meta m ON m.run_id = r.id WHERE r.id = ?`).get(id) as
      | daemonRows.RunRowColumns
      | undefined;
    return row ? daemonRows.runRowOf(row) : undefined;
  }

  async getReport(id: string): Promise<RunReport | undefined> {
    const row = this.db.prepare('SELECT report FROM runs WHERE id = ? AND report IS NOT NULL').get(id) as { report: string } | undefined;
    return row ? (JSON.parse(row.report) as RunReport) : undefined;
  }

  async getSamples(id: string): Promise<Sample[]> {
    return this.runs.samplesOf(id);
  }

  async endOrphanedRuns(isAlive: (owner: RunOrigin['owner']) => boolean, reason: string): Promise<string[]> {
    const rows = this.db
      .prepare(
        'SELECT r.id, m.owner_pid, m.owner_start, m.owner_host FROM runs r JOIN run_meta m ON m.run_id = r.id WHERE r.verdict IS NULL',
      )
      .all() as { id: string; owner_pid: number; owner_start: string; owner_host: string }[];
    const dead = rows.filter((r) => !isAlive({ pid: r.owner_pid, start: r.owner_start, host: r.owner_host })).map((r) => r.id);
    const end = this.db.prepare("UPDATE runs SET verdict = 'error', reason = ?, ended_at = ? WHERE id = ? AND verdict IS NULL");
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const id of dead) end.run(reason, now, id);
    })();
    return dead;
  }

  async unfinishedRunsOfSchedule(schedule: string): Promise<string[]> {
    const rows = this.db
      .prepare('SELECT r.id FROM runs r JOIN run_meta m ON m.run_id = r.id WHERE m.schedule = ? AND r.verdict IS NULL')
      .all(schedule) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async pruneScheduleHistory(schedule: string, keep: number): Promise<string[]> {
    return this.db.transaction(() => {
      const old = this.db
        .prepare(
          `SELECT r.id FROM runs r JOIN run_meta m ON m.run_id = r.id WHERE m.schedule = ? AND r.verdict IS NOT NULL
           ORDER BY r.started_at DESC, r.id DESC LIMIT -1 OFFSET ?`,
        )
        .all(schedule, keep) as { id: string }[];
      for (const { id } of old) {
        for (const table of ['samples', 'events']) this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(id);
        this.db.prepare('DELETE FROM run_meta WHERE run_id = ?').run(id);
        this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
      }
      // occurrences: the `keep` latest stay (the latest one is what a restart starts from)
      this.db
        .prepare(
          `DELETE FROM schedule_occurrences WHERE schedule = ? AND scheduled_for < (
             SELECT scheduled_for FROM schedule_occurrences WHERE schedule = ? ORDER BY scheduled_for DESC LIMIT 1 OFFSET ?)`,
        )
        .run(schedule, schedule, keep - 1);
      return old.map((r) => r.id);
    })();
  }

  // ---------- documents ----------

  async listExperiments(): Promise<StoredExperiment[]> {
    return (this.db.prepare('SELECT * FROM experiments ORDER BY name').all() as daemonRows.ExperimentRow[]).map(daemonRows.experimentOf);
  }

  async getExperiment(name: string): Promise<StoredExperiment | undefined> {
    const row = this.db.prepare('SELECT * FROM experiments WHERE name = ?').get(name) as daemonRows.ExperimentRow | undefined;
    return row ? daemonRows.experimentOf(row) : undefined;
  }

  async putExperiments(experiments: StoredExperiment[], replace: boolean): Promise<void> {
    this.db.transaction(() => {
      this.checkPresence('experiments', 'experiment', experiments, replace);
      const put = this.db.prepare(
        `INSERT INTO experiments (name, yaml, labels, hypothesis, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET yaml = excluded.yaml, labels = excluded.labels, hypothesis = excluded.hypothesis,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      );
      for (const e of experiments) put.run(...daemonRows.experimentValues(e));
    })();
  }

  async deleteExperiment(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM experiments WHERE name = ?').run(name).changes > 0;
  }

  async listSchedules(): Promise<StoredSchedule[]> {
    return (this.db.prepare('SELECT * FROM schedules ORDER BY name').all() as daemonRows.ScheduleRow[]).map(daemonRows.scheduleOf);
  }

  async getSchedule(name: string): Promise<StoredSchedule | undefined> {
    const row = this.db.prepare('SELECT * FROM schedules WHERE name = ?').get(name) as daemonRows.ScheduleRow | undefined;
    return row ? daemonRows.scheduleOf(row) : undefined;
  }

  async putSchedules(schedules: StoredSchedule[], replace: boolean): Promise<void> {
    this.db.transaction(() => {
      this.checkPresence('schedules', 'schedule', schedules, replace);
      // a replaced schedule keeps its last occurrence: changing the cron must not replay the past
      const put = this.db.prepare(
        `INSERT INTO schedules (name, yaml, labels, cron, time_zone, experiment_ref, suspended, last_scheduled_at, created_at, updated_at, updated_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET yaml = excluded.yaml, labels = excluded.labels, cron = excluded.cron, time_zone = excluded.time_zone,
           experiment_ref = excluded.experiment_ref, suspended = excluded.suspended, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      );
      for (const s of schedules) put.run(...daemonRows.scheduleValues(s, s.suspended ? 1 : 0));
    })();
  }

  async deleteSchedule(name: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM schedule_occurrences WHERE schedule = ?').run(name);
      return this.db.prepare('DELETE FROM schedules WHERE name = ?').run(name).changes > 0;
    })();
  }

  async setScheduleSuspended(name: string, suspended: boolean, by: string): Promise<boolean> {
    const now = new Date().toISOString();
    // resuming decides every occurrence until now (skipped while suspended): a restart does not catch them up
    return (
      this.db
        .prepare(
          `UPDATE schedules SET suspended = ?, updated_at = ?, updated_by = ?,
             last_scheduled_at = CASE WHEN ? = 0 AND (last_scheduled_at IS NULL OR last_scheduled_at < ?) THEN ? ELSE last_scheduled_at END
           WHERE name = ?`,
        )
        .run(suspended ? 1 : 0, now, by, suspended ? 1 : 0, now, now, name).changes > 0
    );
  }

  async claimOccurrence(schedule: string, scheduledFor: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        const inserted = this.db
          .prepare(
            "INSERT INTO schedule_occurrences (schedule, scheduled_for, decided_at, outcome, detail) VALUES (?, ?, ?, 'pending', '') ON CONFLICT DO NOTHING",
          )
          .run(schedule, scheduledFor, new Date().toISOString()).changes;
        if (!inserted) return false;
        this.db
          .prepare('UPDATE schedules SET last_scheduled_at = ? WHERE name = ? AND (last_scheduled_at IS NULL OR last_scheduled_at < ?)')
          .run(scheduledFor, schedule, scheduledFor);
        return true;
      })
      .immediate();
  }

  async settleOccurrence(
    schedule: string,
    scheduledFor: string,
    outcome: OccurrenceOutcome,
    detail: string,
    runId: string | null,
  ): Promise<void> {
    this.db
      .prepare(
        'UPDATE schedule_occurrences SET outcome = ?, detail = ?, run_id = ?, decided_at = ? WHERE schedule = ? AND scheduled_for = ?',
      )
      .run(outcome, detail, runId, new Date().toISOString(), schedule, scheduledFor);
  }

  async listOccurrences(schedule: string, limit: number): Promise<Occurrence[]> {
    const rows = this.db
      .prepare('SELECT * FROM schedule_occurrences WHERE schedule = ? ORDER BY scheduled_for DESC LIMIT ?')
      .all(schedule, limit) as daemonRows.OccurrenceRow[];
    return rows.map(daemonRows.occurrenceOf);
  }

  async lastStartOf(schedule: string): Promise<number | null> {
    const row = this.db
      .prepare(
        "SELECT r.started_at FROM schedule_occurrences o JOIN runs r ON r.id = o.run_id WHERE o.schedule = ? AND o.outcome = 'started' ORDER BY o.scheduled_for DESC LIMIT 1",
      )
      .get(schedule) as { started_at: string } | undefined;
    return row ? Date.parse(row.started_at) : null;
  }

  // ---------- users, tokens, sessions ----------

  async listUsers(): Promise<UserRecord[]> {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as daemonRows.UserRow[]).map(daemonRows.userOf);
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as daemonRows.UserRow | undefined;
    return row ? daemonRows.userOf(row) : undefined;
  }

  async createUser(user: UserRecord): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO users (name, role, created_at, created_by) VALUES (?, ?, ?, ?)')
        .run(user.name, user.role, user.createdAt, user.createdBy);
    } catch (error) {
      if (String((error as Error).message).includes('UNIQUE')) throw new ConflictError(`user ${user.name} exists`, [user.name]);
      throw error;
    }
  }

  async deleteUser(name: string, at: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL').run(at, name);
      this.db.prepare('DELETE FROM sessions WHERE user_name = ?').run(name);
      return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
    })();
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (this.db.prepare('SELECT * FROM tokens ORDER BY created_at').all() as daemonRows.TokenRow[]).map(daemonRows.tokenOf);
  }

  async createToken(token: TokenSecretRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO tokens (id, user_name, description, salt, hash, scope, created_at, created_by, expires_at, last_used_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      )
      .run(
        token.id,
        token.user,
        token.description,
        token.salt,
        token.hash,
        token.scope ? JSON.stringify(token.scope) : null,
        token.createdAt,
        token.createdBy,
        token.expiresAt,
      );
  }

  async getTokenSecret(id: string): Promise<TokenSecretRecord | undefined> {
    const row = this.db.prepare('SELECT t.*, u.role FROM tokens t LEFT JOIN users u ON u.name = t.user_name WHERE t.id = ?').get(id) as
      | daemonRows.TokenSecretRow
      | undefined;
    return row ? daemonRows.tokenSecretOf(row) : undefined;
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE token_id = ?').run(id);
      return this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
    })();
  }

  async touchToken(id: string, at: string): Promise<void> {
    this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  async createSession(idHash: string, s: SessionRecord): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(new Date().toISOString());
    this.db
      .prepare('INSERT INTO sessions (id_hash, token_id, user_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(idHash, s.tokenId, s.user, s.createdAt, s.expiresAt);
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as daemonRows.SessionRow | undefined;
    return row ? daemonRows.sessionOf(row) : undefined;
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  // ---------- audit ----------

  async appendAudit(entry: AuditInput): Promise<AuditEntry> {
    return this.db
      .transaction(() => {
        const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
          | { seq: number; hash: string }
          | undefined;
        const seq = (last?.seq ?? 0) + 1;
        const prevHash = last?.hash ?? GENESIS_HASH;
        const at = new Date().toISOString();
        const hash = auditHash(prevHash, seq, at, entry);
        this.db
          .prepare(
            'INSERT INTO audit (seq, at, actor, role, action, resource, source, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(seq, at, entry.actor, entry.role, entry.action, entry.resource, entry.source, entry.outcome, entry.detail, prevHash, hash);
        return { ...entry, seq, at, prevHash, hash };
      })
      .immediate();
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    const args: unknown[] = [];
    const where = auditFilterConditions(filter, positional(args));
    const rows = this.db
      .prepare(`SELECT * FROM audit ${whereClause(where)} ORDER BY seq DESC LIMIT ?`)
      .all(...args, filter.limit) as daemonRows.AuditRow[];
    return rows.map(daemonRows.auditOf);
  }

  async auditChain(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (this.db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as daemonRows.AuditRow[]).map(
      daemonRows.auditOf,
    );
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  async putSetting(key: string, value: string): Promise<void> {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  private checkPresence(table: string, what: string, docs: readonly { name: string }[], replace: boolean): void {
    const exists = this.db.prepare(`SELECT 1 FROM ${table} WHERE name = ?`);
    checkDocumentPresence(what, docs, replace, (name) => Boolean(exists.get(name)));
  }
}
