/**
 * Stress workers: child processes that cause CPU, memory or IO pressure, started, journaled and stopped
 * the same way for stress.cpu, stress.memory and stress.io, whichever the engine.
 *
 * Journal before harm. A worker is started detached (its own session, so its own process group whose id is
 * its pid) and idle: the built-in worker waits for `go` on stdin before it does anything, and stress-ng is
 * started as `sh -c 'read -r go && exec stress-ng ...'`, which `exec`s in place (same pid, same start time)
 * only after `go`. Between the spawn and `go` the runner journals each worker's pid and start time, then
 * moves the workers into the target's cgroups (cgroup: target), then writes `go`. Node cannot spawn a
 * process stopped, and a SIGSTOP sent after the spawn could come too late; a worker that waits for a word
 * on a pipe cannot start early. If the runner dies before `go`, the pipe closes and the idle worker exits
 * by itself: nothing unjournaled ever does harm. After `go`, the journal is how `faultline recover` finds
 * the workers; each also has a hard deadline in its arguments so that none runs forever.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { builtScript } from '../../util/built-script.js';
import { formatDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { isSameProcess, processInfo } from '../../util/processes.js';
import { z } from '../../util/zod.js';
import { type CgroupPlace, joinCgroups } from './cgroup.js';

export const ENGINES = ['builtin', 'stress-ng'] as const;
export type Engine = (typeof ENGINES)[number];

export const engineField = z
  .enum(ENGINES, { error: (i) => `expected engine builtin or stress-ng, got ${JSON.stringify(i.input)}` })
  .default('builtin')
  .describe('builtin (child processes of faultline, needs nothing) or stress-ng (must be installed)');

export const cgroupField = z
  .enum(['none', 'target'], { error: (i) => `expected cgroup none or target, got ${JSON.stringify(i.input)}` })
  .default('none')
  .describe("target: the workers join the target process's cgroups (Linux), so its limits and accounting see the pressure");

export const workersField = z
  .number({ error: (i) => `expected a whole number of workers from 1 to 1024, got ${JSON.stringify(i.input)}` })
  .int({ error: (i) => `expected a whole number of workers from 1 to 1024, got ${JSON.stringify(i.input)}` })
  .min(1, { error: (i) => `expected a whole number of workers from 1 to 1024, got ${JSON.stringify(i.input)}` })
  .max(1024, { error: (i) => `expected a whole number of workers from 1 to 1024, got ${JSON.stringify(i.input)}` })
  .default(1);

export interface WorkerRef {
  pid: number;
  /** tells the worker from a later process that reuses its pid */
  startTime: string;
}

/** What stress.cpu, stress.memory and stress.io journal. */
export interface StressState {
  engine: Engine;
  workers: WorkerRef[];
  /** stress.io's scratch folder, removed on revert */
  dir?: string;
  /** when the workers stop by themselves (ISO time) */
  deadline: string;
}

/** The bound of a step held until the method ends (no duration): the workers stop by themselves then. */
export const UNBOUNDED_HOLD_MS = 3_600_000;

/** When workers stop by themselves: the step's duration plus a margin (10%, at least 30s). */
export function workerDeadline(durationMs: number | null): number {
  const hold = durationMs ?? UNBOUNDED_HOLD_MS;
  return Date.now() + hold + Math.max(30_000, Math.round(hold * 0.1));
}

export function describeHold(durationMs: number | null): string {
  return durationMs === null ? `until the method ends (at most ${formatDuration(UNBOUNDED_HOLD_MS)})` : `for ${formatDuration(durationMs)}`;
}

/** The built-in worker script: dist/faults/stress/worker.js (also when this module runs from src/ in tests). */
export function workerScript(): string {
  return builtScript(import.meta.url, './worker.js');
}

/** The full path of an executable on PATH, or null. */
export function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

export function requireStressNg(): string {
  const file = which('stress-ng');
  if (!file)
    throw new UserError(
      'engine: stress-ng needs stress-ng, which is not installed; install it (Debian: apt-get install stress-ng) or use engine: builtin',
    );
  return file;
}

/** The argv of one built-in worker. */
export function builtinWorker(kind: 'cpu' | 'memory' | 'io', deadline: number, options: Record<string, string | number>): string[] {
  return [
    process.execPath,
    workerScript(),
    'faultline-stress-worker',
    kind,
    `--deadline=${deadline}`,
    ...Object.entries(options).map(([k, v]) => `--${k}=${v}`),
  ];
}

/** The argv that starts stress-ng only after `go` (see the top of this file); `--timeout` is the deadline. */
export function stressNgWorker(stressNg: string, deadline: number, args: string[]): string[] {
  const timeout = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
  return ['/bin/sh', '-c', 'read -r go && exec "$@"', 'faultline-stress-ng', stressNg, ...args, '--timeout', `${timeout}s`, '--quiet'];
}

export interface LaunchPlan {
  /** `stress.cpu`: names the fault in messages */
  fault: string;
  /** one argv per process to start */
  commands: string[][];
  /** the built-in worker says `ready`; stress-ng is ready when it is still running a moment after `go` */
  saysReady: boolean;
  readyTimeoutMs: number;
  /** where the workers go (cgroup: target), empty for none */
  cgroups: CgroupPlace[];
  /** journals the started, still idle workers; called once, before `go` */
  journal: (workers: WorkerRef[]) => void;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<string>;
}

