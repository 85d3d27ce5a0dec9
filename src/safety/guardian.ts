/**
 * The runner's side of its guardian (src/guardian/main.ts): one guardian process per journal for as long
 * as this process has runs going, started before any harm, fed a heartbeat every 200ms from this
 * event loop. When this process dies, the guardian reverts its journaled faults within a second; when
 * this event loop stalls past the stall timeout, it reverts them too, and this side tells the runs of
 * this process once it runs again (onStall).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { builtScript } from '../util/built-script.js';
import { errorMessage } from '../util/errors.js';
import { selfOwner } from '../util/owner.js';

const HEARTBEAT_MS = 200;
/** How long the event loop may give no heartbeat while faults are active (FAULTLINE_STALL_TIMEOUT, ms). */
export const DEFAULT_STALL_TIMEOUT_MS = 5_000;
const READY_TIMEOUT_MS = 10_000;

interface Watch {
  child: ChildProcess;
  ready: Promise<void>;
  users: number;
  timer: NodeJS.Timeout;
  /** fault name -> the guardian's answer that the revert of that fault is loaded */
  prepared: Map<string, Promise<void>>;
  /** fault name -> what settles the pending `prepare` of that fault */
  pending: Map<string, (error?: Error) => void>;
  /** when the last heartbeat left, and whether the listeners were told that it is overdue */
  lastBeat: number;
  stallNoticed: boolean;
}

const watches = new Map<string, Watch>();

/** journal file -> who wants to know that this process missed its heartbeats for longer than the stall timeout */
type StallListener = (gapMs: number, stallMs: number) => void;
const stallListeners = new Map<string, Set<StallListener>>();

/**
 * Calls `listener` each time this process gave its guardian no heartbeat for longer than the stall
 * timeout (it was stopped, frozen or starved): the guardian has reverted, or is reverting, the faults
 * journaled meanwhile. It is told before the next heartbeat leaves, so it never misses a stall the
 * guardian acted on (the guardian measures from a heartbeat's arrival, later than its sending). Returns
 * what stops it.
 */
export function onStall(journalFile: string, listener: StallListener): () => void {
  let listeners = stallListeners.get(journalFile);
  if (!listeners) stallListeners.set(journalFile, (listeners = new Set()));
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (!listeners.size) stallListeners.delete(journalFile);
  };
}

/**
 * Tells the onStall listeners, once per stall, when the heartbeat is overdue past the stall timeout.
 * Called before each heartbeat leaves, and by a run's own watches before they judge anything: after a
 * stall, the stall is what they report, whichever timer runs first.
 */
export function noticeStall(journalFile: string): void {
  const watch = watches.get(journalFile);
  if (watch) noticeStallOf(watch, journalFile);
}

function noticeStallOf(watch: Watch, journalFile: string): void {
  if (watch.stallNoticed) return;
  const gapMs = Date.now() - watch.lastBeat;
  const stallMs = stallTimeoutMs();
  if (gapMs <= stallMs) return;
  watch.stallNoticed = true;
  for (const listener of stallListeners.get(journalFile) ?? []) listener(gapMs, stallMs);
}

export function stallTimeoutMs(): number {
  const configured = Number(process.env.FAULTLINE_STALL_TIMEOUT);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_STALL_TIMEOUT_MS;
}

function startGuardian(journalFile: string): Watch {
  const owner = selfOwner();
  const child = spawn(
    process.execPath,
    [builtScript(import.meta.url, '../guardian/main.js'), journalFile, String(owner.pid), owner.start],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true, // its own session: a Ctrl-C or a group kill aimed at the runner does not reach it
    },
  );
  // neither the guardian nor its pipes keep this process alive
  child.unref();
  (child.stdin as Socket | null)?.unref();
  (child.stdout as Socket | null)?.unref();
  child.stdin?.on('error', () => {}); // a guardian that died: the next run starts another
  const pending = new Map<string, (error?: Error) => void>();
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS}ms`)), READY_TIMEOUT_MS);
    // its answers, one line each: `ready`, then `prepared FAULT` for each `prepare FAULT` asked
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      }
      const fault = /^prepared (\S+)$/.exec(line)?.[1];
      if (fault) pending.get(fault)?.();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const gone = new Error(`it exited with code ${code}`);
      reject(gone);
      for (const settle of pending.values()) settle(gone);
    });
  });
  ready.catch(() => {});
  const beat = () => {
    noticeStallOf(watch, journalFile);
    watch.lastBeat = Date.now();
    watch.stallNoticed = false;
    child.stdin?.write(`beat ${stallTimeoutMs()}\n`);
  };
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  const watch: Watch = { child, ready, users: 0, timer, prepared: new Map(), pending, lastBeat: Date.now(), stallNoticed: false };
  beat();
  child.once('exit', () => {
    if (watches.get(journalFile) === watch) watches.delete(journalFile);
    clearInterval(timer);
  });
  return watch;
}

/**
 * Makes sure a guardian watches `journalFile` for this process; resolves once it does. Each call is
 * paired with `releaseGuardian`. Rejects (with the reason) when no guardian could be started.
 */
export async function acquireGuardian(journalFile: string): Promise<void> {
  let watch = watches.get(journalFile);
  if (!watch || watch.child.exitCode !== null) {
    watch = startGuardian(journalFile);
    watches.set(journalFile, watch);
  }
  watch.users++;
  try {
    await watch.ready;
  } catch (error) {
    throw new Error(`the guardian could not start (${errorMessage(error)})`);
  }
}

/**
 * Resolves once the guardian watching `journalFile` has loaded what the revert of `fault` needs (see
 * FaultType.prepareRevert), so that its revert after a crash is as quick the moment after the fault is
 * journaled as it is minutes later. Asked once per fault per guardian; without a guardian, resolves at once.
 */
export function guardianPrepared(journalFile: string, fault: string): Promise<void> {
  const watch = watches.get(journalFile);
  if (!watch) return Promise.resolve();
  let answer = watch.prepared.get(fault);
  if (!answer) {
    answer = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`no answer within ${READY_TIMEOUT_MS}ms`)), READY_TIMEOUT_MS);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        watch.pending.delete(fault);
        if (error) {
          watch.prepared.delete(fault); // the next injection asks again
          reject(new Error(`the guardian could not load the revert of ${fault} (${error.message})`));
        } else resolve();
      };
      watch.pending.set(fault, settle);
      watch.child.stdin?.write(`prepare ${fault}\n`);
    });
    watch.prepared.set(fault, answer);
  }
  return answer;
}

/** The run is over: when no other run of this process uses it, the guardian is told goodbye and exits. */
export function releaseGuardian(journalFile: string): void {
  const watch = watches.get(journalFile);
  if (!watch) return;
  watch.users = Math.max(0, watch.users - 1);
  if (watch.users > 0) return;
  watches.delete(journalFile);
  clearInterval(watch.timer);
  watch.child.stdin?.end('bye\n');
}

/** The guardian's pid for a journal (tests kill it to show what `faultline recover` is still for). */
export function guardianPid(journalFile: string): number | undefined {
  return watches.get(journalFile)?.child.pid;
}
