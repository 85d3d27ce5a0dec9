/**
 * The guardian: a small process each runner starts before any harm, which outlives it. It is the
 * dead-man's switch of the runner's faults:
 *
 * - the runner dies (SIGKILL, OOM, a lost session): its end of the pipe closes without a goodbye, and
 *   the guardian reverts every fault the journal shows for it, within a second, with nobody involved;
 * - the runner stalls (a blocked event loop, a stopped process): its heartbeats stop, and after the
 *   stall timeout the guardian reverts its faults while it cannot (the runner, once awake, ends the run
 *   `aborted` and reverts again what only it can reach).
 *
 * Protocol on stdin, one line each: `beat STALL_MS` (every 200ms), `bye` (the runner is done with it).
 * It prints `ready` once it watches, everything a revert needs loaded (so that nothing it does later
 * competes for the CPU with the run's probes). What it does goes to FAULTLINE_HOME/guardian.log.
 * Usage: node main.js JOURNAL_FILE OWNER_PID OWNER_START
 */
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Journal } from '../journal/journal.js';
import { errorMessage } from '../util/errors.js';
import { ownerIsAlive } from '../util/owner.js';
import { sleep } from '../util/sleep.js';

const [journalFile, pidText, ownerStart] = process.argv.slice(2);
if (!journalFile || !pidText || ownerStart === undefined) {
  process.stderr.write('usage: guardian JOURNAL_FILE OWNER_PID OWNER_START\n');
  process.exit(3);
}
const owner = { pid: Number(pidText), start: ownerStart };
const journal = new Journal(journalFile);
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

async function revert(why: string, includeLiveRuns: boolean): Promise<void> {
  busy = true;
  try {
    const { recoverJournal } = recovery;
    const outcomes = await recoverJournal(journal, { owner, includeLiveRuns, by: `guardian (${why})` });
    for (const o of outcomes) if (o.action !== 'skipped-live-run') log(`${why}: ${o.detail}`);
  } catch (error) {
    log(`${why}: could not recover: ${errorMessage(error)}`);
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
    await revert('runner died', false);
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
    else if (line.startsWith('beat')) {
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

/** Loads what the reverts of the runner's open entries need, once per fault, before it may be needed. */
const prepared = new Set<string>();
async function prepareReverts(): Promise<void> {
  const { findFault } = registry;
  for (const entry of journal.open()) {
    if (entry.ownerPid !== owner.pid || prepared.has(entry.fault)) continue;
    prepared.add(entry.fault);
    findFault(entry.fault)
      ?.prepareRevert?.()
      .catch((error) => log(`could not prepare the revert of ${entry.fault}: ${errorMessage(error)}`));
  }
}
setInterval(() => void prepareReverts().catch(() => {}), 250).unref();

setInterval(() => {
  if (busy || stallHandled || Date.now() - lastBeat <= stallMs) return;
  stallHandled = true;
  log(`no heartbeat for ${Date.now() - lastBeat}ms (stall timeout ${stallMs}ms): reverting the runner's faults`);
  void revert('runner stalled', true);
}, 50);

process.stdout.write('ready\n');
