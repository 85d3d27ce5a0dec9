/**
 * time.skew across runtimes: real Python 3, Node, Java (Debian's OpenJDK, a single-file source program), a
 * shell loop calling date(1), and a Go binary built here with Debian's golang-go, each started under
 * `faultline wrap`. Each prints its wall clock after every sleep and every timer tick, and (but the shell)
 * answers its clock over HTTP; the test moves its clock by +1h and back, and checks that its sleeps, timers
 * and HTTP server keep working while skewed. Go reads the clock through the vDSO, not libc, so a preload
 * library never reaches it: the known limit is kept in the suite as a failing case (docs/faults.md).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, ROOT, startCli, tempDir, tempHome, waitForOutput } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { freePort, waitFor } from './support/processes.js';

const CLOCKS = join(ROOT, 'test', 'support', 'clocks');
const HOUR_MS = 3_600_000;

interface Runtime {
  name: string;
  /** the command, given a free port and a folder for build output */
  command(port: number, dir: string): string[];
  /** the kinds of lines it prints: after a sleep, from a timer */
  kinds: ('sleep' | 'timer')[];
  http: boolean;
}

const RUNTIMES: Runtime[] = [
  { name: 'python3', command: (port) => ['python3', join(CLOCKS, 'clock.py'), String(port)], kinds: ['sleep', 'timer'], http: true },
  { name: 'node', command: (port) => [process.execPath, join(CLOCKS, 'clock.mjs'), String(port)], kinds: ['sleep', 'timer'], http: true },
  { name: 'java', command: (port) => ['java', join(CLOCKS, 'Clock.java'), String(port)], kinds: ['sleep', 'timer'], http: true },
  { name: 'sh + date', command: () => ['sh', join(CLOCKS, 'clock.sh')], kinds: ['sleep'], http: false },
];

/**
 * Builds the Go clock with Debian's golang-go into `dir`; the build cache is kept in the temporary folder
 * between runs (a cold one compiles net/http, half a minute on a loaded machine).
 */
function buildGo(dir: string): string {
  const binary = join(dir, 'clock-go');
  const cache = join(tmpdir(), 'faultline-test-go-cache');
  const env = { ...process.env, GOCACHE: cache, GOPATH: join(dir, 'gopath'), GO111MODULE: 'off', CGO_ENABLED: '0' };
  execFileSync('go', ['build', '-o', binary, join(CLOCKS, 'clock.go')], { env, stdio: 'pipe' });
  return binary;
}

const running: { child: ReturnType<typeof startCli>['child']; done: Promise<CliResult> }[] = [];
afterAll(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM'); // forwarded by faultline wrap
    await r.done;
  }
});

interface Wrapped {
  home: string;
  dir: string;
  /** the `faultline wrap` process: time.skew finds the wrapped command from it */
  wrapperPid: number;
  /** the clock the process reports now, minus ours, in ms */
  offset(): Promise<number>;
  /** how many lines of a kind it has printed */
  count(kind: 'sleep' | 'timer'): number;
  /** the offset in the last line of a kind */
  lastOffset(kind: 'sleep' | 'timer'): number;
}

async function startWrapped(name: string, command: string[], http: boolean, port: number, dir: string): Promise<Wrapped> {
  const home = tempHome();
  const run = startCli(['wrap', '--', ...command], { home });
  running.push(run);
  // each line is stamped with our clock when it arrives, so its offset is known without racing the next one
  const lines: { kind: string; offset: number }[] = [];
  let pending = '';
  run.child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const complete = pending.split('\n');
    pending = complete.pop() as string;
    for (const line of complete) {
      const m = /^(sleep|timer) (\d+)$/.exec(line.trim());
      if (m) lines.push({ kind: m[1] as string, offset: Number(m[2]) - Date.now() });
    }
  });
  await waitForOutput(run, 'listening', 30_000, `${name} to start`);
  const lastOffset = (kind: string) => [...lines].reverse().find((l) => l.kind === kind)?.offset ?? Number.NaN;
  return {
    home,
    dir,
    wrapperPid: run.child.pid as number,
    offset: async () => {
      if (!http) return lastOffset('sleep');
      const text = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      return Number(text) - Date.now();
    },
    count: (kind) => lines.filter((l) => l.kind === kind).length,
    lastOffset,
  };
}