function start(argv: string[]): Started {
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.stdin?.on('error', () => {}); // a worker that died before `go`: reported by `exited`
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start ${file}: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  });
  return { child, output: () => output, exited };
}

function spawned(s: Started): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.child.pid !== undefined) return resolve();
    s.child.once('spawn', () => resolve());
    s.child.once('error', (error) => reject(new UserError(`cannot start a stress worker: ${error.message}`)));
  });
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').filter(Boolean).pop() ?? '';
  return line ? `: ${line.slice(0, 300)}` : '';
}

function whenReady(s: Started, plan: LaunchPlan): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new UserError(`${plan.fault}: a worker stopped before its pressure was in place (${why}${lastLine(s.output())})`));
    };
    const timer = setTimeout(
      () => (plan.saysReady ? fail(`not ready after ${formatDuration(plan.readyTimeoutMs)}`) : resolve()),
      plan.saysReady ? plan.readyTimeoutMs : 300,
    );
    void s.exited.then(fail);
    if (plan.saysReady) {
      const onData = (chunk: Buffer) => {
        if (!chunk.toString().includes('ready')) return;
        s.child.stdout?.off('data', onData);
        clearTimeout(timer);
        resolve();
      };
      s.child.stdout?.on('data', onData);
    }
  });
}

/** Lets go of a worker: it keeps running after the runner exits, and the runner does not wait for it. */
function release(s: Started): void {
  s.child.stdin?.destroy();
  s.child.stdout?.destroy();
  s.child.stderr?.destroy();
  s.child.unref();
}

/** Starts the workers of one injection: spawn idle, journal, join cgroups, `go`, wait until ready. */
export async function launchWorkers(plan: LaunchPlan): Promise<void> {
  const started: Started[] = [];
  let journaled = false;
  try {
    for (const argv of plan.commands) started.push(start(argv));
    await Promise.all(started.map(spawned));
    const workers = started.map((s) => {
      const pid = s.child.pid as number;
      const info = processInfo(pid);
      if (!info) throw new UserError(`${plan.fault}: a worker (pid ${pid}) exited as soon as it started${lastLine(s.output())}`);
      return { pid, startTime: info.startTime };
    });
    plan.journal(workers);
    journaled = true;
    if (plan.cgroups.length)
      joinCgroups(
        workers.map((w) => w.pid),
        plan.cgroups,
      );
    for (const s of started) s.child.stdin?.write('go\n');
    await Promise.all(started.map((s) => whenReady(s, plan)));
  } catch (error) {
    // Not journaled yet: these idle workers are ours alone to stop. Journaled: the engine reverts.
    if (!journaled) for (const s of started) if (s.child.pid !== undefined) killGroup(s.child.pid);
    throw error;
  } finally {
    for (const s of started) release(s);
  }
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {}
  }
}

interface ProcStat {
  pid: number;
  pgrp: number;
  startTime: string;
  state: string;
  command: string;
}

/** Linux: every process with its process group, to find the workers a killed stress-ng leader left behind. */
function procStats(): ProcStat[] {
  if (process.platform !== 'linux') return [];
  const result: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
      result.push({
        pid: Number(entry),
        pgrp: Number(fields[2]),
        startTime: fields[19] ?? '',
        state: fields[0] ?? '?',
        command: `${comm} ${cmdline}`,
      });
    } catch {}
  }
  return result;
}

const WORKER_COMMAND = /faultline-stress-worker|faultline-stress-ng|stress-ng/;

/**
 * The live processes of the workers' groups: the leader if it is still the same process, and members of its
 * group that are stress workers and started no earlier (a group id cannot be reused while a member lives).
 */
function liveWorkerProcesses(workers: readonly WorkerRef[]): number[] {
  const stats = procStats();
  const live = new Set<number>();
  for (const w of workers) {
    if (isSameProcess(w.pid, w.startTime)) live.add(w.pid);
    for (const p of stats) {
      if (p.pgrp !== w.pid || p.state === 'Z' || p.pid === w.pid) continue;
      if (WORKER_COMMAND.test(p.command) && Number(p.startTime) >= Number(w.startTime)) live.add(p.pid);
    }
  }
  return [...live];
}

/** Kills every worker (and what it forked) and waits until they are gone. Idempotent. */
export async function stopWorkers(workers: readonly WorkerRef[]): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const live = liveWorkerProcesses(workers);
    if (live.length === 0) return;
    if (Date.now() > deadline) throw new Error(`stress worker process(es) ${live.join(', ')} still alive 5s after SIGKILL`);
    for (const w of workers) if (isSameProcess(w.pid, w.startTime)) killGroup(w.pid);
    for (const pid of live) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A scratch folder made by stress.io or disk.fill: only such a folder or file is ever removed. */
export const SCRATCH_NAME = /^faultline-(io|fill)-[0-9a-f]{8,}(\.tmp)?$/;

export function removeScratch(path: string): void {
  if (!SCRATCH_NAME.test(basename(path))) throw new Error(`refusing to remove ${path}: not a faultline scratch file`);
  rmSync(path, { recursive: true, force: true });
}

export async function revertStress(state: StressState): Promise<void> {
  await stopWorkers(state.workers);
  if (state.dir) removeScratch(state.dir);
}
