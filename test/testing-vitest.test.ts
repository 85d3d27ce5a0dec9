/**
 * faultline/vitest: a fault injected in a test is reverted when the test ends, whether it passed or
 * failed (`it.fails`), with `onTestFinished`; and the `afterEach` variant for Jest-style suites.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeChaosSession, inject, useChaos } from '../src/testing/vitest.js';
import { tempHome } from './support/cli.js';
import { openJournalEntries } from './support/journal.js';
import { freePort } from './support/processes.js';

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
  const chaos = useChaos({ afterEach });

  it('holds faults during the test', async () => {
    await chaos.inject({ fault: 'http.abort', target: target(), params: { code: 500 } });
    expect(await status()).toBe(500);
  });

  it('finds them reverted after it', async () => {
    expect(await status()).toBe(200);
    expect(openEntries()).toEqual([]);
  });
});
