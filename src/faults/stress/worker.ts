/**
 * The built-in stress worker: one child process per worker, started by ./launch.ts as
 *
 *   node worker.js faultline-stress-worker KIND --deadline=EPOCH_MS [--load=50 | --bytes=N | --dir=D --block=N --file-size=N --fsync=1]
 *
 * It does nothing until it reads `go` on stdin: the runner journals the worker's pid first, so a worker
 * never harms anything that `faultline recover` could not find. If stdin closes before `go` (the runner
 * died before journaling), it exits at once. After `go` it ignores stdin, prints `ready` when its
 * pressure is in place (the memory resident, the file open), and works until it is killed or until its
 * deadline, a hard upper bound written in its arguments so that no worker ever runs forever.
 */

import { randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const args = new Map<string, string>();
for (const arg of process.argv.slice(4)) {
  const m = /^--([^=]+)=(.*)$/.exec(arg);
  if (m) args.set(m[1] as string, m[2] as string);
}
const kind = process.argv[3];
const deadline = Number(args.get('deadline'));
const num = (key: string): number => Number(args.get(key));

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (!Number.isFinite(deadline)) fail('missing --deadline');
// Output goes to the runner through pipes it closes after `ready`: a later write must not kill the worker.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
// The deadline holds even if the work loop is waiting on a slow disk.
setTimeout(() => finish(), Math.max(0, deadline - Date.now())).unref();

const cleanups: (() => void)[] = [];
function finish(): never {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {}
  }
  process.exit(0);
}
process.on('SIGTERM', finish);
process.on('SIGINT', finish);

function ready(): void {
  process.stdout.write('ready\n');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * A duty cycle in 100ms periods: spin until this period's CPU time reaches `load`% of it, then sleep to
 * the period's end. CPU time (not wall time) is what is counted, so a worker that shares a busy core still
 * uses what it was asked for; a shortfall is carried into the next period, at most one period's worth.
 */
async function cpu(load: number): Promise<void> {
  const PERIOD = 100;
  const share = load / 100;
  ready();
  let debt = 0;
  while (Date.now() < deadline) {
    const periodEnd = performance.now() + PERIOD;
    const cpu0 = cpuMs();
    const budget = share * PERIOD + debt;
    if (budget > 0) {
      let x = 0;
      while (cpuMs() - cpu0 < budget && performance.now() < periodEnd) {
        for (let i = 0; i < 20_000; i++) x = (x * 1103515245 + 12345) % 2147483648;
      }
      if (x === -1) process.stdout.write(''); // keeps the loop from being optimised away
    }
    debt = Math.min(share * PERIOD, Math.max(0, budget - (cpuMs() - cpu0)));
    const rest = periodEnd - performance.now();
    if (rest > 0) await sleep(rest);
  }
  finish();
}

/**
 * Holds `bytes` of resident memory, counting this process's own footprint (Node itself takes a few tens
 * of MiB) when `countOwn`: the worker's whole resident set is then what the fault adds. In a target's
 * cgroup that footprint stays charged to the cgroup the worker started in (charges do not move with a
 * process), so there the worker allocates all of `bytes`. Every page is written, so the memory is
 * resident, not merely reserved, and is written again every few seconds so that it stays so.
 */
async function memory(bytes: number, countOwn: boolean): Promise<void> {
  const CHUNK = 256 * 2 ** 20;
  const PAGE = 4096;
  let remaining = Math.max(0, bytes - (countOwn ? process.memoryUsage.rss() : 0));
  const chunks: Buffer[] = [];
  let round = 1;
  while (remaining > 0) {
    const length = Math.min(CHUNK, remaining);
    const chunk = Buffer.allocUnsafeSlow(length);
    chunk.fill(0x5a);
    chunks.push(chunk);
    remaining -= length;
  }
  ready();
  for (;;) {
    await sleep(2000);
    round = (round + 1) & 0xff;
    for (const chunk of chunks) for (let i = 0; i < chunk.length; i += PAGE) chunk[i] = round;
  }
}

/** Writes `block` bytes at a time to its own file in `dir`, with fsync after each write, wrapping at `fileSize`. */
async function io(dir: string, block: number, fileSize: number, fsync: boolean, index: number): Promise<void> {
  const file = join(dir, `worker-${index}.dat`);
  const fd = openSync(file, 'w');
  cleanups.push(() => {
    closeSync(fd);
    rmSync(file, { force: true });
  });
  const data = Buffer.allocUnsafe(block);
  randomFillSync(data);
  ready();
  let position = 0;
  let lastYield = Date.now();
  while (Date.now() < deadline) {
    writeSync(fd, data, 0, block, position);
    if (fsync) fsyncSync(fd);
    position += block;
    if (position + block > fileSize) position = 0;
    if (Date.now() - lastYield > 50) {
      await sleep(0); // lets the deadline timer and signals in
      lastYield = Date.now();
    }
  }
  finish();
}

function start(): void {
  switch (kind) {
    case 'cpu':
      void cpu(num('load'));
      return;
    case 'memory':
      void memory(num('bytes'), args.get('count-own') !== '0');
      return;
    case 'io':
      void io(args.get('dir') ?? fail('missing --dir'), num('block'), num('file-size'), args.get('fsync') === '1', num('index'));
      return;
    default:
      fail(`unknown worker kind ${kind}`);
  }
}

// Wait for `go`; stdin closing first means the runner died before it journaled this worker.
let input = '';
const onData = (chunk: Buffer) => {
  input += chunk.toString();
  if (!input.includes('\n')) return;
  process.stdin.off('data', onData);
  process.stdin.off('end', onEnd);
  process.stdin.on('error', () => {});
  process.stdin.destroy();
  if (input.startsWith('go')) start();
  else process.exit(0);
};
const onEnd = () => process.exit(0);
process.stdin.on('data', onData);
process.stdin.on('end', onEnd);
process.stdin.on('error', onEnd);
