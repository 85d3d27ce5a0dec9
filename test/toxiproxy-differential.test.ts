/**
 * The differential test: the sessions of Toxiproxy's Go, Ruby and .NET clients (recorded from their
 * wire format in test/fixtures/toxiproxy-clients/) and a script of the API's edges, replayed against the
 * real Toxiproxy server (v2.7.0, ../shared/tools/toxiproxy) and against `faultline proxy`, each a real
 * process; status codes, bodies and the effect on the bytes of an echo server must be the same.
 * Where the two legitimately differ, the answers are normalised below, each rule with its reason.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCli, tempHome, waitForOutput } from './support/cli.js';
import { freePort, portOpen, waitFor } from './support/processes.js';
import { echoServer, type TestServer } from './support/proxy-net.js';
import {
  type CallResult,
  expectedOutcome,
  loadSession,
  type MetricsResult,
  replay,
  type SocketResult,
  type SocketStep,
} from './support/toxiproxy-replay.js';

const TOXIPROXY = join(ROOT, '..', 'shared', 'tools', 'toxiproxy', 'toxiproxy-server');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'toxiproxy-clients');
const present = existsSync(TOXIPROXY);
if (!present) console.warn(`toxiproxy differential test skipped: no Toxiproxy server at ${TOXIPROXY}`);

let echo: TestServer;
let toxiproxy: ChildProcess;
let toxiproxyApi: string;
let faultline: ReturnType<typeof startCli>;
let faultlineApi: string;

beforeAll(async () => {
  if (!present) return;
  echo = await echoServer();
  const [theirs, ours] = [await freePort(), await freePort()];
  toxiproxyApi = `http://127.0.0.1:${theirs}`;
  faultlineApi = `http://127.0.0.1:${ours}`;
  toxiproxy = spawn(TOXIPROXY, ['-host', '127.0.0.1', '-port', String(theirs), '-proxy-metrics'], { stdio: 'ignore' });
  faultline = startCli(['proxy', '--port', String(ours)], { home: tempHome() });
  await waitFor(() => portOpen(theirs), 10_000, 'the Toxiproxy server to listen');
  await waitForOutput(faultline, 'ready', 15_000, 'faultline proxy to be ready');
});

afterAll(async () => {
  if (!present) return;
  toxiproxy.kill('SIGTERM');
  faultline.child.kill('SIGTERM');
  expect((await faultline.done).code).toBe(0);
  await echo.close();
});

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Toxiproxy's answer as faultline would give it:
 * - `Logger` is dropped: Toxiproxy 2.7.0 leaks an internal Go field (`"Logger": {}`) into every proxy.
 * - `toxicity` is clamped to 0..1: Toxiproxy echoes any number and compares its draw in [0, 1) with it, so
 *   -1 never applies and 2 always does; faultline clamps on the way in, to the value that applies.
 * - `stream` is lower-cased: Toxiproxy echoes it as the client spelled it (the .NET client's `DownStream`)
 *   and acts on it lower-cased; faultline answers the value it acts on, which the .NET client reads back
 *   all the same (Newtonsoft parses enum names whatever their case).
 */
function theirsNormalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(theirsNormalised);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'Logger') continue;
    if (key === 'toxicity' && typeof v === 'number') out[key] = Math.min(1, Math.max(0, v));
    else if (key === 'stream' && typeof v === 'string') out[key] = v.toLowerCase();
    else out[key] = theirsNormalised(v);
  }
  return out;
}

/**
 * faultline's answer, with only what Toxiproxy also shows:
 * - `attributes` keeps Toxiproxy's attributes: faultline adds its own with their defaults (latency's
 *   `correlation`), which Toxiproxy clients ignore.
 * - `/version` keeps the shape: Toxiproxy built from source says "git", faultline the version it follows.
 * - an error keeps the shape and status; its message must start with Toxiproxy's up to the first ": "
 *   (after it Toxiproxy prints Go's decoder error; faultline names the field and the fix).
 */
