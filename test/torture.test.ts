/**
 * Crash-proof recovery, proven by torture: the real runner is SIGKILLed at seeded random moments
 * (before its first journal write, while faults are being applied, after all of them are in effect),
 * and `faultline recover` must leave nothing behind, run after run, in one FAULTLINE_HOME.
 * Reproduce a failure with FAULTLINE_TORTURE_SEED=<the seed printed>.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { faultNames, findFault } from '../dist/faults/index.js'; // also registers the faults that recoverJournal reverts
import { Journal } from '../dist/journal/journal.js';
import { recoverJournal } from '../dist/journal/recover.js';
import { type CliOptions, type CliResult, ROOT, startCli, tempDir, tempHome } from './support/cli.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

const SEED = Number(process.env.FAULTLINE_TORTURE_SEED ?? 12345);
const RUNS = 50;
const WRITER_KILLS = 24;

const writers: ChildProcess[] = [];

function killWriters(): void {
  for (const child of writers.splice(0)) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  }
}

afterEach(() => {
  killStarted();
  killWriters();
});
afterAll(() => {
  killStarted();
  killWriters();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the CLI, SIGKILLing it if it has not finished within `timeoutMs` (then code is null). */
async function runCliBounded(args: string[], options: CliOptions, timeoutMs: number): Promise<CliResult> {
  const started = startCli(args, options);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  try {
    return await started.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the child's end, or rejects after `timeoutMs` (the child is then SIGKILLed). */
async function bounded<T>(promise: Promise<T>, timeoutMs: number, what: string, child?: ChildProcess): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child?.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------- the runner torture ----------

type Layout = 'parallel' | 'sequential' | 'mixed';
type Mode = { mode: 'all' } | { mode: 'one' } | { mode: 'fixed'; value: number };

interface Round {
  /** when the runner dies: `offsetMs` after it is spawned, after its first journal write, or after every fault is applied */
  kill: { anchor: 'spawn' | 'first-journal-write' | 'all-applied'; offsetMs: number };
  workers: number;
  selection: Mode;
  layout: Layout;
}

const roundArb: fc.Arbitrary<Round> = fc.record({
  kill: fc.oneof(
    // from 0 ms (before node has even loaded faultline) to well after every fault is applied
    fc.record({ anchor: fc.constant('spawn' as const), offsetMs: fc.integer({ min: 0, max: 1500 }) }),
    // the injection window itself is a few tens of ms: aim into it
    fc.record({ anchor: fc.constant('first-journal-write' as const), offsetMs: fc.integer({ min: 0, max: 60 }) }),
    // while everything is held, whatever the machine's speed
    fc.record({ anchor: fc.constant('all-applied' as const), offsetMs: fc.integer({ min: 0, max: 300 }) }),
  ),
  workers: fc.integer({ min: 1, max: 3 }),
  selection: fc.oneof(
    fc.constant<Mode>({ mode: 'all' }),
    fc.constant<Mode>({ mode: 'one' }),
    fc.integer({ min: 1, max: 3 }).map((value): Mode => ({ mode: 'fixed', value })),
  ),
  layout: fc.constantFrom<Layout>('parallel', 'sequential', 'mixed'),
});

/**
 * The families this torture knows how to check for leftovers. process and custom always; stress (worker
 * processes) and file (corrupted bytes and their backups) when this build registers them.
 */
const STRESS = findFault('stress.cpu') !== undefined;
const FILE = findFault('file.corrupt') !== undefined;
const COVERED = ['process.pause', 'process.kill', 'custom.action', ...(STRESS ? ['stress.cpu'] : []), ...(FILE ? ['file.corrupt'] : [])];

function expectedPaused(round: Round): number {
  if (round.selection.mode === 'all') return round.workers;
  if (round.selection.mode === 'one') return 1;
  return Math.min(round.selection.value, round.workers);
}

/** Journal entries one round writes when every fault is applied: one per paused worker, one per other step. */
const expectedEntries = (round: Round) => expectedPaused(round) + 2 + (STRESS ? 1 : 0) + (FILE ? 1 : 0);

/** Every fault of the round is journaled and applied (a kill's entry is already closed). */
const isComplete = (round: Round, entries: Entry[]) =>
  entries.length === expectedEntries(round) && entries.every((e) => e.status !== 'applying');

/** An experiment mixing every fault family, held long enough that the kill lands while faults are active. */
function tortureExperiment(dir: string, i: number, tag: string, round: Round, marker: string, data: string): string {
  const mode = round.selection.mode === 'fixed' ? `mode: fixed, value: ${round.selection.value}` : `mode: ${round.selection.mode}`;
  const steps = [
    (held: string) => `{ name: pause-workers, fault: process.pause, selector: { names: [workers] }, ${mode}${held} }`,
    (held: string) =>
      `{ name: marker, fault: custom.action, params: { run: [touch, ${JSON.stringify(marker)}], revert: [rm, -f, ${JSON.stringify(marker)}] }${held} }`,
    ...(STRESS
      ? [
          (held: string) =>
            `{ name: stress, fault: stress.cpu, selector: { names: [workers] }, mode: one, params: { workers: 1, load: 5 }${held} }`,
        ]
      : []),
    ...(FILE
      ? [
          (held: string) =>
            `{ name: corrupt, fault: file.corrupt, selector: { names: [data] }, params: { mode: random-bytes, bytes: 64 }${held} }`,
        ]
      : []),
    () => '{ name: kill-victim, fault: process.kill, selector: { names: [victim] } }',
  ];
  const half = Math.ceil(steps.length / 2);
  const method = {
    // all at once, each held 60s
    parallel: ['- parallel:', ...steps.map((s) => `    - ${s(', duration: 60s')}`)],
    // one after another, each held until the method ends, which a pause keeps from ending
    sequential: [...steps.map((s) => `- ${s('')}`), '- pause: 60s'],
    // the first half held one after another, then the rest as a parallel group
    mixed: [
      ...steps.slice(0, half).map((s) => `- ${s('')}`),
      '- parallel:',
      ...steps.slice(half).map((s) => `    - ${s(', duration: 60s')}`),
    ],
  }[round.layout];
  const file = join(dir, `torture-${i}.yaml`);
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: torture-${i} }
spec:
  hypothesis: Whatever moment the runner dies at, recover leaves no fault behind.
  targets:
    - name: workers
      labels: { role: worker }
      process: { match: "--tag=${tag}-w[0-9]" }
    - name: victim
      labels: { role: victim }
      process: { match: "--tag=${tag}-victim" }
    - name: data
      files: [ ${JSON.stringify(data)} ]
  method:
${method.map((line) => `    ${line}`).join('\n')}
`,
  );
  return file;
}

interface Entry {
  id: number;
  fault: string;
  status: string;
  state: string;
}

/** A read connection to the run's journal, kept open for the whole loop to watch for writes. */
function watchJournal(home: string): { entriesAfter: (id: number) => Entry[]; close: () => void } {
  const file = join(home, 'journal.db');
  new Journal(file).close(); // the schema, so the first run is watched too
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  const query = db.prepare('SELECT id, fault, status, state FROM injections WHERE id > ? ORDER BY id');
  return { entriesAfter: (id) => query.all(id) as Entry[], close: () => db.close() };
}

/** `pid start-time` of every live child of `parent` (read from /proc). */
function childrenOf(parent: number): { pid: number; start: string }[] {
  const out: { pid: number; start: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent && fields[0] !== 'Z') out.push({ pid: Number(entry), start: fields[19] ?? '' });
    } catch {}
  }
  return out;
}

/** True while `pid` is still the process that started at `start` and is not a zombie. */
function stillRuns(pid: number, start: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && fields[19] === start;
  } catch {
    return false;
  }
}

/** 4 KiB that differ from run to run, to tell a restored file from a corrupted one. */
const dataBytes = (i: number) => Buffer.from(Array.from({ length: 4096 }, (_, k) => (k * 31 + i * 7) & 255));

type Moment = 'before-any-journal-write' | 'mid-injection' | 'all-faults-applied';

// SIGKILL the real runner at seeded moments; recover must leave nothing, and nothing may accumulate.
describe('torture: the runner SIGKILLed at seeded random moments', () => {
  it(`leaves nothing behind after faultline recover, ${RUNS} runs in one FAULTLINE_HOME`, { timeout: 180_000 }, async () => {
    const rounds = fc.sample(roundArb, { seed: SEED, numRuns: RUNS });
    const home = tempHome();
    const dir = tempDir('faultline-torture-');
    const tagBase = `torture-${process.pid}`;
    const started = Date.now();
    let kills = 0;
    let lastJournalId = 0;
    const journal = watchJournal(home);
    const leftovers: string[] = [];
    const earlyEnds: string[] = [];
    const seenBackups = new Set<string>();
    const moments: Record<Moment, number> = { 'before-any-journal-write': 0, 'mid-injection': 0, 'all-faults-applied': 0 };

    try {
      for (const [i, round] of rounds.entries()) {
        const where = `run ${i} (seed ${SEED}, ${JSON.stringify(round)})`;
        const tag = `${tagBase}-${i}`;
        try {
          const workers = Array.from({ length: round.workers }, (_, j) => startSleeper(`${tag}-w${j}`));
          const victim = startSleeper(`${tag}-victim`);
          const sleepers = [...workers, victim];
          // a `match` finds a process by its command line: wait until each one shows its tag
          await waitFor(
            () =>
              sleepers.every((s) => {
                try {
                  return readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').includes('--tag=');
                } catch {
                  return false;
                }
              }),
            5000,
            'the sleepers to start',
          );
          const marker = join(dir, `marker-${i}`);
          const data = join(dir, `data-${i}.bin`);
          writeFileSync(data, dataBytes(i));
          const file = tortureExperiment(dir, i, tag, round, marker, data);

          const run = startCli(['run', file, '--no-progress'], { home });
          const runnerPid = run.child.pid as number;
          const runEnded = () => run.child.exitCode !== null || run.child.signalCode !== null;
          const reached = {
            spawn: () => true,
            'first-journal-write': () => journal.entriesAfter(lastJournalId).length > 0,
            'all-applied': () => isComplete(round, journal.entriesAfter(lastJournalId)),
          }[round.kill.anchor];
          const deadline = Date.now() + 15_000;
          while (!reached() && !runEnded() && Date.now() < deadline) await sleep(1);
          await sleep(round.kill.offsetMs);
          const alive = run.child.exitCode === null && run.child.signalCode === null;
          const orphans = alive ? childrenOf(runnerPid) : []; // commands and workers the runner had started
          run.child.kill('SIGKILL');
          const ended = await bounded(run.done, 10_000, `the runner of ${where} to die`, run.child);
          if (alive && ended.signal === 'SIGKILL') kills++;
          else earlyEnds.push(`${where}: the runner ended before the kill (code ${ended.code}): ${run.output().slice(0, 400)}`);

          // what the kill left behind, to show which moments were covered
          const entries = journal.entriesAfter(lastJournalId);
          lastJournalId = Math.max(lastJournalId, ...entries.map((e) => e.id));
          moments[
            entries.length === 0 ? 'before-any-journal-write' : isComplete(round, entries) ? 'all-faults-applied' : 'mid-injection'
          ]++;
          const stressWorkers = entries
            .filter((e) => e.fault.startsWith('stress.'))
            .flatMap((e) => (JSON.parse(e.state) as { workers: { pid: number; startTime: string }[] }).workers);

          const recovered = await runCliBounded(['recover'], { home }, 20_000);
          if (recovered.code !== 0)
            leftovers.push(`${where}: faultline recover exited ${recovered.code}: ${recovered.stdout}${recovered.stderr}`);

          // SIGCONT is delivered at once, but give /proc a moment before calling a worker stuck
          const stillPaused = () => workers.filter((w) => processState(w.pid as number) === 'T');
          await waitFor(() => stillPaused().length === 0, 2000, 'the workers to resume').catch(() => {});
          for (const w of stillPaused()) leftovers.push(`${where}: worker pid ${w.pid} is still stopped (T)`);
          for (const name of readdirSync(dir).filter((n) => n.startsWith('marker-'))) leftovers.push(`${where}: marker ${name} remains`);
          if (!readFileSync(data).equals(dataBytes(i))) leftovers.push(`${where}: ${data} is still corrupted`);
          // a stray copy of a corrupted file is a leftover too (reported once: it stays for every later run)
          const backups = existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')) : [];
          const strays = backups.filter((b) => !seenBackups.has(b));
          for (const b of strays) seenBackups.add(b);
          if (strays.length) leftovers.push(`${where}: backup copies remain in $FAULTLINE_HOME/backups: ${strays.join(', ')}`);
          // a harm command or stress worker the runner started must not outlive the recovery
          const outliving = () => [
            ...orphans.filter((o) => stillRuns(o.pid, o.start)).map((o) => `child pid ${o.pid} of the runner`),
            ...stressWorkers.filter((w) => stillRuns(w.pid, w.startTime)).map((w) => `stress worker pid ${w.pid}`),
          ];
          await waitFor(() => outliving().length === 0, 3000, 'the runner’s children to end').catch(() => {});
          for (const o of outliving()) leftovers.push(`${where}: ${o} still runs after recover`);

          const again = await runCliBounded(['recover'], { home }, 20_000);
          if (!/nothing to recover/.test(again.stdout))
            leftovers.push(`${where}: a second recover still found work: ${again.stdout}${again.stderr}`);
          for (const o of orphans) if (stillRuns(o.pid, o.start)) process.kill(o.pid, 'SIGKILL'); // counted above; never left running
        } finally {
          killStarted();
        }
      }
    } finally {
      journal.close();
    }

    // No run is `running`: a run is listed so only while its runner lives, so one look after all of them covers
    // every run (one CLI start instead of fifty on a loaded machine). The JSON and the table must agree.
    const [json, table] = await Promise.all([
      runCliBounded(['runs', '--limit', '1000', '--json'], { home }, 20_000),
      runCliBounded(['runs', '--limit', '1000'], { home }, 20_000),
    ]);
    expect(json.code).toBe(0);
    expect(table.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { active: { runId: string }[]; runs: { id: string }[] };
    expect(listed.runs.length).toBeGreaterThan(RUNS / 2); // every run killed after it started is in the store
    for (const r of listed.active) leftovers.push(`faultline runs --json shows run ${r.runId} as running`);
    expect(table.stdout).toMatch(/torture-\d+/);
    for (const line of table.stdout.split('\n'))
      if (/^\S+\s+torture-\d+\s+running\b/.test(line)) leftovers.push(`faultline runs lists: ${line}`);

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`torture: ${RUNS} runs, ${kills} kills at seeded moments (seed ${SEED}), leftovers: ${leftovers.length}`);
    console.log(
      `torture: faults ${COVERED.join(', ')}; kill moments: ${Object.entries(moments)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}; ${seconds}s`,
    );
    for (const l of leftovers.slice(0, 20)) console.log(`torture: LEFTOVER ${l}`);
    const uncovered = faultNames().filter((f) => !COVERED.includes(f));
    if (uncovered.length) console.log(`torture: registered but not tortured here: ${uncovered.join(', ')}`);
    expect(leftovers).toEqual([]);
    expect(leftovers.length).toBe(0);
    expect(earlyEnds).toEqual([]);
    expect(kills).toBe(RUNS);
    // the seeded moments really cover the range: before anything was journaled, mid-injection, after everything was applied
    expect(moments['before-any-journal-write']).toBeGreaterThan(0);
    expect(moments['mid-injection']).toBeGreaterThan(0);
    expect(moments['all-faults-applied']).toBeGreaterThan(0);
  });
});

// ---------- the journal writer torture ----------

const WRITER = join(ROOT, 'test', 'support', 'journal-writer.mjs');

// SIGKILL a process in the middle of its journal writes: the database stays sound and recoverable.
describe('torture: a journal writer SIGKILLed mid-write', () => {
  it(`keeps the journal intact and fully recoverable after ${WRITER_KILLS} kills`, { timeout: 120_000 }, async () => {
    const dir = tempDir('faultline-journal-torture-');
    const file = join(dir, 'journal.db');
    const appendFile = join(dir, 'reverted.txt');
    // half the kills count from the spawn (some land while the database is being opened), half from the
    // moment the writer is writing, so most land inside a write whatever the machine's speed
    const moments = fc.sample(fc.record({ afterReady: fc.boolean(), ms: fc.integer({ min: 0, max: 400 }) }), {
      seed: SEED,
      numRuns: WRITER_KILLS,
    });
    let kills = 0;
    let killedWhileWriting = 0;

    for (const { afterReady, ms } of moments) {
      const child = spawn(process.execPath, [WRITER, file, appendFile, '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      writers.push(child);
      let output = '';
      child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
      const done = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
      if (afterReady) await waitFor(() => output.includes('ready') || child.exitCode !== null, 10_000, 'the writer to open the journal');
      await sleep(ms);
      const wasWriting = output.includes('ready');
      child.kill('SIGKILL');
      const signal = await bounded(done, 10_000, 'the writer to die', child);
      expect(
        output,
        `the writer must not finish or fail before it is killed (${ms}ms after ${afterReady ? 'ready' : 'spawn'})`,
      ).not.toMatch(/done|Error/);
      expect(signal).toBe('SIGKILL');
      kills++;
      if (wasWriting) killedWhileWriting++;
    }

    expect(existsSync(file)).toBe(true);
    const check = new Database(file, { fileMustExist: true });
    const integrity = check.pragma('integrity_check', { simple: true });
    const total = check.prepare('SELECT count(*) AS n FROM injections').get() as { n: number };
    check.close();
    expect(integrity).toBe('ok');

    const journal = new Journal(file);
    try {
      const open = journal.open();
      // each cycle closes its entry before the next begins: a dead writer leaves at most one open
      expect(open.length).toBeLessThanOrEqual(kills);
      const outcomes = await recoverJournal(journal, { includeLiveRuns: true });
      expect(outcomes.filter((o) => o.action !== 'reverted')).toEqual([]);
      expect(outcomes.map((o) => o.entry.id)).toEqual(open.map((e) => e.id));
      expect(journal.open()).toEqual([]);
      // every revert command really ran, once per open entry
      const lines = existsSync(appendFile) ? readFileSync(appendFile, 'utf8').split('\n').filter(Boolean) : [];
      expect(lines.length).toBe(open.length);
      console.log(
        `journal torture: ${kills} kills (${killedWhileWriting} mid-write, seed ${SEED}), ${total.n} entries written, ${open.length} left open, all reverted`,
      );
    } finally {
      journal.close();
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(killedWhileWriting).toBeGreaterThanOrEqual(moments.filter((m) => m.afterReady).length);
    expect(total.n).toBeGreaterThan(killedWhileWriting);
  });
});