function skewExperiment(w: Wrapped): string {
  return writeExperiment(
    'skew-runtime',
    `
hypothesis: The runtime's clock moves by an hour and back while it keeps working.
targets:
  - name: clock
    process: { pid: ${w.wrapperPid} }
method:
  - { fault: time.skew, selector: { names: [ clock ] }, params: { timeOffset: +1h }, duration: 3s }
`,
    w.dir,
  );
}

/** Moves the clock by +1h for 3s: checks the offset, that sleeps and timers go on while skewed, and the way back. */
async function skewAndBack(w: Wrapped, kinds: ('sleep' | 'timer')[]): Promise<void> {
  await waitFor(() => kinds.every((k) => w.count(k) > 0), 20_000, 'the first lines');
  expect(Math.abs(await w.offset())).toBeLessThan(1000);
  const run = startCli(['run', skewExperiment(w)], { home: w.home });
  await waitFor(async () => Math.abs((await w.offset()) - HOUR_MS) < 1000, 10_000, 'the clock to be 1h ahead');
  const counts = kinds.map((k) => w.count(k));
  await new Promise((r) => setTimeout(r, 700));
  kinds.forEach((kind, i) => {
    expect(w.count(kind), `${kind} lines while skewed`).toBeGreaterThan(counts[i] as number);
    expect(Math.abs(w.lastOffset(kind) - HOUR_MS), `${kind} clock while skewed`).toBeLessThan(1000);
  });
  const result = await run.done;
  expect(result.code, run.output()).toBe(0);
  await waitFor(async () => Math.abs(await w.offset()) < 1000, 5_000, 'the clock to come back');
  const after = kinds.map((k) => w.count(k));
  await new Promise((r) => setTimeout(r, 500));
  kinds.forEach((kind, i) => {
    expect(w.count(kind), `${kind} lines after the skew`).toBeGreaterThan(after[i] as number);
  });
}

describe('time.skew on every supported runtime', () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime.name}: the wall clock moves by +1h and back; sleeps, timers and HTTP keep working`, async () => {
      const port = await freePort();
      const w = await startWrapped(runtime.name, runtime.command(port, tempDir()), runtime.http, port, tempDir());
      await skewAndBack(w, runtime.kinds);
    });
  }
});

describe('time.skew on Go (known limit)', () => {
  const dir = tempDir();
  let binary = '';

  it('a Go binary keeps working under faultline wrap, and time.skew leaves its clock true', async () => {
    binary = buildGo(dir);
    const port = await freePort();
    const w = await startWrapped('go', [binary, String(port)], true, port, dir);
    await waitFor(() => w.count('sleep') > 0 && w.count('timer') > 0, 20_000, 'the first lines');
    const run = startCli(['run', skewExperiment(w)], { home: w.home });
    const clocks = join(w.home, 'clocks');
    const controlText = () => readFileSync(join(clocks, readdirSync(clocks)[0] as string), 'utf8');
    await waitFor(() => controlText().startsWith('+3600 '), 10_000, 'the skew to be written for the Go process');
    const counts = [w.count('sleep'), w.count('timer')];
    await new Promise((r) => setTimeout(r, 700));
    expect(Math.abs(await w.offset())).toBeLessThan(1000); // Go does not see it: it reads the vDSO, not libc
    expect(w.count('sleep')).toBeGreaterThan(counts[0] as number);
    expect(w.count('timer')).toBeGreaterThan(counts[1] as number);
    expect((await run.done).code, run.output()).toBe(0);
  });

  // KNOWN LIMIT (docs/faults.md): kept failing on purpose; `it.fails` turns red the day Go's clock does move.
  it.fails('KNOWN LIMIT: a Go binary sees its wall clock move by +1h', async () => {
    const port = await freePort();
    const w = await startWrapped('go-limit', [binary || buildGo(dir), String(port)], true, port, dir);
    await skewAndBack(w, ['sleep', 'timer']);
  });
});
