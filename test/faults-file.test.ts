/**
 * file.corrupt on real files: each mode changes what it says, revert restores the bytes and the checksum,
 * bad input changes nothing, and `faultline recover` restores the file after the runner is SIGKILLed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import { getFault } from '../src/faults/index.js';
import { runCli, startCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { killStarted, waitFor } from './support/processes.js';

afterEach(() => killStarted());

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function dataFile(dir: string, bytes = 64 * 1024, name = 'model.bin'): { file: string; original: Buffer; sum: string } {
  const file = join(dir, name);
  const original = randomBytes(bytes);
  writeFileSync(file, original);
  return { file, original, sum: sha(file) };
}

function corruptExperiment(dir: string, file: string, params: string, duration = '3s', files = `[ ${file} ]`): string {
  return writeExperiment(
    'corrupt-model',
    `
hypothesis: The model file can be corrupted and restored.
targets:
  - name: model
    files: ${files}
method:
  - fault: file.corrupt
    selector: { names: [ model ] }
    params: ${params}
    duration: ${duration}
`,
    dir,
  );
}

function backupsOf(home: string): string[] {
  try {
    return readdirSync(join(home, 'backups'));
  } catch {
    return [];
  }
}

/** Runs a corruption, hands the corrupted bytes to `inspect` while the fault holds, checks the restore. */
async function corruptAndInspect(params: string, inspect: (now: Buffer, original: Buffer) => void): Promise<void> {
  const home = tempHome();
  const dir = tempDir();
  const { file, original, sum } = dataFile(dir);
  const run = startCli(['run', corruptExperiment(dir, file, params)], { home });
  await waitFor(() => sha(file) !== sum, 15_000, 'the file to be corrupted');
  await new Promise((r) => setTimeout(r, 300)); // the first changed byte is seen before the last one is written
  inspect(readFileSync(file), original);
  expect(backupsOf(home)).toHaveLength(1);
  const result = await run.done;
  expect(result.code, run.output()).toBe(0);
  expect(sha(file)).toBe(sum);
  expect(readFileSync(file).equals(original)).toBe(true);
  expect(backupsOf(home)).toEqual([]);
}

function differingBytes(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

beforeAll(() => {
  process.env.FAULTLINE_HOME = tempHome();
});

describe('file.corrupt modes', () => {
  it('random-bytes changes exactly `bytes` bytes in place, and revert restores them', async () => {
    await corruptAndInspect('{ mode: random-bytes, bytes: 10 }', (now, original) => {
      expect(now.length).toBe(original.length);
      expect(differingBytes(now, original)).toBe(10);
    });
  });

  it('random-bytes with percent changes that share of the bytes', async () => {
    await corruptAndInspect('{ mode: random-bytes, percent: 50 }', (now, original) => {
      expect(differingBytes(now, original)).toBe(32 * 1024);
    });
  });

  it('zero writes zeros over the first `percent` of the file', async () => {
    await corruptAndInspect('{ mode: zero, percent: 25 }', (now, original) => {
      expect(now.length).toBe(original.length);
      expect(now.subarray(0, 16 * 1024).every((b) => b === 0)).toBe(true);
      expect(now.subarray(16 * 1024).equals(original.subarray(16 * 1024))).toBe(true);
    });
  });

  it('truncate cuts `bytes` from the end', async () => {
    await corruptAndInspect('{ mode: truncate, bytes: 1000 }', (now, original) => {
      expect(now.length).toBe(original.length - 1000);
      expect(now.equals(original.subarray(0, original.length - 1000))).toBe(true);
    });
  });

  it('append-garbage appends `bytes` random bytes and leaves the rest', async () => {
    await corruptAndInspect('{ mode: append-garbage, bytes: 4Ki }', (now, original) => {
      expect(now.length).toBe(original.length + 4096);
      expect(now.subarray(0, original.length).equals(original)).toBe(true);
    });
  });

  it('keeps the inode, so a process holding the file open sees the restored bytes', async () => {
    const home = tempHome();
    const dir = tempDir();
    const { file, sum } = dataFile(dir);
    const inode = statSync(file).ino;
    const result = await runCli(['run', corruptExperiment(dir, file, '{ mode: truncate }', '500ms')], { home });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(statSync(file).ino).toBe(inode);
    expect(sha(file)).toBe(sum);
  });
});

describe('file.corrupt refuses bad input and changes nothing', () => {
  it('refuses a path that is not one of the target files', async () => {
    const home = tempHome();
    const dir = tempDir();
    const { file, sum } = dataFile(dir);
    const other = dataFile(dir, 1024, 'other.bin');
    const result = await runCli(['run', corruptExperiment(dir, file, `{ path: ${other.file} }`)], { home });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      `params.path ${other.file} is not one of the files of target model (${file}); add it to the target's files`,
    );
    expect(sha(file)).toBe(sum);
    expect(sha(other.file)).toBe(other.sum);
    expect(backupsOf(home)).toEqual([]);
  });

  it('refuses a file larger than maxBytes before backing anything up', async () => {
    const home = tempHome();
    const dir = tempDir();
    const { file, sum } = dataFile(dir, 2 * 1024 * 1024);
    const result = await runCli(['run', corruptExperiment(dir, file, '{ maxBytes: 1Mi }')], { home });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('is 2Mi, more than maxBytes 1Mi: it is refused rather than half backed up');
    expect(sha(file)).toBe(sum);
    expect(backupsOf(home)).toEqual([]);
  });

  it('names bad params at validation: an unknown mode, a size that is not a size, bytes with percent', async () => {
    const dir = tempDir();
    const home = tempHome();
    const cases: [string, RegExp][] = [
      ['{ mode: shred }', /expected mode random-bytes, zero, truncate or append-garbage, got "shred"/],
      ['{ bytes: lots }', /expected a size such as 512Mi, 1Gi, 64Ki or 1G .*got "lots"/],
      ['{ bytes: 10, percent: 5 }', /give bytes or percent, not both/],
      ['{ percent: 150 }', /expected a percentage between 0 and 100/],
    ];
    for (const [params, message] of cases) {
      const result = await runCli(['validate', corruptExperiment(dir, '/tmp/x', params)], { home });
      expect(result.code).toBe(3);
      expect(result.stderr + result.stdout).toMatch(message);
      expect(result.stderr + result.stdout).toMatch(/corrupt-model\.yaml:\d+:\d+/);
    }
  });
});

