/**
 * faultline/testing's inject(): a fault held by a test, journaled, checked like a run's, reverted by
 * revert(), by `await using`, by its duration, by the halt switch, and by the guardian or the next
 * inject when the test process dies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openControlDb } from '../src/safety/control-db.js';
import { halt, unhalt } from '../src/safety/halt.js';
import { closeChaosSession, FaultSpecError, InjectRefusedError, inject } from '../src/testing/index.js';
import { ROOT, tempDir, tempHome } from './support/cli.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { openJournalEntries } from './support/journal.js';
import { freePort, killStarted, portOpen, processState, startSleeper, waitFor } from './support/processes.js';

const home = tempHome();
process.env.FAULTLINE_HOME = home;
let upstream: Server;
let upstreamPort: number;
let listenPort: number;

function get(port: number): Promise<number> {
  return fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
}

const openEntries = (journalHome = home) => openJournalEntries(journalHome);

const endpoint = () => ({ name: 'upstream', endpoint: { listen: `127.0.0.1:${listenPort}`, upstream: `127.0.0.1:${upstreamPort}` } });

beforeAll(async () => {
  upstreamPort = await freePort();
  listenPort = await freePort();
  upstream = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
});

afterEach(() => {
  const control = openControlDb();
  unhalt(control);
  control.close();
});

afterAll(async () => {
  await closeChaosSession();
  killStarted();
  upstream.close();
});

describe('inject', () => {
  it('holds an HTTP fault on an endpoint through its proxy, journaled, until revert()', async () => {
    const fault = await inject({ fault: 'http.abort', target: endpoint(), params: { code: 503 } });
    expect(await get(listenPort)).toBe(503);
    expect(fault.active).toBe(true);
    expect(fault.targets).toEqual(['upstream']);
    expect(openEntries().map((e) => e.fault)).toEqual(['http.abort']);
    await fault.revert();
    await fault.revert(); // idempotent
    expect(fault.active).toBe(false);
    expect(openEntries()).toEqual([]);
    // the proxy stays for the next fault: the system keeps reaching its dependency through it
    expect(await get(listenPort)).toBe(200);
    expect(fault.faults[0]?.injectedAt).toBeTruthy();
    expect(fault.faults[0]?.revertedAt).toBeTruthy();
  });

  it('reverts at the end of an `await using` block, even when the block throws', async () => {
    const body = async () => {
      await using _fault = await inject({ fault: 'http.abort', target: endpoint(), params: { code: 500 } });
      expect(await get(listenPort)).toBe(500);
      throw new Error('the test failed');
    };
    await expect(body()).rejects.toThrow('the test failed');
    expect(await get(listenPort)).toBe(200);
    expect(openEntries()).toEqual([]);
  });

  it('reverts by itself after its duration', async () => {
    const fault = await inject({ fault: 'http.abort', target: endpoint(), duration: '300ms' });
    expect(await get(listenPort)).toBe(503);
    await fault.reverted;
    expect(await get(listenPort)).toBe(200);
    expect(openEntries()).toEqual([]);
  });

  it('throws a FaultSpecError naming the field before anything is applied', async () => {
    const port = await freePort();
    const target = { name: 'fresh', endpoint: { listen: `127.0.0.1:${port}`, upstream: `127.0.0.1:${upstreamPort}` } };
    const bad = await inject({ fault: 'network.latency', target, params: { latency: 'fast' } }).catch((e) => e);
    expect(bad).toBeInstanceOf(FaultSpecError);
    expect(bad.field).toBe('params.latency');
    expect(bad.message).toMatch(/^inject: params\.latency: /);
    const unknown = await inject({ fault: 'network.latncy', target }).catch((e) => e);
    expect(unknown).toBeInstanceOf(FaultSpecError);
    expect(unknown.field).toBe('fault');
    expect(unknown.message).toContain('did you mean "network.latency"');
    const badTarget = await inject({ fault: 'network.latency', target: { endpoint: { lissen: 'x' } } as never }).catch((e) => e);
    expect(badTarget.field).toBe('target.endpoint.lissen');
    expect(await portOpen(port)).toBe(false); // no proxy was started
    expect(openEntries()).toEqual([]);
  });

  it('honours the halt switch: refused while halted, and a held fault is reverted within a second', async () => {
    const control = openControlDb();
    try {
      const fault = await inject({ fault: 'http.abort', target: endpoint() });
      halt(control, 'incident in progress');
      await waitFor(() => !fault.active, 1500, 'the halt to revert the fault');
      expect(await get(listenPort)).toBe(200);
      const refused = await inject({ fault: 'http.abort', target: endpoint() }).catch((e) => e);
      expect(refused).toBeInstanceOf(InjectRefusedError);
      expect(refused.guard).toBe('halt');
      expect(refused.message).toContain('incident in progress');
      expect(openEntries()).toEqual([]);
    } finally {
      control.close();
    }
  });

  it('refuses protected targets and what the project policy denies', async () => {
    const dir = tempDir();
    const project = join(dir, 'faultline.yaml');
    writeFileSync(
      project,
      `apiVersion: faultline.dev/v1
kind: Project
spec:
  targets:
    - { name: database, protected: true, endpoint: { listen: "127.0.0.1:${listenPort}", upstream: "127.0.0.1:${upstreamPort}" } }
    - { name: billing, labels: { tier: critical }, endpoint: { listen: "127.0.0.1:${await freePort()}", upstream: "127.0.0.1:${await freePort()}" } }
  policy:
    denyLabels: [ { tier: critical } ]
`,
    );
    await expect(inject({ fault: 'http.abort', target: 'database', project })).rejects.toThrow(/database is protected/);
    // an inline target that is the protected one by identity (same address) is refused too
    await expect(inject({ fault: 'http.abort', target: { name: 'alias', ...endpoint() }, project })).rejects.toThrow(/protected/);
    const denied = await inject({ fault: 'http.abort', selector: { names: ['billing'] }, project }).catch((e) => e);
    expect(denied).toBeInstanceOf(InjectRefusedError);
    expect(denied.guard).toBe('policy');
    expect(openEntries()).toEqual([]);
  });
});

describe('a test process that dies holding a fault', () => {
  function holdInChild(options: object, childHome: string): Promise<{ child: ChildProcess; done: Promise<unknown>; line: string }> {
    const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/testing/hold-fault.mjs'), JSON.stringify(options)], {
      cwd: ROOT,
      env: { ...process.env, FAULTLINE_HOME: childHome },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const done = new Promise((resolve) => child.on('close', resolve));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve({ child, done, line: out.trim() });
      });
      child.once('exit', (code) => reject(new Error(`the test process exited with ${code} before holding the fault`)));
    });
  }

  it('has its fault reverted by its guardian', async () => {
    const childHome = tempHome();
    const sleeper = startSleeper('inject-guardian');
    const run = await holdInChild({ fault: 'process.pause', target: { name: 'sleeper', process: { pid: sleeper.pid } } }, childHome);
    expect(run.line).toBe('held');
    expect(processState(sleeper.pid as number)).toBe('T');
    await expectGuardianReverts(run, childHome, () => processState(sleeper.pid as number) !== 'T', 'the paused test target');
    expect(openEntries(childHome)).toEqual([]);
  });

  it('waits for the lock with lockWait: the second process holds the target once the first has reverted', async () => {
    const childHome = tempHome();
    const sleeper = startSleeper('inject-lock-wait');
    const target = { name: 'sleeper', process: { pid: sleeper.pid } };
    const first = await holdInChild({ fault: 'process.pause', target, duration: '1500ms' }, childHome);
    expect(first.line).toBe('held');
    const firstHeld = Date.now();
    // refused at once without lockWait, held after the first fault's own end with it
    const impatient = await holdInChild({ fault: 'process.pause', target }, childHome);
    expect(impatient.line).toMatch(/^refused: InjectRefusedError: .*lock refused it/);
    const patient = await holdInChild({ fault: 'process.pause', target, lockWait: '20s' }, childHome);
    expect(patient.line).toBe('held');
    expect(Date.now() - firstHeld).toBeGreaterThanOrEqual(1400); // it waited for the first revert
    expect(processState(sleeper.pid as number)).toBe('T'); // paused again, by the second process
    expect(openEntries(childHome)).toHaveLength(1);
    // a wait that is not a duration is a spec error naming the option
    const wrong = await holdInChild({ fault: 'process.pause', target, lockWait: 'soon' }, childHome);
    expect(wrong.line).toMatch(/^refused: FaultSpecError: inject: lockWait: /);
    for (const run of [first, impatient, patient, wrong]) run.child.kill('SIGTERM');
    await Promise.all([first.done, impatient.done, patient.done, wrong.done]);
  });

  it('keeps another process off its target (lock), and the next inject in a new process recovers what it left', async () => {
    const childHome = tempHome();
    const sleeper = startSleeper('inject-recover');
    const target = { name: 'sleeper', process: { pid: sleeper.pid } };
    const run = await holdInChild({ fault: 'process.pause', target }, childHome);
    expect(run.line).toBe('held');
    const second = await holdInChild({ fault: 'process.pause', target }, childHome);
    expect(second.line).toMatch(/^refused: InjectRefusedError: .*lock refused it.*sleeper/);
    second.child.kill('SIGKILL');
    await second.done;
    await killRunnerAndGuardian(run, childHome); // a lost host: nothing reverted the fault
    expect(processState(sleeper.pid as number)).toBe('T');
    expect(openEntries(childHome)).toHaveLength(1);
    const next = await holdInChild(
      { fault: 'http.abort', target: { endpoint: { listen: `127.0.0.1:${await freePort()}`, upstream: `127.0.0.1:${upstreamPort}` } } },
      childHome,
    );
    expect(next.line).toBe('held');
    expect(processState(sleeper.pid as number)).not.toBe('T');
    expect(openEntries(childHome).map((e) => e.fault)).toEqual(['http.abort']);
    next.child.kill('SIGKILL');
    await next.done;
  });
});
