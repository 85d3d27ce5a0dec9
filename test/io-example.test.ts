/**
 * examples/sqlite-ledger: the SQLite ledger (Python, under `faultline wrap`) meets EIO on fsync and must
 * answer 503, then accept writes again without a restart. The experiment passes against the real service,
 * and fails when the fault misses the ledger's files (writes acknowledged during the run refute it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runCli, startCli, tempDir, tempHome, waitForOutput } from './support/cli.js';
import { freePort } from './support/processes.js';

const EXAMPLE = join(ROOT, 'examples', 'sqlite-ledger');

const started: { child: ReturnType<typeof startCli>['child']; done: Promise<CliResult> }[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM'); // forwarded to the ledger
    await s.done;
  }
});

async function startLedger(home: string, env: Record<string, string>): Promise<void> {
  const ledger = startCli(['wrap', '--', 'python3', join(EXAMPLE, 'ledger.py')], { home, env: { ...env, LEDGER_LIFETIME: '120' } });
  started.push(ledger);
  await waitForOutput(ledger, 'ledger listening', 15_000, 'the ledger to listen');
}

/** Runs an experiment; a run that does not reach its verdict in 40 s fails with what it printed (it once hung silently). */
async function runExperiment(file: string, home: string, env: Record<string, string>): Promise<CliResult> {
  const run = startCli(['run', file], { home, env });
  started.push(run);
  await waitForOutput(run, /\b(PASSED|FAILED|ABORTED|ERROR) ledger-answers-503-on-eio/, 40_000, 'the verdict');
  return run.done;
}

async function count(port: string): Promise<number> {
  return ((await (await fetch(`http://127.0.0.1:${port}/entries/count`)).json()) as { count: number }).count;
}

describe('examples/sqlite-ledger/eio-on-fsync.yaml', () => {
  it('passes: the ledger answers 503 while fsync fails with EIO, and accepts writes again after the revert', async () => {
    const home = tempHome();
    const env = { LEDGER_DIR: tempDir(), LEDGER_PORT: String(await freePort()) };
    await startLedger(home, env);
    const result = await runExperiment(join(EXAMPLE, 'eio-on-fsync.yaml'), home, env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PASSED ledger-answers-503-on-eio/);
    const runId = / run (\S+)/.exec(result.stdout)?.[1] as string;
    const report = JSON.parse((await runCli(['report', runId, '--format', 'json'], { home })).stdout) as {
      probes: { name: string; samples: number; failed: number }[];
    };
    const refused = report.probes.find((p) => p.name === 'write-refused-with-503');
    expect(refused?.samples).toBeGreaterThan(3); // 503 seen again and again while the fault was held
    expect(refused?.failed).toBe(0);
    expect(report.probes.find((p) => p.name === 'write-accepted')).toMatchObject({ samples: 2, failed: 0 });
    expect(await count(env.LEDGER_PORT)).toBe(2); // only the writes before and after the fault were kept
  });

  it('fails when the fault is aimed where the ledger has no file: writes are still acknowledged during the run', async () => {
    const home = tempHome();
    const env = { LEDGER_DIR: tempDir(), LEDGER_PORT: String(await freePort()) };
    await startLedger(home, env);
    // the same experiment with the fault on a file the ledger does not fsync: the OnChaos probe sees 201
    const text = readFileSync(join(EXAMPLE, 'eio-on-fsync.yaml'), 'utf8').replace('/ledger.db*', '/other.db');
    const file = join(tempDir(), 'eio-elsewhere.yaml');
    writeFileSync(file, text);
    const result = await runExperiment(file, home, env);
    expect(result.code, result.stdout + result.stderr).not.toBe(0);
    expect(result.stdout).toMatch(/(FAILED|ABORTED) ledger-answers-503-on-eio/);
  });
});
