/**
 * What faultline knows about the processes of this host: Linux reads /proc, macOS asks `ps`.
 * The start time identifies a process together with its pid, so a reused pid is never mistaken for it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  /** the command line, arguments joined by spaces */
  command: string;
  /** opaque start time: clock ticks since boot (Linux) or the `lstart` text (macOS) */
  startTime: string;
  /** one-letter state: R running, S sleeping, T stopped, Z zombie, ... */
  state: string;
}

const isLinux = process.platform === 'linux';

function linuxProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      uid,
      command: cmdline,
      startTime: fields[19] ?? '',
      state: fields[0] ?? '?',
    };
  } catch {
    return undefined;
  }
}

function psProcesses(pids?: number[]): ProcessInfo[] {
  const args = ['-o', 'pid=,ppid=,uid=,state=,lstart=,command='];
  args.push(...(pids ? ['-p', pids.join(',')] : ['-ax']));
  let out: string;
  try {
    out = execFileSync('ps', args, { encoding: 'utf8' });
  } catch {
    return [];
  }
  const result: ProcessInfo[] = [];
  for (const line of out.split('\n')) {
    // lstart is five words: "Wed Nov 25 13:25:20 2026"
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    result.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      uid: Number(m[3]),
      state: (m[4] as string)[0] ?? '?',
      startTime: m[5] as string,
      command: m[6] as string,
    });
  }
  return result;
}

export function processInfo(pid: number): ProcessInfo | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return isLinux ? linuxProcess(pid) : psProcesses([pid])[0];
}

export function listProcesses(): ProcessInfo[] {
  if (!isLinux) return psProcesses();
  const result: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = linuxProcess(Number(entry));
    if (info) result.push(info);
  }
  return result;
}

/** True when `pid` still names the same process that had `startTime` (a zombie counts as gone). */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  const info = processInfo(pid);
  if (!info || info.state === 'Z') return false;
  return startTime === undefined || info.startTime === startTime;
}

/**
 * The processes whose environment holds `name=value` (Linux only: read from /proc/PID/environ). A
 * command started with a unique marker in its environment can be found again, with every process it
 * started, by whoever holds the marker, even when its pid was never written down.
 */
export function processesWithEnvironment(name: string, value: string): number[] {
  if (!isLinux) return [];
  const wanted = Buffer.from(`${name}=${value}\0`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      if (environ.indexOf(wanted) === 0 || environ.indexOf(Buffer.concat([Buffer.from('\0'), wanted])) >= 0) found.push(Number(entry));
    } catch {} // gone, or not ours to read
  }
  return found;
}

/** This process and its ancestors: never a target, whatever a `match` pattern says. */
export function selfAndAncestors(): Set<number> {
  const pids = new Set<number>([process.pid]);
  let pid = process.ppid;
  for (let depth = 0; pid > 1 && depth < 64; depth++) {
    pids.add(pid);
    const info = processInfo(pid);
    if (!info) break;
    pid = info.ppid;
  }
  return pids;
}

export function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}
