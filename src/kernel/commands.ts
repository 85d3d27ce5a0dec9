/**
 * The `nft`, `tc` and `ip` binaries (Debian nftables and iproute2), run through runCommand (argv, no
 * shell), optionally inside a named network namespace (`ip netns exec NAME ...`). Everything faultline
 * changes in the kernel lives in its own nftables tables (`faultline-<id>`, one per injection, so that
 * deleting the table removes exactly that injection's rules) and its own qdiscs (handle `fa17:`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { describeFailure, runCommand } from '../util/run-command.js';

/** Prefix of every nftables table faultline creates. */
export const TABLE_PREFIX = 'faultline';
/** Handle of every qdisc faultline creates (tc writes it `fa17:`). */
export const QDISC_HANDLE = 'fa17:';

const TIMEOUT_MS = 10_000;

export function newTableName(): string {
  return `${TABLE_PREFIX}-${randomBytes(4).toString('hex')}`;
}

/** argv run inside `netns` (or in this process's namespace when undefined). */
export function inNetns(netns: string | undefined, argv: readonly string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : [...argv];
}

export async function run(netns: string | undefined, argv: readonly string[]) {
  const full = inNetns(netns, argv);
  return { argv: full, result: await runCommand(full, { timeoutMs: TIMEOUT_MS }) };
}

/** Runs a command and throws its one-line failure. */
export async function mustRun(netns: string | undefined, argv: readonly string[]): Promise<string> {
  const { argv: full, result } = await run(netns, argv);
  if (result.exitCode !== 0) {
    // nft ends its message with a line of carets; keep the line that says what is wrong
    const why = (result.stderr || result.stdout).split('\n').find((l) => /error/i.test(l));
    throw new Error(why ? `${full.join(' ')}: ${why.trim()}` : describeFailure(full, result));
  }
  return result.stdout;
}

export function netnsExists(name: string): boolean {
  return existsSync(join('/run/netns', name));
}

/**
 * Checks, before anything changes, that this process can change the kernel's packet path: Linux, root,
 * the binaries present, the namespace present. Throws a UserError naming the cause and the fix.
 */
export async function checkKernelAccess(what: string, tools: Array<'nft' | 'tc'>, netns?: string): Promise<void> {
  if (process.platform !== 'linux') throw new UserError(`${what} needs Linux (nftables, tc); use the proxy mechanism on this system`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new UserError(`${what} needs root (it changes nftables rules or qdiscs); run faultline as root, or use the proxy mechanism`);
  for (const tool of tools) {
    const probe = await runCommand(tool === 'nft' ? ['nft', '--version'] : ['tc', '-V'], { timeoutMs: TIMEOUT_MS });
    if (probe.spawnError || probe.exitCode !== 0) {
      const pkg = tool === 'nft' ? 'nftables' : 'iproute2';
      throw new UserError(`${what} needs the ${tool} command, which is missing; install the ${pkg} package`);
    }
  }
  if (netns !== undefined && !netnsExists(netns))
    throw new UserError(`${what}: network namespace ${netns} does not exist (ip netns list); create it or fix the target's netns`);
}

/** Applies an nftables ruleset atomically (`nft -f FILE`): all of it or nothing. */
export async function nftApply(netns: string | undefined, ruleset: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-nft-'));
  const file = join(dir, 'rules.nft');
  try {
    writeFileSync(file, ruleset);
    await mustRun(netns, ['nft', '-f', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deletes one of faultline's tables; nothing to do when it, or its namespace, is gone. Idempotent. */
export async function nftDeleteTable(netns: string | undefined, family: string, table: string): Promise<void> {
  if (!table.startsWith(`${TABLE_PREFIX}-`) && table !== TABLE_PREFIX)
    throw new Error(`refusing to delete nftables table ${table}: not faultline's`);
  if (netns !== undefined && !netnsExists(netns)) return; // the namespace, and its rules with it, are gone
  const tables = await nftTables(netns);
  if (!tables.some((t) => t.family === family && t.name === table)) return;
  await mustRun(netns, ['nft', 'delete', 'table', family, table]);
}

/** Every nftables table of a namespace, from `nft -j list tables`. */
export async function nftTables(netns: string | undefined): Promise<Array<{ family: string; name: string }>> {
  const out = await mustRun(netns, ['nft', '-j', 'list', 'tables']);
  const parsed = JSON.parse(out || '{"nftables":[]}') as { nftables?: Array<{ table?: { family: string; name: string } }> };
  return (parsed.nftables ?? []).flatMap((item) => (item.table ? [{ family: item.table.family, name: item.table.name }] : []));
}

export interface QdiscJson {
  kind: string;
  handle: string;
  root?: boolean;
  dev?: string;
}

export async function qdiscs(netns: string | undefined, device?: string): Promise<QdiscJson[]> {
  const out = await mustRun(netns, device ? ['tc', '-j', 'qdisc', 'show', 'dev', device] : ['tc', '-j', 'qdisc', 'show']);
  return JSON.parse(out || '[]') as QdiscJson[];
}

/** Whether a network device exists in a namespace. */
export async function deviceExists(netns: string | undefined, device: string): Promise<boolean> {
  const { result } = await run(netns, ['ip', 'link', 'show', 'dev', device]);
  return result.exitCode === 0;
}

/**
 * The name of the network namespace this process runs in (`ip netns identify`), or undefined for an
 * unnamed one (the host's own): journaled, so that `faultline recover` run from anywhere reverts in
 * the right namespace.
 */
export async function currentNetns(): Promise<string | undefined> {
  const result = await runCommand(['ip', 'netns', 'identify', String(process.pid)], { timeoutMs: TIMEOUT_MS });
  const name = result.exitCode === 0 ? result.stdout.trim().split(/\s+/)[0] : '';
  return name ? name : undefined;
}
