/**
 * faultline/vitest: a fault injected in a test is reverted when the test ends, whether it passed or
 * failed (`it.fails`), with `onTestFinished`; and the `afterEach` variant for Jest-style suites. Then
 * `vitest run` on a fixture project (test/fixtures/vitest/) whose tests pass, fail and time out in the
 * middle of a held fault: nothing is left, and Vitest's JSON report holds each test's `meta.faultline`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosRecord, closeChaosSession, inject, useChaos } from '../src/testing/vitest.js';
import { ROOT, tempDir, tempHome } from './support/cli.js';
import { openJournalEntries } from './support/journal.js';
import { freePort, killStarted, processState, startSleeper } from './support/processes.js';

const home = tempHome();
process.env.FAULTLINE_HOME = home;
let upstream: Server;
let upstreamPort: number;
let listenPort: number;

const target = () => ({ name: 'api', endpoint: { listen: `127.0.0.1:${listenPort}`, upstream: `127.0.0.1:${upstreamPort}` } });

async function status(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${listenPort}/`, { signal: AbortSignal.timeout(3000) });
  await response.arrayBuffer();
  return response.status;
}

const openEntries = (journalHome = home) => openJournalEntries(journalHome);

beforeAll(async () => {
  upstreamPort = await freePort();
  listenPort = await freePort();
  upstream = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
});

afterAll(async () => {
  await closeChaosSession();
  killStarted();
  upstream.close();
});

describe('inject with onTestFinished', () => {
  it('holds the fault during the test', async () => {
    await inject({ fault: 'http.abort', target: target(), params: { code: 503 } });
    expect(await status()).toBe(503);
  });

  it('finds it reverted in the next test', async () => {
    expect(await status()).toBe(200);
    expect(openEntries()).toEqual([]);
  });

  it.fails('reverts it when the test fails', async () => {
    await inject({ fault: 'http.abort', target: target(), params: { code: 502 } });
    expect(await status()).toBe(200); // fails: the fault is held
  });

  it("finds the failed test's fault reverted", async () => {
    expect(await status()).toBe(200);
    expect(openEntries()).toEqual([]);
  });
});

describe('useChaos with afterEach (Jest-style)', () => {
  const records: ChaosRecord[] = [];
  const chaos = useChaos({ afterEach, onRecord: (record) => records.push(record) });

  it('holds faults during the test', async () => {
    await chaos.inject({ fault: 'http.abort', target: target(), params: { code: 500 } });
    expect(await status()).toBe(500);
  });

  it('finds them reverted after it, and the record of the test before given to onRecord', async () => {
    expect(await status()).toBe(200);
    expect(openEntries()).toEqual([]);
    // this test injected nothing: only the one before has a record
    expect(records).toHaveLength(1);
    expect(records[0]?.faults).toMatchObject([{ fault: 'http.abort', target: 'api' }]);
    expect(records[0]?.faults[0]?.revertedAt).toBeTruthy();
  });
});

describe('vitest run on a project whose tests hold faults', () => {
  interface FaultRecord {
    fault: string;
    injectedAt: string | null;
    revertedAt: string | null;
  }
  interface TestResult {
    title: string;
    status: string;
    duration: number;
    meta: { faultline?: { faults: FaultRecord[]; probes: { name: string; samples: { phase: string; ok: boolean }[] }[] } };
  }

  it('reverts every fault whatever the ending, and keeps faults and samples in meta.faultline', async () => {
    const childHome = tempHome();
    const out = join(tempDir('faultline-vitest-'), 'report.json');
    const sleeper = startSleeper('vitest-held');
    const childListen = await freePort();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--config',
          'test/fixtures/vitest/vitest.config.ts',
          '--reporter=json',
          `--outputFile=${out}`,
        ],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            FAULTLINE_HOME: childHome,
            LISTEN: `127.0.0.1:${childListen}`,
            UPSTREAM: `127.0.0.1:${upstreamPort}`,
            SLEEPER_PID: String(sleeper.pid),
          },
          stdio: 'ignore',
        },
      );
      child.on('close', resolve);
    });
    expect(code).toBe(1); // one failure, one timeout

    // nothing left behind
    expect(openEntries(childHome)).toEqual([]);
    expect(processState(sleeper.pid as number)).not.toBe('T');

    const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: TestResult[] }[] };
    const byTitle = new Map(report.testResults.flatMap((f) => f.assertionResults).map((t) => [t.title, t]));
    expect(byTitle.get('passes while the shop answers 503')?.status).toBe('passed');
    expect(byTitle.get('fails while a fault is held')?.status).toBe('failed');
    const timedOut = byTitle.get('times out in the middle of a held fault') as TestResult;
    expect(timedOut.status).toBe('failed');
    expect(timedOut.duration).toBeGreaterThanOrEqual(1_900); // ended by its 2s timeout (the JSON report keeps no message for it)
    for (const [title, result] of byTitle) {
      const faults = result.meta.faultline?.faults ?? [];
      expect(faults.length, `${title} has its faults in meta.faultline`).toBeGreaterThan(0);
      for (const fault of faults) expect(fault.revertedAt, `${title}: ${fault.fault} reverted`).toBeTruthy();
    }
    expect(timedOut.meta.faultline?.faults.map((f) => f.fault)).toEqual(['http.abort', 'process.pause']);
    const during = timedOut.meta.faultline?.probes[0]?.samples.filter((s) => s.phase === 'during') ?? [];
    expect(during.length).toBeGreaterThan(0);
    // the probe saw the 502s (but the one sample in flight when the end of the test reverted them)
    expect(during.filter((s) => s.ok).length).toBeLessThanOrEqual(1);
    expect(during.filter((s) => !s.ok).length).toBeGreaterThan(0);
    const passed = byTitle.get('passes while the shop answers 503')?.meta.faultline?.probes[0]?.samples ?? [];
    const passedDuring = passed.filter((s) => s.phase === 'during');
    expect(passedDuring.filter((s) => s.ok).length).toBeLessThanOrEqual(1); // the 503s, seen by the probe
    expect(passedDuring.filter((s) => !s.ok).length).toBeGreaterThan(0);
  }, 120_000);
});
