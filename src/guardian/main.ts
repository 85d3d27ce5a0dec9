/**
 * The guardian: a small process each runner starts before any harm, which outlives it. It is the
 * dead-man's switch of the runner's faults:
 *
 * - the runner dies (SIGKILL, OOM, a lost session): its end of the pipe closes without a goodbye, and
 *   the guardian reverts every fault the journal shows for it, within a second, with nobody involved;
 * - the runner stalls (a blocked event loop, a stopped process): its heartbeats stop, and after the
 *   stall timeout the guardian reverts its faults while it cannot (the runner, once awake, ends the run
 *   `aborted` and reverts again what only it can reach); a runner frozen in the middle of a journal
 *   write holds its lock, and then the guardian reverts without a claim (revert-unclaimed.ts).
 *
 * Protocol on stdin, one line each: `beat STALL_MS` (every 200ms), `prepare FAULT` (the runner is about
 * to inject a fault whose revert needs more loaded), `bye` (the runner is done with it). It prints
 * `ready` once it watches, with recovery and the fault registry loaded, and `prepared FAULT` once the
 * revert of FAULT is loaded too (so that a crash right after the injection is reverted as quickly as
 * any, and nothing it does later competes for the CPU with the run's probes). What it does goes to
 * FAULTLINE_HOME/guardian.log.
 * Usage: node main.js JOURNAL_FILE OWNER_PID OWNER_START
 */
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Journal } from '../journal/journal.js';
import { errorMessage } from '../util/errors.js';
import { ownerIsAlive } from '../util/owner.js';
import { sleep } from '../util/sleep.js';
import { isLocked } from '../util/sqlite.js';
import { closeWhenUnlocked, revertUnclaimed } from './revert-unclaimed.js';

const [journalFile, pidText, ownerStart] = process.argv.slice(2);
if (!journalFile || !pidText || ownerStart === undefined) {
  process.stderr.write('usage: guardian JOURNAL_FILE OWNER_PID OWNER_START\n');
  process.exit(3);
}
const owner = { pid: Number(pidText), start: ownerStart };
// a write waits this long for another's lock, then the guardian reverts without a claim (revert-unclaimed.ts)
const journal = new Journal(journalFile, { busyTimeoutMs: 250 });
const logFile = join(dirname(journalFile), 'guardian.log');

function log(line: string): void {
  try {
    appendFileSync(logFile, `${new Date().toISOString()} guardian of pid ${owner.pid}: ${line}\n`);
  } catch {}
}

let lastBeat = Date.now();
let stallMs = 5_000;
let stallHandled = false;
let saidBye = false;
let busy = false;

/** Recovery and the fault registry (every fault registers itself: recovery reverts by name). */
const recovery = await import('../journal/recover.js');
const registry = await import('../faults/index.js');

/** Reverts the runner's faults; false when it could not (the stall watch then tries again). */
async function revert(why: string, includeLiveRuns: boolean): Promise<boolean> {
  busy = true;
  const by = `guardian (${why})`;
  try {
    const outcomes = await recovery.recoverJournal(journal, { owner, includeLiveRuns, by });
    for (const o of outcomes) if (o.action !== 'skipped-live-run') log(`${why}: ${o.detail}`);
    return true;
  } catch (error) {
    if (!isLocked(error)) {
      log(`${why}: could not recover: ${errorMessage(error)}`);
      return false;
    }
    log(`${why}: the journal is locked (the runner may be frozen in the middle of a write): reverting without a claim`);
    try {
      const own = recovery.openEntriesOf(journal, owner);
      const { reverted, lines } = await revertUnclaimed(own);
      for (const line of lines) log(`${why}: ${line}`);
      await closeWhenUnlocked(journal, reverted, by);
      return reverted.length === own.length;
    } catch (unclaimed) {
      log(`${why}: could not revert without a claim: ${errorMessage(unclaimed)}`);
      return false;
    }
  } finally {
    busy = false;
  }
}

/** The pipe closed: a goodbye means a clean end; otherwise the runner died and its faults are ours. */
async function runnerGone(): Promise<void> {
  if (!saidBye) {
    // the pipe closes as the process dies; wait (bounded) until it is really gone (a zombie counts)
    const until = Date.now() + 2_000;
    while (ownerIsAlive({ ...owner, host: hostname() }) && Date.now() < until) await sleep(10);
    // a revert that failed outright is tried again a few times before the faults are left to `recover`
    for (let attempt = 1; !(await revert('runner died', false)) && attempt < 5; attempt++) await sleep(1000);
  }
  journal.close();
  process.exit(0);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    const line = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    if (line === 'bye') saidBye = true;
    else if (line.startsWith('prepare ')) {
      const fault = line.slice('prepare '.length);
      void prepareRevert(fault).then(() => say(`prepared ${fault}`));
    } else if (line.startsWith('beat')) {
      lastBeat = Date.now();
      stallHandled = false;
      const asked = Number(line.split(' ')[1]);
      if (Number.isFinite(asked) && asked > 0) stallMs = asked;
    }
    newline = buffered.indexOf('\n');
  }
});
process.stdin.on('end', () => void runnerGone());
process.stdin.on('error', () => void runnerGone());
process.stdout.on('error', () => {}); // the runner may be gone: nobody reads any more

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Loads what the revert of `fault` needs, once; a failure is logged (the revert itself tries again). */
const preparing = new Map<string, Promise<void>>();
function prepareRevert(fault: string): Promise<void> {
  let done = preparing.get(fault);
  if (!done) {
    done = Promise.resolve(registry.findFault(fault)?.prepareRevert?.()).catch((error) =>
      log(`could not prepare the revert of ${fault}: ${errorMessage(error)}`),
    );
    preparing.set(fault, done);
  }
  return done;
}

/** The runner's open entries written without asking first (a target's setup): their reverts are loaded too. */
setInterval(() => {
  try {
    for (const entry of journal.open()) if (entry.ownerPid === owner.pid) void prepareRevert(entry.fault);
  } catch {} // a busy journal: the next round reads it
}, 250).unref();

setInterval(() => {
  if (busy || stallHandled || Date.now() - lastBeat <= stallMs) return;
  stallHandled = true;
  log(`no heartbeat for ${Date.now() - lastBeat}ms (stall timeout ${stallMs}ms): reverting the runner's faults`);
  void revert('runner stalled', true).then((done) => {
    if (!done) setTimeout(() => (stallHandled = false), 1000); // try again while the stall lasts
  });
}, 50);

say('ready');
