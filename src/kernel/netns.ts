/**
 * Test hosts: network namespaces joined by veth pairs, each with addresses of its own, for trying
 * kernel-level faults without touching the host's network (Linux, root). Used by faultline's tests
 * and documented for users (docs/network-kernel.md).
 *
 * ```ts
 * import { createTestHosts } from 'faultline';
 * const hosts = await createTestHosts({ hosts: ['gateway', 'provider'], links: [['gateway', 'provider']] });
 * hosts.spawn('provider', ['node', 'server.js']);              // a process inside a namespace
 * await hosts.tcpCheck('gateway', hosts.address('provider'), 7001); // 'ok' | 'refused' | 'timeout'
 * await hosts.destroy();                                          // processes, namespaces, links: all gone
 * ```
 *
 * Each link `[a, b]` is a veth pair with one end in each namespace, `10.X.L.1/24` on `a` and
 * `10.X.L.2/24` on `b` (L = the link's index + 1, X picked at random per set of hosts); `lo` is up in
 * every namespace. The namespaces are named `PREFIX-RANDOM-HOST`. Deleting a namespace deletes its
 * veth ends, nftables tables and qdiscs with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type CommandResult, describeFailure, runCommand } from '../util/run-command.js';

export interface TestHostsOptions {
  /** the hosts' names (letters, digits, `-`; short: names are joined into namespace names) */
  hosts: string[];
  /** pairs of hosts joined by a veth pair */
  links?: Array<[string, string]>;
  /** prefix of the namespaces' names (default `fltest`) */
  prefix?: string;
}

export interface TestLink {
  a: string;
  b: string;
  /** device names in a's and b's namespaces */
  deviceA: string;
  deviceB: string;
  addressA: string;
  addressB: string;
}

const TIMEOUT_MS = 10_000;
const HOST_NAME = /^[a-z][a-z0-9-]{0,15}$/;

async function must(argv: string[]): Promise<CommandResult> {
  const result = await runCommand(argv, { timeoutMs: TIMEOUT_MS });
  if (result.exitCode !== 0) throw new Error(describeFailure(argv, result));
  return result;
}

const TCP_CHECK = `
const net = require('node:net');
const [host, port, ms] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
const t = setTimeout(() => { console.log('timeout'); s.destroy(); process.exit(0); }, Number(ms));
s.on('connect', () => { clearTimeout(t); console.log('ok'); s.destroy(); process.exit(0); });
s.on('error', (e) => { clearTimeout(t); console.log(e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' ? 'refused' : 'unreachable'); process.exit(0); });
`;

export class TestHosts {
  /** host name → namespace name */
  readonly namespaces: Record<string, string>;
  readonly links: TestLink[];
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  constructor(namespaces: Record<string, string>, links: TestLink[]) {
    this.namespaces = namespaces;
    this.links = links;
  }

  netns(host: string): string {
    const ns = this.namespaces[host];
    if (!ns) throw new Error(`no test host ${host}; known: ${Object.keys(this.namespaces).join(', ')}`);
    return ns;
  }

  /** The host's address on its link to `peer` (or on its first link). */
  address(host: string, peer?: string): string {
    for (const l of this.links) {
      if (l.a === host && (peer === undefined || l.b === peer)) return l.addressA;
      if (l.b === host && (peer === undefined || l.a === peer)) return l.addressB;
    }
    throw new Error(`test host ${host} has no link${peer ? ` to ${peer}` : ''}`);
  }

  /** The host's device on its link to `peer` (or its first link). */
  device(host: string, peer?: string): string {
    for (const l of this.links) {
      if (l.a === host && (peer === undefined || l.b === peer)) return l.deviceA;
      if (l.b === host && (peer === undefined || l.a === peer)) return l.deviceB;
    }
    throw new Error(`test host ${host} has no link${peer ? ` to ${peer}` : ''}`);
  }

  /** Runs a command inside the host's namespace and waits for it. */
  exec(host: string, argv: string[], timeoutMs = TIMEOUT_MS): Promise<CommandResult> {
    return runCommand(['ip', 'netns', 'exec', this.netns(host), ...argv], { timeoutMs });
  }

