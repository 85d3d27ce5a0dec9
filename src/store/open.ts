/** Opens the daemon's store from `--store`: `sqlite` (default), `sqlite:PATH`, or `postgres://...`. */
import { UserError } from '../util/errors.js';
import type { DaemonStore } from './daemon-store.js';
import type { GameDayStore } from './gameday-store.js';
import { SqliteDaemonStore } from './sqlite-daemon-store.js';
import { SqliteGameDayStore } from './sqlite-gameday-store.js';

export async function openDaemonStore(spec = 'sqlite'): Promise<DaemonStore> {
  if (spec === 'sqlite') return new SqliteDaemonStore();
  if (spec.startsWith('sqlite:')) return new SqliteDaemonStore(spec.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(spec)) {
    const { PostgresDaemonStore, redactUrl } = await import('./postgres-daemon-store.js');
    try {
      return await PostgresDaemonStore.open(spec);
    } catch (error) {
      throw new UserError(`${(error as Error).message.replace(spec, redactUrl(spec))}; check --store`);
    }
  }
  throw new UserError(
    `--store ${JSON.stringify(spec.replace(/\/\/[^@/]*@/, '//***@'))}: expected sqlite, sqlite:PATH or postgres://USER@HOST/DB`,
  );
}

/** The game-day store in the same database as the daemon's store (`--store`), or `$FAULTLINE_HOME/runs.db`. */
export async function openGameDayStore(spec = 'sqlite'): Promise<GameDayStore> {
  if (spec === 'sqlite') return new SqliteGameDayStore();
  if (spec.startsWith('sqlite:')) return new SqliteGameDayStore(spec.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(spec)) {
    const [{ PostgresGameDayStore }, { redactUrl }] = await Promise.all([
      import('./postgres-gameday-store.js'),
      import('./postgres-daemon-store.js'),
    ]);
    try {
      return await PostgresGameDayStore.open(spec);
    } catch (error) {
      throw new UserError(
        `cannot use PostgreSQL at ${redactUrl(spec)}: ${(error as Error).message.replace(spec, redactUrl(spec))}; check --store`,
      );
    }
  }
  throw new UserError(
    `--store ${JSON.stringify(spec.replace(/\/\/[^@/]*@/, '//***@'))}: expected sqlite, sqlite:PATH or postgres://USER@HOST/DB`,
  );
}
