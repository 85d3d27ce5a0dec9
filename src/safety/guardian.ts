/**
 * The runner's side of its guardian (src/guardian/main.ts): one guardian process per journal for as long
 * as this process has runs going, started before any harm, fed a heartbeat every 200ms from this
 * event loop. When this process dies, the guardian reverts its journaled faults within a second; when
 * this event loop stalls past the stall timeout, it reverts them too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
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
}

const watches = new Map<string, Watch>();

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
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS}ms`)), READY_TIMEOUT_MS);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`it exited with code ${code}`));
    });
  });
  ready.catch(() => {});
  const beat = () => child.stdin?.write(`beat ${stallTimeoutMs()}\n`);
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  beat();
  const watch: Watch = { child, ready, users: 0, timer };
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