describe('file.corrupt revert', () => {
  const fault = getFault('file.corrupt');

  async function inject(file: string, params: unknown): Promise<unknown> {
    let state: unknown;
    await fault.inject({
      params: fault.params.parse(params),
      target: { name: 'model', labels: {}, spec: { name: 'model', labels: {}, protected: false, files: [file] } },
      durationMs: 1000,
      resources: undefined as never,
      journal: (s) => {
        state = s;
      },
    });
    return state;
  }

  it('is idempotent: a second revert finds the bytes restored and does nothing', async () => {
    const { file, sum } = dataFile(tempDir());
    const state = await inject(file, { mode: 'zero' });
    expect(sha(file)).not.toBe(sum);
    await fault.revert(state);
    await fault.revert(state);
    expect(sha(file)).toBe(sum);
  });

  it('restores a file that was deleted while corrupted', async () => {
    const { file, sum } = dataFile(tempDir());
    const state = await inject(file, { mode: 'append-garbage' });
    const { rmSync } = await import('node:fs');
    rmSync(file);
    await fault.revert(state);
    expect(sha(file)).toBe(sum);
  });

  it('refuses to "restore" from a damaged backup, and keeps it for a person to look at', async () => {
    const { file } = dataFile(tempDir());
    const state = (await inject(file, { mode: 'random-bytes', bytes: 3 })) as { files: { backup: string }[] };
    const backup = state.files[0]?.backup as string;
    writeFileSync(backup, 'damaged');
    await expect(fault.revert(state)).rejects.toThrow(/does not match the checksum/);
    expect(readFileSync(backup, 'utf8')).toBe('damaged');
  });
});

describe('file.corrupt after the runner is SIGKILLed', () => {
  it('is restored byte for byte by faultline recover', async () => {
    const home = tempHome();
    const dir = tempDir();
    const { file, sum, original } = dataFile(dir);
    const run = startCli(['run', corruptExperiment(dir, file, '{ mode: random-bytes, percent: 10 }', '10m')], { home });
    await waitFor(() => sha(file) !== sum, 15_000, 'the file to be corrupted');
    await killRunnerAndGuardian(run, home);
    expect(sha(file)).not.toBe(sum);

    const recovered = await runCli(['recover'], { home });
    expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/reverted #\d+ file.corrupt on model/);
    expect(readFileSync(file).equals(original)).toBe(true);
    expect(backupsOf(home)).toEqual([]);
  });

  it('is restored byte for byte by the guardian within a second, with nobody running recover', async () => {
    const home = tempHome();
    const dir = tempDir();
    const { file, sum, original } = dataFile(dir);
    const run = startCli(['run', corruptExperiment(dir, file, '{ mode: random-bytes, percent: 10 }', '10m')], { home });
    await waitFor(() => sha(file) !== sum, 15_000, 'the file to be corrupted');
    await expectGuardianReverts(run, home, () => sha(file) === sum, 'the corrupted file');
    expect(readFileSync(file).equals(original)).toBe(true);
    await waitFor(() => backupsOf(home).length === 0, 2_000, 'the backup to be removed');
  });
});
