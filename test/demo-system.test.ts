// End-to-end test of the demo system under examples/demo: the supervisor starts the gateway, two
// payment providers and the tenant API on free loopback ports; we kill, stop and resume provider A
// and check failover, restarts, tenant isolation and a clean shutdown with real HTTP calls.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SUPERVISOR = fileURLToPath(new URL('../examples/demo/supervisor.mjs', import.meta.url));
const SERVICES = ['gateway', 'provider-a', 'provider-b', 'tenant-api'] as const;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** Distinct free ports: hold all listeners open until every port is known, then close them. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function get(url: string, headers: Record<string, string> = {}, timeoutMs = 2000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { raw: text };
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout ${url}`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it returns a value (not undefined) or the deadline passes. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

describe('demo system (examples/demo)', () => {
  let stateDir = '';
  let supervisor: ChildProcess | undefined;
  let supervisorExit: Promise<number | null> | undefined;
  let stderr = '';
  let port: Record<'gateway' | 'a' | 'b' | 'tenant', number>;
  const seenPids = new Set<number>(); // every pid we learnt of, for cleanup

  const readPid = (service: string): number | undefined => {
    try {
      const pid = Number(fs.readFileSync(path.join(stateDir, `${service}.pid`), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      seenPids.add(pid);
      return pid;
    } catch {
      return undefined;
    }
  };
  const pidOf = (service: string): number => {
    const pid = readPid(service);
    if (pid === undefined) throw new Error(`no pid file for ${service}`);
    return pid;
  };
  const checkout = () => get(`http://127.0.0.1:${port.gateway}/checkout`);
  const orders = (tenant: string, token?: string) =>
    get(`http://127.0.0.1:${port.tenant}/tenants/${tenant}/orders`, token ? { authorization: `Bearer ${token}` } : {});

  beforeAll(async () => {
    const [gateway = 0, a = 0, b = 0, tenant = 0] = await freePorts(4);
    port = { gateway, a, b, tenant };
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-demo-test-'));
    const child = spawn(process.execPath, [SUPERVISOR], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DEMO_GATEWAY_PORT: String(gateway),
        DEMO_PROVIDER_A_PORT: String(a),
        DEMO_PROVIDER_B_PORT: String(b),
        DEMO_TENANT_PORT: String(tenant),
        DEMO_STATE_DIR: stateDir,
        DEMO_RESTART_DELAY_MS: '1000',
        PROVIDER_TIMEOUT_MS: '250',
      },
    });
    supervisor = child;
    supervisorExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    let stdout = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString('utf8');
        if (stdout.split('\n').includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`supervisor exited (${code}) before ready:\n${stderr}`)));
    });
    const timeout = sleep(15_000).then(() => {
      throw new Error(`supervisor not ready within 15s:\n${stderr}`);
    });
    await Promise.race([ready, timeout]);
    if (child.pid !== undefined) seenPids.add(child.pid);
    for (const s of SERVICES) pidOf(s);
  }, 20_000);

  afterAll(async () => {
    // Whatever happened, leave nothing behind: resume, then kill every process we know of.
    for (const s of [...SERVICES, 'supervisor']) if (stateDir) readPid(s);
    const pids = [...seenPids];
    for (const pid of pids) signal(pid, 'SIGCONT');
    if (supervisor?.pid !== undefined && supervisor.exitCode === null && supervisor.signalCode === null) {
      signal(supervisor.pid, 'SIGTERM');
      await Promise.race([supervisorExit, sleep(4000)]);
    }
    for (const pid of pids) signal(pid, 'SIGKILL');
    await waitFor('all demo processes gone', 5000, () => (pids.some(alive) ? undefined : true)).catch(() => {});
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  }, 15_000);

  it('writes a pid file per service and for itself, with distinguishable command lines', () => {
    expect(pidOf('supervisor')).toBe(supervisor?.pid);
    const pids = SERVICES.map(pidOf);
    expect(new Set(pids).size).toBe(4);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    if (process.platform === 'linux') {
      for (const s of SERVICES) {
        const cmdline = fs
          .readFileSync(`/proc/${pidOf(s)}/cmdline`, 'utf8')
          .split('\0')
          .join(' ');
        expect(cmdline).toMatch(new RegExp(`examples/demo/\\S+\\.mjs .*--service=${s}( |$)`));
      }
    }
  });

  it('serves checkout through provider a', async () => {
    const r = await checkout();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, provider: 'a' });
  });

  it('fails over to provider b when provider-a is killed, and the supervisor restarts it', async () => {
    const oldPid = pidOf('provider-a');
    process.kill(oldPid, 'SIGKILL');
    await waitFor('provider-a to die', 2000, () => (alive(oldPid) ? undefined : true));
    const r = await checkout();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, provider: 'b' });

    const newPid = await waitFor('a new provider-a pid', 5000, () => {
      const pid = readPid('provider-a');
      return pid !== undefined && pid !== oldPid ? pid : undefined;
    });
    expect(alive(newPid)).toBe(true);
    await waitFor('checkout through provider a again', 5000, async () => {
      const again = await checkout();
      return again.status === 200 && again.body.provider === 'a' ? true : undefined;
    });
  }, 15_000);

  it('routes around a SIGSTOPped provider-a within 1 s', async () => {
    const pid = pidOf('provider-a');
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const r = await checkout();
      const elapsed = Date.now() - started;
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ ok: true, provider: 'b' });
      expect(elapsed).toBeLessThan(1000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('checkout through provider a after SIGCONT', 5000, async () => {
      const again = await checkout();
      return again.status === 200 && again.body.provider === 'a' ? true : undefined;
    });
  }, 15_000);

  it('isolates tenants: 401 without or with an unknown token, 403 across tenants, 200 for its own', async () => {
    expect((await orders('acme')).status).toBe(401);
    expect((await orders('acme', 'token-nobody')).status).toBe(401);
    expect((await orders('acme', 'token-globex')).status).toBe(403);
    expect((await orders('globex', 'token-acme')).status).toBe(403);
    const own = await orders('acme', 'token-acme');
    expect(own.status).toBe(200);
    expect(own.body.tenant).toBe('acme');
    expect(Array.isArray(own.body.orders)).toBe(true);
    expect((own.body.orders as unknown[]).length).toBeGreaterThan(0);
    expect(own.body.paymentsUp).toBe(true);
    const globex = await orders('globex', 'token-globex');
    expect(globex.status).toBe(200);
    expect(globex.body.tenant).toBe('globex');
  });

  it('stays isolated (does not fail open) while provider-a is stopped', async () => {
    const pid = pidOf('provider-a');
    process.kill(pid, 'SIGSTOP');
    try {
      expect((await orders('acme')).status).toBe(401);
      expect((await orders('acme', 'token-nobody')).status).toBe(401);
      expect((await orders('acme', 'token-globex')).status).toBe(403);
      const own = await orders('acme', 'token-acme');
      expect(own.status).toBe(200);
      expect(own.body.tenant).toBe('acme');
      expect(own.body.paymentsUp).toBe(false);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 10_000);

  it('stops every child and exits 0 on SIGTERM', async () => {
    const pids = SERVICES.map(pidOf);
    // A stopped child must still be stopped by the supervisor (it sends SIGCONT first).
    process.kill(pidOf('provider-b'), 'SIGSTOP');
    expect(supervisor?.pid).toBeDefined();
    process.kill(supervisor?.pid as number, 'SIGTERM');
    const code = await Promise.race([supervisorExit, sleep(6000).then(() => 'timeout' as const)]);
    expect(code).toBe(0);
    await waitFor('all children gone', 3000, () => (pids.some(alive) ? undefined : true));
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 15_000);
});
