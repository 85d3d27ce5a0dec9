/** Opens the daemon's store from `--store`: `sqlite` (default), `sqlite:PATH`, or `postgres://...`. */
import { UserError } from '../util/errors.js';
import type { DaemonStore } from './daemon-store.js';
import { SqliteDaemonStore } from './sqlite-daemon-store.js';

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