function oursLike(ours: unknown, theirs: unknown): unknown {
  if (Array.isArray(ours) && Array.isArray(theirs)) return ours.map((o, i) => oursLike(o, theirs[i]));
  if (!isObject(ours) || !isObject(theirs)) return ours;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(ours)) {
    if (key === 'attributes' && isObject(v) && isObject(theirs.attributes)) {
      out[key] = Object.fromEntries(Object.keys(theirs.attributes).map((k) => [k, v[k]]));
    } else if (key === 'error' && typeof v === 'string' && typeof theirs.error === 'string') {
      const head = theirs.error.split(': ')[0] as string;
      out[key] = v.startsWith(head) ? theirs.error : v;
    } else if (key === 'proxies' && 'error' in ours) {
      // a failed populate: Toxiproxy answers `"proxies": null` when nothing was created, faultline omits it
    } else out[key] = oursLike(v, theirs[key]);
  }
  if ('error' in ours && theirs.proxies === null) out.proxies = null;
  return out;
}

type Result = CallResult | SocketResult | MetricsResult;

function compare(theirs: Result[], ours: Result[], steps: unknown[]): void {
  expect(ours).toHaveLength(theirs.length);
  theirs.forEach((t, i) => {
    const o = ours[i] as Result;
    if ('samples' in t) {
      expect(t.samples.length, `Toxiproxy's counters of ${t.metrics}`).toBeGreaterThan(0);
      expect((o as MetricsResult).samples, `the counters of ${t.metrics}`).toEqual(t.samples);
      return;
    }
    const step = steps[i] as { statusOnly?: string; path?: string } & Partial<SocketStep>;
    if ('outcome' in t) {
      const expected = expectedOutcome(step as SocketStep);
      expect(t.outcome, `Toxiproxy, ${t.check}`).toBe(expected);
      expect((o as SocketResult).outcome, `faultline, ${t.check}`).toBe(expected);
      return;
    }
    const mine = o as CallResult;
    const label = `${t.call} (${step.path})`;
    expect(mine.status, label).toBe(t.status);
    if (step.statusOnly) return;
    if (step.path === '/version') {
      expect(mine.body, label).toEqual({ version: expect.any(String), server: 'faultline' });
      expect(t.body, label).toEqual({ version: expect.any(String) });
      return;
    }
    const normalised = theirsNormalised(t.body);
    expect(oursLike(mine.body, normalised), label).toEqual(normalised);
  });
}

describe.skipIf(!present)('faultline proxy and Toxiproxy 2.7.0 give the same answers and the same effect', () => {
  for (const [file, what] of [
    ['go.json', "the Go client's session"],
    ['ruby.json', "the Ruby client's session"],
    ['dotnet.json', "the .NET client's session (PascalCase keys, nulls)"],
    ['api-edges.json', 'the edges of the API: errors, unknown fields, toxicity outside 0..1'],
    ['metrics.json', "/metrics: Toxiproxy's byte counters, per proxy and direction, before and after a toxic"],
  ] as const) {
    it(what, async () => {
      const session = loadSession(join(FIXTURES, file));
      const upstream = `127.0.0.1:${echo.port}`;
      const theirs = await replay(session, toxiproxyApi, upstream);
      const ours = await replay(session, faultlineApi, upstream);
      compare(theirs, ours, session.steps);
    });
  }

  it('logs each field it ignored, as a warning naming it', async () => {
    await waitForOutput(faultline, '"latencyy"', 2000, 'the warning');
    const log = faultline.output();
    expect(log).toMatch(/proxy: ignored unknown field "colour"/);
    expect(log).toMatch(/latency toxic attributes: ignored unknown field "latencyy"/);
    expect(log).toMatch(/latency toxic attributes: ignored unknown field "spread"/);
    expect(log).toMatch(/toxicity 2 taken as 1/);
    expect(log).toMatch(/toxicity -1 taken as 0/);
    // the .NET client's PascalCase keys are known fields, not ignored ones
    expect(log).not.toMatch(/unknown field "(Name|Listen|Attributes|Latency)"/);
  });
});