  /** Starts a long-lived process inside the host's namespace; `destroy()` kills it. */
  spawn(host: string, argv: string[], options: { env?: Record<string, string> } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.netns(host), ...argv], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Starts a TCP server in the host's namespace that greets every connection with the address it came
   * from (`from 10.1.2.1`, a line) and then echoes what it reads.
   */
  async startTcpServer(host: string, port: number): Promise<ChildProcess> {
    const script = `require('node:net').createServer((s) => { s.on('error', () => {}); s.write('from ' + s.remoteAddress + '\\n'); s.pipe(s); }).listen(${port}, '0.0.0.0', () => console.log('listening'));`;
    const child = this.spawn(host, [process.execPath, '-e', script]);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the test server in ${host} did not start`)), TIMEOUT_MS);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the test server in ${host} exited (${code})`));
      });
    });
    return child;
  }

  /** Opens one TCP connection from inside `host`: `ok`, `refused` (RST), `timeout` or `unreachable`. */
  async tcpCheck(host: string, address: string, port: number, timeoutMs = 3000): Promise<'ok' | 'refused' | 'timeout' | 'unreachable'> {
    const result = await this.exec(
      host,
      [process.execPath, '-e', TCP_CHECK, address, String(port), String(timeoutMs)],
      timeoutMs + TIMEOUT_MS,
    );
    const word = result.stdout.trim();
    if (word === 'ok' || word === 'refused' || word === 'timeout' || word === 'unreachable') return word;
    throw new Error(`tcp check from ${host} failed: ${describeFailure(['tcpCheck'], result)}`);
  }

  /** Connects from inside `host` and returns the first line the server sends, or null (no answer in time, or refused). */
  async tcpGreeting(host: string, address: string, port: number, timeoutMs = 1000): Promise<string | null> {
    const script = `const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
let got = ''; const done = (w) => { console.log(w); s.destroy(); process.exit(0); };
setTimeout(() => done(''), Number(process.argv[3]));
s.on('data', (d) => { got += d; if (got.includes('\\n')) done(got.split('\\n')[0]); }); s.on('error', () => done(''));`;
    const result = await this.exec(
      host,
      [process.execPath, '-e', script, address, String(port), String(timeoutMs)],
      timeoutMs + TIMEOUT_MS,
    );
    const line = result.stdout.trim();
    return line === '' ? null : line;
  }

  /** Kills every process started here and in the namespaces, deletes the namespaces. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.children) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
    for (const ns of Object.values(this.namespaces)) {
      const pids = await runCommand(['ip', 'netns', 'pids', ns], { timeoutMs: TIMEOUT_MS });
      for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      await runCommand(['ip', 'netns', 'del', ns], { timeoutMs: TIMEOUT_MS });
    }
  }
}

/** Creates the namespaces and links; on failure removes what it made and throws. */
export async function createTestHosts(options: TestHostsOptions): Promise<TestHosts> {
  if (process.platform !== 'linux') throw new Error('test hosts need Linux network namespaces');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('test hosts need root (ip netns add)');
  const prefix = options.prefix ?? 'fltest';
  const id = randomBytes(3).toString('hex');
  const namespaces: Record<string, string> = {};
  for (const host of options.hosts) {
    if (!HOST_NAME.test(host)) throw new Error(`test host name ${JSON.stringify(host)}: expected lower-case letters, digits and "-"`);
    namespaces[host] = `${prefix}-${id}-${host}`;
  }
  const octet = 100 + ((randomBytes(1)[0] ?? 0) % 150);
  const links: TestLink[] = (options.links ?? []).map(([a, b], i) => ({
    a,
    b,
    deviceA: `v${i}${b}`.slice(0, 15),
    deviceB: `v${i}${a}`.slice(0, 15),
    addressA: `10.${octet}.${i + 1}.1`,
    addressB: `10.${octet}.${i + 1}.2`,
  }));
  const hosts = new TestHosts(namespaces, links);
  try {
    for (const ns of Object.values(namespaces)) {
      await must(['ip', 'netns', 'add', ns]);
      await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    for (const l of links) {
      const nsA = hosts.netns(l.a);
      const nsB = hosts.netns(l.b);
      // created inside a's namespace, so the host's own namespace never holds the pair, not even briefly
      await must(['ip', '-n', nsA, 'link', 'add', l.deviceA, 'type', 'veth', 'peer', 'name', l.deviceB, 'netns', nsB]);
      await must(['ip', '-n', nsA, 'addr', 'add', `${l.addressA}/24`, 'dev', l.deviceA]);
      await must(['ip', '-n', nsB, 'addr', 'add', `${l.addressB}/24`, 'dev', l.deviceB]);
      await must(['ip', '-n', nsA, 'link', 'set', l.deviceA, 'up']);
      await must(['ip', '-n', nsB, 'link', 'set', l.deviceB, 'up']);
    }
  } catch (error) {
    await hosts.destroy();
    throw error;
  }
  return hosts;
}
