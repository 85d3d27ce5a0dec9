/**
 * A throwaway PostgreSQL server from Debian's `postgresql` package: a cluster made by initdb in a
 * temporary folder, run in the foreground as the `postgres` user (the server refuses root) on a free
 * loopback port, and killed with its folder by `stop()`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, portOpen, waitFor } from './processes.js';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  port: number;
  /** `postgres://postgres@127.0.0.1:PORT/DB` of a new, empty database */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export function postgresAvailable(): boolean {
  return existsSync(join(BIN, 'postgres')) && process.getuid?.() === 0 && /^postgres:/m.test(readFileSync('/etc/passwd', 'utf8'));
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = (line ?? '').split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(): Promise<PostgresServer> {
  const { uid, gid } = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-pg-'));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  execFileSync(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    uid,
    gid,
    stdio: 'pipe',
  });
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    join(BIN, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60'],
    { uid, gid, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    await waitFor(
      async () => (await portOpen(port)) && /ready to accept connections/.test(log),
      30_000,
      `PostgreSQL to start (log: ${log})`,
    );
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT'); // fast shutdown
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
