/**
 * faultline/playwright: `npx playwright test` on a fixture project (test/fixtures/playwright/) whose
 * tests hold faults through the `chaos` fixture; one passes, one fails, one times out in the middle of
 * a held fault, one crashes its worker (SIGKILL) with a fault held. Afterwards nothing is left (journal
 * empty, the paused processes running, the endpoint answering untouched) and Playwright's JSON and HTML
 * reports carry the faultline attachments of the tests that ended.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Journal } from '../src/journal/journal.js';
import { ROOT, tempDir, tempHome } from './support/cli.js';
import { GUARDIAN_BOUND_MS } from './support/guardian.js';
import { freePort, killStarted, processState, startSleeper, waitFor } from './support/processes.js';

let upstream: Server;
let upstreamPort: number;

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end('<!doctype html><title>Shop</title><h1>Shop</h1>'));
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
});

afterAll(() => {
  killStarted();
  upstream.close();
});

interface JsonResult {
  status: string;
  attachments: { name: string; contentType: string; body?: string; path?: string }[];
}
interface JsonSpec {
  title: string;
  tests: { results: JsonResult[] }[];
}

it('reverts every fault after each test whatever the ending, and attaches them to the report', async () => {
  const home = tempHome();
  const out = tempDir('faultline-playwright-');
  const listenPort = await freePort();
  const sleeper = startSleeper('playwright-held');
  const crashSleeper = startSleeper('playwright-crash');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'test/fixtures/playwright/playwright.config.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          FAULTLINE_HOME: home,
          PW_OUTPUT: out,
          LISTEN: `127.0.0.1:${listenPort}`,
          UPSTREAM: `127.0.0.1:${upstreamPort}`,
          SLEEPER_PID: String(sleeper.pid),
          CRASH_SLEEPER_PID: String(crashSleeper.pid),
        },
        stdio: 'ignore',
      },
    );
    child.on('close', resolve);
  });
  expect(code).toBe(1); // one failure, one timeout, one crashed worker

  // nothing left behind: the crashed worker's pause was reverted by its guardian, with nobody running recover
  await waitFor(() => processState(crashSleeper.pid as number) !== 'T', GUARDIAN_BOUND_MS + 2_000, "the crashed worker's fault reverted");
  const journal = new Journal(join(home, 'journal.db'));
  expect(journal.open()).toEqual([]);
  journal.close();
  expect(processState(sleeper.pid as number)).not.toBe('T');
  const direct = await fetch(`http://127.0.0.1:${upstreamPort}/`);
  expect(direct.status).toBe(200);

  // the JSON report: each test's ending, with faultline's attachments
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { suites: { specs: JsonSpec[] }[] };
  const specs = report.suites.flatMap((s) => s.specs);
  const byTitle = new Map(specs.map((s) => [s.title, s.tests[0]?.results[0] as JsonResult]));
  expect(byTitle.get('passes while the shop answers 503')?.status).toBe('passed');
  expect(byTitle.get('fails while a fault is held')?.status).toBe('failed');
  expect(byTitle.get('times out in the middle of a held fault')?.status).toBe('timedOut');
  expect(byTitle.get('crashes its worker while a fault is held')?.status).toBe('failed');
  byTitle.delete('crashes its worker while a fault is held'); // its worker died before any attachment
  for (const [title, result] of byTitle) {
    const json = result.attachments.find((a) => a.name === 'faultline.json');
    expect(json, `${title} has its faultline attachment`).toBeDefined();
    const record = JSON.parse(readFileSync(json?.path as string, 'utf8')) as {
      faults: { fault: string; injectedAt: string | null; revertedAt: string | null }[];
      probes: { name: string; samples: { phase: string; ok: boolean }[] }[];
    };
    expect(record.faults.length).toBeGreaterThan(0);
    for (const fault of record.faults) {
      expect(fault.injectedAt, `${title}: ${fault.fault} injected`).toBeTruthy();
      expect(fault.revertedAt, `${title}: ${fault.fault} reverted`).toBeTruthy();
    }
  }
  const timedOut = byTitle.get('times out in the middle of a held fault') as JsonResult;
  const held = JSON.parse(readFileSync(timedOut.attachments.find((a) => a.name === 'faultline.json')?.path as string, 'utf8'));
  expect(held.faults.map((f: { fault: string }) => f.fault)).toEqual(['http.abort', 'process.pause']);
  const during = held.probes[0].samples.filter((s: { phase: string }) => s.phase === 'during');
  expect(during.length).toBeGreaterThan(0);
  // the probe saw the 502s: every sample taken while they were held, but the one in flight when the end of
  // the test reverted them (the loop samples one at a time, so at most one straddles the revert)
  expect(during.filter((s: { ok: boolean }) => s.ok).length).toBeLessThanOrEqual(1);
  expect(during.filter((s: { ok: boolean }) => !s.ok).length).toBeGreaterThan(0);

  // the HTML report holds them too, as files of its data/ folder
  expect(existsSync(join(out, 'html', 'index.html'))).toBe(true);
  const data = join(out, 'html', 'data');
  const attached = readdirSync(data)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(data, f), 'utf8'));
  expect(attached.filter((text) => text.includes('"revertedAt"'))).toHaveLength(3);
}, 180_000); // three Playwright workers (one after each failure), each starting Chromium
