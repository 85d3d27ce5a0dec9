#!/usr/bin/env node
// How the IO-fault mechanisms cost a process that does file calls, measured side by side in one run:
// a small C program (compiled here with cc) times 4 KiB preads, stats and open+close pairs on one file,
// run plainly (the baseline), under faultline's preload library (no rule; a rule on another path; a
// matching rule with no effect, percent 0), through a FUSE passthrough mount (Debian's bindfs, over
// /dev/fuse), and under libfiu's POSIX preload (Debian's fiu-utils, no failure point enabled). It also
// times how long a rule takes to reach a running process (write the control file -> first call that sees it).
//
//   npm run build && node bench/io-mechanisms.mjs     # writes bench/results/io-mechanisms.md
//
// Needs root for the FUSE mount; a mechanism that cannot run here is reported as such, not guessed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..');
const LIBRARY = path.join(ROOT, 'dist', 'native', 'libfaultline-preload.so');
const OPS = Number(process.env.BENCH_OPS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const loadAtStart = os.loadavg();
const work = mkdtempSync(path.join(os.tmpdir(), 'faultline-io-bench-'));

const PROGRAM = `
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(int argc, char **argv) {
  const char *file = argv[1]; long n = atol(argv[2]); char buf[4096]; struct stat st;
  int fd = open(file, O_RDONLY); if (fd < 0) { perror(file); return 1; }
  double t0 = now(); for (long i = 0; i < n; i++) if (pread(fd, buf, sizeof buf, 0) != sizeof buf) return 2;
  double t1 = now(); for (long i = 0; i < n; i++) if (stat(file, &st) != 0) return 3;
  double t2 = now(); for (long i = 0; i < n / 4; i++) close(open(file, O_RDONLY));
  double t3 = now();
  printf("%.1f %.1f %.1f\\n", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / (n / 4));
  return 0;
}
`;

/** Waits for the first error a running process sees after a rule is written (the pickup time). */
const PICKUP = `
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDONLY); char buf[64];
  printf("ready\\n"); fflush(stdout);
  char go[8]; if (read(0, go, sizeof go) <= 0) return 1;
  double t0 = now();
  for (long i = 0; i < 100000000; i++) { if (pread(fd, buf, sizeof buf, 0) < 0 && errno == 5) { printf("%.2f\\n", now() - t0); return 0; } usleep(100); }
  return 1;
}
`;

function compile(name, source) {
  const c = path.join(work, `${name}.c`);
  writeFileSync(c, source);
  execFileSync('cc', ['-O2', '-o', path.join(work, name), c]);
  return path.join(work, name);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const program = compile('file-calls', PROGRAM);
const pickup = compile('pickup', PICKUP);
const data = path.join(work, 'data');
mkdirSync(data);
const file = path.join(data, 'table.db');
writeFileSync(file, Buffer.alloc(64 * 1024, 7));

const rules = (text) => {
  const f = path.join(work, `rules-${Math.random().toString(36).slice(2)}`);
  writeFileSync(f, text);
  return f;
};
const preload = (ioFile) => ({ ...process.env, LD_PRELOAD: LIBRARY, FAULTLINE_IO_FILE: ioFile });

const variants = [
  { name: 'plain (baseline)', env: process.env, file },
  { name: 'faultline preload, no rule', env: preload(rules('')), file },
  {
    name: 'faultline preload, a rule on another path',
    env: preload(rules(`id=1\tkind=latency\tops=open,read,write,fsync,stat\tpercent=100\tdelay_us=0\tpath=/nowhere/*\n`)),
    file,
  },
  {
    name: 'faultline preload, a matching rule at percent 0',
    env: preload(rules(`id=1\tkind=error\tops=open,read,write,fsync,stat\tpercent=0\terrno=5\tpath=${data}/*\n`)),
    file,
  },
];

// FUSE passthrough: bindfs mounts the data folder again through /dev/fuse
const mount = path.join(work, 'fuse');
mkdirSync(mount);
let fuse = 'not measured';
const bindfs = spawnSync('bindfs', ['--no-allow-other', data, mount], { encoding: 'utf8' });
if (bindfs.status === 0) variants.push({ name: 'FUSE passthrough (bindfs)', env: process.env, file: path.join(mount, 'table.db') });
else fuse = `bindfs could not mount: ${(bindfs.stderr || bindfs.error?.message || '').trim()}`;

const fiu = spawnSync('fiu-run', ['-x', 'true'], { encoding: 'utf8' });
if (fiu.status === 0)
  variants.push({ name: 'libfiu POSIX preload (fiu-run -x), no failure point', env: process.env, file, prefix: ['fiu-run', '-x'] });

const samples = new Map(variants.map((v) => [v.name, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const [cmd, ...args] = [...(v.prefix ?? []), program, v.file, String(OPS)];
      const out = execFileSync(cmd, args, { env: v.env, encoding: 'utf8' }).trim().split(' ').map(Number);
      samples.get(v.name).push(out);
    }
  }
} finally {
  if (bindfs.status === 0) spawnSync('fusermount3', ['-u', mount]);
}

// pickup: a running process, a rule written by rename, the time until its first call fails
const pickups = [];
for (let i = 0; i < 10; i++) {
  const control = rules('');
  const child = spawn(pickup, [file], { env: preload(control), stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  await new Promise((r) => child.stdout.once('data', r));
  const temp = `${control}.tmp`;
  writeFileSync(temp, `id=1\tkind=error\tops=read\tpercent=100\terrno=5\tpath=${data}/*\n`);
  renameSync(temp, control);
  child.stdin.write('go\n');
  await new Promise((r) => child.once('exit', r));
  pickups.push(Number(out.trim().split('\n').pop()));
}
rmSync(work, { recursive: true, force: true });

const base = samples.get('plain (baseline)');
const col = (rows, i) => median(rows.map((r) => r[i]));
const lines = variants.map((v) => {
  const rows = samples.get(v.name);
  const cells = [0, 1, 2].map((i) => `${col(rows, i).toFixed(0)} ns (×${(col(rows, i) / col(base, i)).toFixed(2)})`);
  return `| ${v.name} | ${cells.join(' | ')} |`;
});

function ratioText(name) {
  const rows = samples.get(name);
  if (!rows) return `${name}: not measured here`;
  const ratios = [0, 1, 2].map((i) => (col(rows, i) / col(base, i)).toFixed(2));
  return `${name}: ×${ratios[0]} on pread, ×${ratios[1]} on stat, ×${ratios[2]} on open+close`;
}

const report = `# IO fault mechanisms

Command: \`npm run build && node bench/io-mechanisms.mjs\` (from the repository root; root for the FUSE mount).

Run ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ${os.platform()} ${os.release()};
load average at the start ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}, at the end ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(', ')}.
One C program times ${OPS} preads of 4 KiB, ${OPS} stats and ${OPS / 4} open+close pairs on one 64 KiB file (page cache),
per mechanism, ${ROUNDS} rounds interleaved; each cell is the median per call, and its ratio to the plain run of
the same round set. The machine is shared: numbers vary from run to run and are recorded as measured.

| mechanism | pread 4 KiB | stat | open + close |
|---|---|---|---|
${lines.join('\n')}
${fuse === 'not measured' ? '' : `\nFUSE: ${fuse}\n`}
Time for a rule written to the control file (rename) to reach a running process that preads every 100 µs:
median ${median(pickups).toFixed(1)} ms, max ${Math.max(...pickups).toFixed(1)} ms over ${pickups.length} tries (the library looks at most every 50 ms).

## Reading the numbers

- ${ratioText('faultline preload, no rule')}: what a process started under \`faultline wrap\` pays while no fault
  is held (a coarse clock read per call, a stat of the control file at most every 50 ms), beside
  ${ratioText('libfiu POSIX preload (fiu-run -x), no failure point')}, which also interposes every call.
- ${ratioText('faultline preload, a matching rule at percent 0')}: while a fault is held, each call on a
  descriptor reads /proc/self/fd/N (one readlink) and matches the glob; only the target process pays it.
- ${ratioText('FUSE passthrough (bindfs)')}: every call on the mount crosses a user-space daemon, for as long as
  it is mounted, fault or not, and for every process that uses the folder; the mount must also be in place
  before the process opens its files (a file already open stays on the real file system).
- libfiu has no latency, attribute or wrong-byte faults, and its failure points are per function, not per path.
- Hence faultline's choice: its own preload library, per process, applied and reverted without a restart or a
  remount, with every IOChaos action and path globs (docs/faults.md says where it cannot reach).
`;
mkdirSync(path.join(HERE, 'results'), { recursive: true });
writeFileSync(path.join(HERE, 'results', 'io-mechanisms.md'), report);
console.log(report);
