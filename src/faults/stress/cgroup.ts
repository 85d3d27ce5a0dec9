/**
 * `cgroup: target`: stress workers join the cgroups of the target process, so the target's own limits and
 * accounting see the pressure, as Chaos Mesh's stressors do inside a pod. Linux only.
 *
 * The target's cgroups are read from /proc/PID/cgroup; each hierarchy is found where it is mounted
 * (/proc/self/mountinfo): the cgroup v2 hierarchy (`0::/path`, at /sys/fs/cgroup on a unified host, at
 * /sys/fs/cgroup/unified on a hybrid one) and, on hosts that still use v1 controllers, every v1 hierarchy
 * the target is in (cpu, memory, blkio, ...), since that is where such a host keeps its limits.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../util/errors.js';

export interface CgroupPlace {
  /** `v2`, or the v1 controllers (`cpu,cpuacct`, `memory`) */
  hierarchy: string;
  /** the cgroup's folder, e.g. /sys/fs/cgroup/system.slice/payments.service */
  dir: string;
}

interface CgroupMount {
  version: 1 | 2;
  /** v1: the controllers (and `name=...`) in the mount options */
  controllers: string[];
  /** the cgroup path mounted there (not `/` inside some containers) */
  root: string;
  mountPoint: string;
}

function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

function cgroupMounts(): CgroupMount[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions = ''] = right.split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({
      version: fsType === 'cgroup2' ? 2 : 1,
      controllers: superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro'),
      root: unescapeMount(fields[3] ?? '/'),
      mountPoint: unescapeMount(fields[4] ?? ''),
    });
  }
  return mounts;
}

function under(root: string, path: string): string | null {
  if (root === '/') return path;
  if (path === root) return '/';
  return path.startsWith(`${root}/`) ? path.slice(root.length) : null;
}

/** The cgroup folders of a process, one per mounted hierarchy it is in. Throws a UserError when there is none. */
export function cgroupPlacesOf(pid: number, label: string): CgroupPlace[] {
  if (process.platform !== 'linux') throw new UserError(`cgroup: target works on Linux only; remove it from the step's params`);
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    throw new UserError(`cgroup: target: cannot read /proc/${pid}/cgroup of ${label}; is the process still running?`);
  }
  const mounts = cgroupMounts();
  const places: CgroupPlace[] = [];
  for (const line of text.trim().split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, id, controllerList = '', path = '/'] = m;
    const controllers = controllerList.split(',').filter(Boolean);
    const mount =
      id === '0'
        ? mounts.find((mt) => mt.version === 2)
        : mounts.find((mt) => mt.version === 1 && controllers.length > 0 && controllers.every((c) => mt.controllers.includes(c)));
    if (!mount) continue;
    const relative = under(mount.root, path);
    if (relative === null) continue;
    const dir = join(mount.mountPoint, relative);
    if (!existsSync(join(dir, 'cgroup.procs'))) continue;
    places.push({ hierarchy: id === '0' ? 'v2' : controllers.join(','), dir });
  }
  if (places.length === 0) {
    throw new UserError(
      `cgroup: target: no cgroup file system is mounted for the cgroups of ${label} (cgroup v2 is usually at /sys/fs/cgroup); mount it, or remove cgroup: target`,
    );
  }
  return places;
}

/** `/system.slice/payments.service (v2)`: how the places read in a description. */
export function describePlaces(places: readonly CgroupPlace[]): string {
  return places.map((p) => `${p.dir} (${p.hierarchy})`).join(', ');
}

/** Moves each process into every place. Throws a UserError that says why a move was refused. */
export function joinCgroups(pids: readonly number[], places: readonly CgroupPlace[]): void {
  for (const place of places) {
    const file = join(place.dir, 'cgroup.procs');
    for (const pid of pids) {
      try {
        writeFileSync(file, `${pid}\n`);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why =
          code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? 'permission denied; run faultline as root (or as the owner of that cgroup), or remove cgroup: target'
            : code === 'EBUSY' || code === 'EOPNOTSUPP'
              ? 'the cgroup has child cgroups with controllers enabled (cgroup v2 admits processes only in leaves); target a process in a leaf cgroup'
              : (error as Error).message;
        throw new UserError(`cgroup: target: cannot move stress worker ${pid} into ${file}: ${why}`);
      }
    }
  }
}
