/**
 * Game-day state in PostgreSQL, in the daemon's database: approvals are decided under a row lock on the
 * game day, so two approvers (or an approver and the runner) never disagree. Loaded only for postgres://.
 */
import pg from 'pg';
import {
  type ApprovalOutcome,
  decideApproval,
  GAMEDAY_TABLES,
  type GameDayRecord,
  type GameDayRow,
  type GameDayStatus,
  type GameDayStore,
  type Note,
  type NoteInput,
  type NoteRow,
  type StageRecord,
  type StageRow,
  stageAssignments,
  toGameDay,
  toNote,
} from './gameday-store.js';

const SCHEMA_LOCK = 7_340_103;
const SCHEMA = `${GAMEDAY_TABLES}
CREATE TABLE IF NOT EXISTS gameday_notes (
  id BIGSERIAL PRIMARY KEY, gameday_id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
  author TEXT NOT NULL, text TEXT NOT NULL, severity TEXT, owner TEXT, due TEXT
);
`;

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresGameDayStore implements GameDayStore {
  readonly kind = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresGameDayStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
    pool.on('error', () => {});
    const store = new PostgresGameDayStore(pool);
    try {
      await store.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await c.query(SCHEMA);
      });
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
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

  async create(record: Omit<GameDayRecord, 'stages'>, stageNames: string[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        'INSERT INTO gamedays (id, name, file, facilitator, observers, status, reason, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [
          record.id,
          record.name,
          record.file,
          record.facilitator,
          JSON.stringify(record.observers),
          record.status,
          record.reason,
          record.startedAt,
          record.endedAt,
        ],
      );
      for (const [i, name] of stageNames.entries()) {
        await c.query(
          "INSERT INTO gameday_stages (gameday_id, idx, name, status, run_ids, detail) VALUES ($1, $2, $3, 'pending', '[]', '')",
          [record.id, i, name],
        );
      }
    });
  }

  private async read(id: string, on: Queryable = this.pool): Promise<GameDayRecord | undefined> {
    const [row] = await this.rows<GameDayRow>('SELECT * FROM gamedays WHERE id = $1', [id], on);
    if (!row) return undefined;
    return toGameDay(row, await this.rows<StageRow>('SELECT * FROM gameday_stages WHERE gameday_id = $1', [id], on));
  }

  async get(idOrPrefix: string): Promise<GameDayRecord | undefined | 'ambiguous'> {
    const rows = await this.rows<{ id: string }>("SELECT id FROM gamedays WHERE id LIKE $1 || '%' LIMIT 2", [idOrPrefix]);
    if (rows.length > 1) return 'ambiguous';
    return rows[0] ? this.read(rows[0].id) : undefined;
  }

  async list(limit: number): Promise<GameDayRecord[]> {
    const rows = await this.rows<{ id: string }>('SELECT id FROM gamedays ORDER BY started_at DESC LIMIT $1', [limit]);
    const records = await Promise.all(rows.map((r) => this.read(r.id)));
    return records.filter((r): r is GameDayRecord => r !== undefined);
  }

  async setStatus(id: string, status: GameDayStatus, reason: string, endedAt: string | null): Promise<void> {
    await this.pool.query('UPDATE gamedays SET status = $1, reason = $2, ended_at = $3 WHERE id = $4', [status, reason, endedAt, id]);
  }

  async updateStage(id: string, index: number, change: Partial<Omit<StageRecord, 'index' | 'name'>>): Promise<void> {
    const set = stageAssignments(change);
    if (!set.length) return;
    const assignments = set.map(([column], i) => `${column} = $${i + 1}`).join(', ');
    await this.pool.query(`UPDATE gameday_stages SET ${assignments} WHERE gameday_id = $${set.length + 1} AND idx = $${set.length + 2}`, [
      ...set.map(([, v]) => v),
      id,
      index,
    ]);
  }

  async approve(id: string, index: number | undefined, by: string, at: string): Promise<ApprovalOutcome> {
    return this.tx(async (c) => {
      await c.query('SELECT id FROM gamedays WHERE id = $1 FOR UPDATE', [id]);
      const record = await this.read(id, c);
      if (!record) return { ok: false, why: 'unknown-gameday', detail: `no game day ${id}` };
      const decided = decideApproval(record, index);
      if (!decided.ok) return decided;
      await c.query('UPDATE gameday_stages SET approved_by = $1, approved_at = $2 WHERE gameday_id = $3 AND idx = $4', [
        by,
        at,
        id,
        decided.index,
      ]);
      return { ok: true, stage: (await this.read(id, c))?.stages[decided.index] as StageRecord };
    });
  }

  async addNote(id: string, note: NoteInput, at: string): Promise<Note> {
    const [row] = await this.rows<NoteRow>(
      'INSERT INTO gameday_notes (gameday_id, kind, at, author, text, severity, owner, due) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *',
      [id, note.kind, at, note.author, note.text, note.severity ?? null, note.owner ?? null, note.due ?? null],
    );
    return toNote(row as NoteRow);
  }

  async notes(id: string): Promise<Note[]> {
    return (await this.rows<NoteRow>('SELECT * FROM gameday_notes WHERE gameday_id = $1 ORDER BY id', [id])).map(toNote);
  }
}
