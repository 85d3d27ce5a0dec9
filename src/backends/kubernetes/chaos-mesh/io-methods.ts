/**
 * IOChaos `methods` (FUSE operations) and faultline's IO operations, both ways. faultline's preload
 * library sees calls, not FUSE requests: `stat` is Chaos Mesh's getattr (and lookup), `fsync` its fsync
 * (and flush), `open` its open (and create). The other FUSE operations have no faultline equivalent.
 */
export const TO_CHAOS_MESH: Record<string, string> = { open: 'open', read: 'read', write: 'write', fsync: 'fsync', stat: 'getattr' };

const FROM_CHAOS_MESH: Record<string, string> = {
  open: 'open',
  create: 'open',
  read: 'read',
  write: 'write',
  fsync: 'fsync',
  flush: 'fsync',
  getattr: 'stat',
  lookup: 'stat',
};

/** faultline's operations for IOChaos methods, and the methods that have none. */
export function methodsFromChaosMesh(methods: readonly string[]): { ops: string[]; unmapped: string[] } {
  const ops = [...new Set(methods.map((m) => FROM_CHAOS_MESH[m]).filter((op): op is string => op !== undefined))];
  return { ops, unmapped: methods.filter((m) => !(m in FROM_CHAOS_MESH)) };
}

/** Every faultline IO operation: a step with all of them writes no `methods` (IOChaos's default: all). */
export const ALL_IO_OPS = Object.keys(TO_CHAOS_MESH);
