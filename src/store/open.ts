/**
 * Opens a store from `--store`: `sqlite` (default), `sqlite:PATH`, or `postgres://...`. The daemon's store and
 * the game-day store live in the same database, so both are opened from the same spec.
 */
import { UserError } from '../util/errors.js';
import type { DaemonStore } from './daemon-store.js';
import type { GameDayStore } from './gameday-store.js';
import { SqliteDaemonStore } from './sqlite-daemon-store.js';
import { SqliteGameDayStore } from './sqlite-gameday-store.js';

interface Opener<T> {
  /** a file path, or undefined for `$FAULTLINE_HOME/runs.db` */
  sqlite(file: string | undefined): T;
  postgres(url: string): Promise<T>;
}

async function openStore<T>(spec: string, opener: Opener<T>): Promise<T> {
  if (spec === 'sqlite') return opener.sqlite(undefined);
  if (spec.startsWith('sqlite:')) return opener.sqlite(spec.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(spec)) {
    const { redactUrl } = await import('./postgres-daemon-store.js');
    try {
      return await opener.postgres(spec);
    } catch (error) {
      const message = (error as Error).message.replace(spec, redactUrl(spec));
      throw new UserError(
        `${message.startsWith('cannot use') ? '' : `cannot use PostgreSQL at ${redactUrl(spec)}: `}${message}; check --store`,
      );
    }
  }
  throw new UserError(
    `--store ${JSON.stringify(spec.replace(/\/\/[^@/]*@/, '//***@'))}: expected sqlite, sqlite:PATH or postgres://USER@HOST/DB`,
  );
}

export function openDaemonStore(spec = 'sqlite'): Promise<DaemonStore> {
  return openStore<DaemonStore>(spec, {
    sqlite: (file) => new SqliteDaemonStore(file),
    postgres: async (url) => (await import('./postgres-daemon-store.js')).PostgresDaemonStore.open(url),
  });
}

export function openGameDayStore(spec = 'sqlite'): Promise<GameDayStore> {
  return openStore<GameDayStore>(spec, {
    sqlite: (file) => new SqliteGameDayStore(file),
    postgres: async (url) => (await import('./postgres-gameday-store.js')).PostgresGameDayStore.open(url),
  });
}
