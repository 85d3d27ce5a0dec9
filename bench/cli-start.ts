/**
 * How fast the CLI starts (issue 14), against a bare `node -e 0` measured in the same run:
 *
 *   1. `faultline --help`, `validate FILE`, `halt --reason ... --no-wait` and `recover`, each timed with
 *      hyperfine (Debian's), interleaved with `node -e 0`; the figure is the difference of the medians.
 *   2. `faultline halt` against a real run that holds a process paused (SIGSTOP): the time from the start
 *      of the halt command to the process running again, over ROUNDS halts.
 *
 *   npm run build && npx tsx bench/cli-start.ts       # writes bench/results/cli-start.md
 *
 * Everything happens in a temporary FAULTLINE_HOME: the host's own state is never touched.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'faultline.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const HOME = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-cli-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(HOME, { recursive: true, force: true });
});
const env = { ...process.env, FAULTLINE_HOME: HOME, NO_COLOR: '1' };

function run(command: string, args: string[], ms: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { env, timeout: ms, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${error.message} ${stderr}`)) : resolve(stdout),
    ),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

function experiment(name: string, body: string): string {
  const file = path.join(HOME, `${name}.yaml`);
  writeFileSync(file, `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n${body.replace(/^/gm, '  ')}\n`);
  return file;
}

interface Timing {
  command: string;
  median: number;
  min: number;
  max: number;
  user: number;
}

/** hyperfine's figures (ms) for each command, the commands interleaved run by run. */
async function hyperfine(commands: string[]): Promise<Timing[]> {
  const json = path.join(HOME, 'hyperfine.json');
  await run(
    'hyperfine',
    ['-N', '--warmup', '3', '--runs', String(RUNS), '--export-json', json, '--prepare', `node ${BIN} unhalt`, ...commands],
    600_000,
  );
  const results = (
    JSON.parse(readFileSync(json, 'utf8')) as { results: { command: string; median: number; min: number; max: number; user: number }[] }
  ).results;
  return results.map((r) => ({ command: r.command, median: r.median * 1000, min: r.min * 1000, max: r.max * 1000, user: r.user * 1000 }));
}

function processState(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '?';
}

/** From the start of `faultline halt` to the paused process running again (ms), once. */
async function haltOnce(round: number): Promise<{ toRunning: number; command: number }> {
  const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(sleeper);
  const pid = sleeper.pid as number;
  const file = experiment(
    `halt-${round}`,
    `hypothesis: n/a\ntargets: [ { name: worker, process: { pid: ${pid} } } ]\nmethod:\n  - { fault: process.pause, selector: { names: [ worker ] }, duration: 5m }`,
  );
  const runner = spawn(process.execPath, [BIN, 'run', file, '--no-progress'], { env, stdio: 'ignore' });
  children.push(runner);
  const deadline = Date.now() + 30_000;
  while (processState(pid) !== 'T') {
    if (Date.now() > deadline) throw new Error('the run did not pause its target within 30s');
    await sleep(20);
  }
  const t0 = performance.now();
  const halt = spawn(process.execPath, [BIN, 'halt', '--reason', 'bench', '--no-wait'], { env, stdio: 'ignore' });
  const haltDone = new Promise<number>((resolve) => halt.once('exit', () => resolve(performance.now() - t0)));
  while (processState(pid) === 'T') {
    if (performance.now() - t0 > 30_000) throw new Error('the halt did not resume the process within 30s');
    await sleep(2);
  }
  const toRunning = performance.now() - t0;
  const command = await haltDone;
  await new Promise((resolve) => (runner.exitCode === null ? runner.once('exit', resolve) : resolve(null)));
  sleeper.kill('SIGKILL');
  await run(process.execPath, [BIN, 'unhalt'], 30_000);
  return { toRunning, command };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const valid = experiment(
    'valid',
    'hypothesis: the checkout answers\nprobes:\n  - { name: up, type: tcp, tcp: { address: 127.0.0.1:1 } }\nsteadyState: { probes: [ up ] }\nmethod:\n  - pause: 1s',
  );
  const commands = [
    'node -e 0',
    `node ${BIN} --help`,
    `node ${BIN} validate ${valid}`,
    `node ${BIN} halt --reason bench --no-wait`,
    `node ${BIN} recover`,
  ];
  const timings = await hyperfine(commands);
  const base = timings[0] as Timing;
  const halts: { toRunning: number; command: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) halts.push(await haltOnce(round));
  const loadAtEnd = os.loadavg();
  const label = (command: string) => command.replace(`node ${BIN}`, 'faultline').replace(valid, 'FILE');
  const rows = timings.slice(1).map((t) => {
    const over = t.median - base.median;
    return `| \`${label(t.command)}\` | ${t.median.toFixed(0)} (${t.min.toFixed(0)} to ${t.max.toFixed(0)}) | ${t.user.toFixed(0)} | +${over.toFixed(0)} ms | ${over <= 300 ? 'yes' : '**no**'} |`;
  });
  const toRunning = halts.map((h) => h.toRunning);
  const text = `## CLI start (issue 14)

Command: \`npm run build && npx tsx bench/cli-start.ts\` (hyperfine ${RUNS} runs of each command after 3 warm-ups,
\`-N\`, interleaved with \`node -e 0\`; then ${ROUNDS} halts of a real run).

Run ${startedAt.toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version};
load average at the start ${loadAtStart.map((x) => x.toFixed(2)).join(', ')}, at the end ${loadAtEnd.map((x) => x.toFixed(2)).join(', ')}.
**The machine was shared** with other work during the run: wall times vary with its load; the goal is the
difference to \`node -e 0\` measured in the same run.

| command | wall ms, median (min to max) | user CPU ms (mean) | over \`node -e 0\` (median ${base.median.toFixed(0)} ms, user ${base.user.toFixed(0)} ms) | within 300 ms |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

\`faultline halt\` against a run holding a process paused (SIGSTOP), from the start of the command to the
process running again: ${toRunning.map((x) => x.toFixed(0)).join(', ')} ms (median ${median(toRunning).toFixed(0)} ms;
goal within 1 s: ${toRunning.every((x) => x <= 1000) ? 'met in every halt' : `**not met** in ${toRunning.filter((x) => x > 1000).length} of ${toRunning.length}`});
the halt command itself exited after ${halts.map((h) => h.command.toFixed(0)).join(', ')} ms.
`;
  writeFileSync(path.join(ROOT, 'bench', 'results', 'cli-start.md'), text);
  process.stdout.write(text);
}

await main().catch((error) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  process.exit(3);
});
process.exit(0);
