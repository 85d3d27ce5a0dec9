/**
 * Did we lose data? The write probe against the demo ledger (examples/demo/ledger.mjs), a real service
 * with a write-behind cache that really loses acknowledged writes when it is SIGKILLed; against the same
 * ledger in write-through mode (nothing lost); and through commands (sh, grep) on a file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExperiments, type RunReport, runExperiment } from '../src/index.js';
import { analyseWrites, type WriteRecord } from '../src/measure/data-loss.js';
import { ROOT, runCli, tempDir, tempHome } from './support/cli.js';
import { isolatedStores } from './support/monitoring-experiments.js';
import { freePort, waitFor } from './support/processes.js';

const LEDGER = join(ROOT, 'examples/demo/ledger.mjs');
const EXAMPLE = join(ROOT, 'examples/observability/ledger-lost-writes.yaml');
const keepers: { child: ChildProcess; pidFile: string }[] = [];

interface Ledger {
  port: number;
  dir: string;
  pidFile: string;
}

async function startLedger(...flags: string[]): Promise<Ledger> {
  const dir = tempDir('faultline-ledger-');
  const port = await freePort();
  const pidFile = join(dir, 'ledger.pid');
  const child = spawn(
    process.execPath,
    [LEDGER, '--keeper', `--pid-file=${pidFile}`, `--port=${port}`, `--data=${join(dir, 'ledger.jsonl')}`, ...flags],
    { stdio: 'ignore' },
  );
  keepers.push({ child, pidFile });
  await waitFor(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
      } catch {
        return false;
      }
    },
    10_000,
    'the ledger',
  );
  return { port, dir, pidFile };
}

afterEach(async () => {
  for (const { child, pidFile } of keepers.splice(0)) {
    const ledgerPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    try {
      if (ledgerPid) process.kill(ledgerPid, 'SIGKILL'); // gone already when the keeper stopped it
    } catch {}
  }
});

function ledgerExperiment(name: string, ledger: Ledger): string {
  return `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  hypothesis: Acknowledged writes survive a crash.
  targets: [ { name: ledger, process: { pidFile: "${ledger.pidFile}" } } ]
  probes:
    - name: writes
      type: write
      write:
        http: { url: "http://127.0.0.1:${ledger.port}/records/{run}-{seq}", body: '{"seq": {seq}, "t": {t}}' }
        read: { http: { url: "http://127.0.0.1:${ledger.port}/records/{run}-{seq}" } }
        timeout: 1s
      interval: 100ms
  steadyState: { probes: [ writes ], tolerance: { availability: { gte: 0.5 } }, recoveryTimeout: 10s }
  method:
    - { fault: process.kill, selector: { names: [ ledger ] } }
    - pause: 1500ms
`;
}

describe('write probe', () => {
  it('the example experiment finds the acknowledged writes a write-behind ledger loses when killed, and the observed RPO', async () => {
    const ledger = await startLedger('--flush-ms=1500');
    const reports = tempDir('faultline-reports-');
    const result = await runCli(['run', EXAMPLE, '--report-dir', reports, '--no-progress'], {
      home: tempHome(),
      env: { LEDGER_PORT: String(ledger.port), LEDGER_STATE_DIR: ledger.dir },
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const file = readdirSync(reports).find((f) => f.endsWith('.json')) as string;
    const report = JSON.parse(readFileSync(join(reports, file), 'utf8')) as RunReport;
    const loss = report.dataLoss;
    expect(loss).toBeDefined();
    if (!loss) return;
    expect(loss.probe).toBe('ledger-writes');
    expect(loss.lost).toBeGreaterThan(0);
    expect(loss.acknowledged).toBeGreaterThan(loss.lost);
    expect(loss.lostSeqs.length).toBe(Math.min(loss.lost, 20));
    // only writes acknowledged before the kill were in the cache; none after it may be lost
    expect(loss.lostAfterInterruption).toBe(0);
    // RPO: up to one flush interval (1.5s), to one write interval (100ms)
    expect(loss.rpoMs).toBeGreaterThan(0);
    expect(loss.rpoMs).toBeLessThanOrEqual(1500 + 300);
    expect(loss.rpoResolutionMs).toBe(100);
    expect(Date.parse(loss.interruptedAt as string)).toBe(Date.parse(report.faults[0]?.injectedAt as string));
    expect(report.reason).toMatch(/^write probe ledger-writes: \d+ acknowledged writes lost \(seq \d+/);
    expect(report.timeline.some((e) => e.event === 'data-loss')).toBe(true);
    // the SLO of the example: the crash cost error budget
    expect(report.measurements.slo?.badSamples).toBeGreaterThan(0);
    expect(report.measurements.slo?.errorBudgetConsumed).toBeGreaterThan(0);
    const md = readFileSync(join(reports, file.replace(/\.json$/, '.md')), 'utf8');
    expect(md).toMatch(new RegExp(`\\| Lost writes \\| ${loss.lost} of ${loss.acknowledged} acknowledged`));
    expect(md).toContain('| Observed RPO |');
    expect(md).toMatch(/Data was lost: \d+ acknowledged writes are missing/);
  });

  it('finds nothing lost when the ledger writes through (--sync), and the run passes', async () => {
    const ledger = await startLedger('--sync');
    const [experiment] = parseExperiments(ledgerExperiment('ledger-write-through', ledger), 'x.yaml', { project: null });
    const { report } = await runExperiment(experiment!, isolatedStores());
    expect(report.verdict, report.reason).toBe('passed');
    expect(report.dataLoss).toMatchObject({ lost: 0, lostSeqs: [], rpoMs: 0, unreadable: 0 });
    expect(report.dataLoss?.acknowledged).toBeGreaterThan(10);
    // writes refused while the ledger was down are failures, not losses
    expect(report.dataLoss?.failed).toBeGreaterThan(0);
    expect(report.timeline.find((e) => e.event === 'data-check')?.detail).toMatch(/^writes: \d+ writes, \d+ acknowledged, 0 lost/);
  });

  it('writes and reads through commands; loss that is not contiguous sets the recovery point before the first lost write', async () => {
    const dir = tempDir();
    const store = join(dir, 'records.txt');
    writeFileSync(store, '');
    const [experiment] = parseExperiments(
      `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: file-records }
spec:
  hypothesis: Records appended to the file stay there.
  probes:
    - name: appends
      type: write
      write:
        command: [ sh, -c, 'echo "$0" >> "$1"', "{seq}", "${store}" ]
        read: { command: [ grep, -qx, "{seq}", "${store}" ] }
      interval: 100ms
  method:
    - pause: 600ms
    - fault: custom.action
      params: { run: [ sed, -i, "/^[23]$/d", "${store}" ], revert: [ "true" ] }
      duration: 500ms
`,
      'x.yaml',
      { project: null },
    );
    const { report } = await runExperiment(experiment!, isolatedStores());
    expect(report.verdict).toBe('failed');
    const loss = report.dataLoss;
    // (an append racing with sed's rewrite may be lost too: that is real loss, and comes later)
    expect(loss).toMatchObject({ failed: 0, indeterminate: 0 });
    expect(loss?.lostSeqs.slice(0, 2)).toEqual([2, 3]);
    // RP: the acknowledgement of seq 1, the last write before the first lost one that survived
    const injectedAt = Date.parse(report.faults[0]?.injectedAt as string);
    expect(loss?.rpoMs).toBe(injectedAt - Date.parse(loss?.recoveryPoint as string));
    expect(loss?.rpoMs).toBeGreaterThan(500);
  });

  it('rejects writes that do not name the record, and a read that is missing', () => {
    const load = (block: string) =>
      parseExperiments(
        `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: bad-write }
spec:
  hypothesis: invalid.
  probes:
    - name: w
      type: write
      write: ${block}
  method: [ { pause: 1s } ]
`,
        'bad.yaml',
        { project: null },
      );
    expect(() =>
      load('{ http: { url: "http://127.0.0.1:1/records" }, read: { http: { url: "http://127.0.0.1:1/records/{seq}" } } }'),
    ).toThrow(/put \{seq\} in its command, URL or body/);
    expect(() => load('{ command: [ "true", "{seq}" ] }')).toThrow(/write\.read: required field is missing/);
    expect(() =>
      load('{ command: [ "true", "{seq}" ], http: { url: "http://x/{seq}" }, read: { command: [ grep, "{seq}", f ] } }'),
    ).toThrow(/expected exactly one of command, http/);
  });
});

describe('lost writes and observed RPO (analyseWrites)', () => {
  const ack = (seq: number, t: number): WriteRecord => ({ seq, t, ackAt: t + 5, outcome: 'ok' });

  it('follows the notes: RP is the last acknowledgement before the first loss; RPO = interruption - RP', () => {
    const records = [
      ack(1, 0),
      ack(2, 100),
      ack(3, 200),
      ack(4, 300),
      { seq: 5, t: 400, ackAt: null, outcome: 'fail' as const },
      ack(6, 500),
    ];
    const reads = new Map([
      [1, 'present' as const],
      [2, 'present' as const],
      [3, 'missing' as const],
      [4, 'missing' as const],
      [6, 'present' as const],
    ]);
    const loss = analyseWrites('w', records, reads, 350, 100);
    expect(loss).toMatchObject({
      written: 6,
      acknowledged: 5,
      failed: 1,
      lost: 2,
      lostSeqs: [3, 4],
      lostAfterInterruption: 0,
      rpoMs: 350 - 105,
    });
    expect(loss.recoveryPoint).toBe(new Date(105).toISOString());
  });

  it('nothing lost: RPO 0 (to one interval); loss after the interruption is counted apart; indeterminate writes are not losses', () => {
    const none = analyseWrites(
      'w',
      [ack(1, 0), ack(2, 100)],
      new Map([
        [1, 'present' as const],
        [2, 'present' as const],
      ]),
      150,
      100,
    );
    expect(none).toMatchObject({ lost: 0, rpoMs: 0, rpoResolutionMs: 100 });
    const records = [ack(1, 0), { seq: 2, t: 100, ackAt: null, outcome: 'info' as const }, ack(3, 200)];
    const after = analyseWrites(
      'w',
      records,
      new Map([
        [1, 'present' as const],
        [2, 'missing' as const],
        [3, 'missing' as const],
      ]),
      150,
      100,
    );
    expect(after).toMatchObject({ lost: 1, lostSeqs: [3], lostAfterInterruption: 1, indeterminate: 1, rpoMs: 145 });
    const noFault = analyseWrites('w', [ack(1, 0)], new Map([[1, 'unreadable' as const]]), null, 100);
    expect(noFault).toMatchObject({ lost: 0, unreadable: 1, rpoMs: null, interruptedAt: null });
  });
});
