/**
 * examples/experiments/more/netns-partition-provider.yaml: the demo's gateway and providers each in a
 * test namespace (joined by veth pairs), the real CLI run inside the gateway's namespace, a kernel
 * partition between the gateway and provider A. Only this file's namespaces are touched.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nftTables } from '../src/kernel/commands.js';
import { createTestHosts, type TestHosts } from '../src/kernel/netns.js';
import { BIN, type CliResult, ROOT, tempDir, tempHome } from './support/cli.js';
import { waitFor } from './support/processes.js';

const canRun = process.platform === 'linux' && process.getuid?.() === 0;
let hosts: TestHosts | undefined;

afterEach(async () => {
  await hosts?.destroy();
  hosts = undefined;
});

describe.skipIf(!canRun)('example: a kernel partition between the gateway and provider A', () => {
  it('passes: the gateway fails over to B while A is cut off, and nothing is left behind', async () => {
    const h = (hosts = await createTestHosts({
      hosts: ['gw', 'pa', 'pb'],
      links: [
        ['gw', 'pa'],
        ['gw', 'pb'],
      ],
    }));
    const demo = join(ROOT, 'examples', 'demo');
    h.spawn('pa', [process.execPath, join(demo, 'provider.mjs'), '--name=a', '--port=17001', '--host=0.0.0.0']);
    h.spawn('pb', [process.execPath, join(demo, 'provider.mjs'), '--name=b', '--port=17002', '--host=0.0.0.0']);
    h.spawn('gw', [
      process.execPath,
      join(demo, 'gateway.mjs'),
      '--port=17000',
      `--provider-a=http://${h.address('pa')}:17001`,
      `--provider-b=http://${h.address('pb')}:17002`,
    ]);
    for (const [host, addr, port] of [
      ['gw', '127.0.0.1', 17000],
      ['gw', h.address('pa'), 17001],
      ['gw', h.address('pb'), 17002],
    ] as const) {
      await waitFor(async () => (await h.tcpCheck(host, addr, port)) === 'ok', 10_000, `${addr}:${port}`);
    }
    const reportDir = tempDir();
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        h.netns('gw'),
        process.execPath,
        BIN,
        'run',
        join(ROOT, 'examples/experiments/more/netns-partition-provider.yaml'),
        '--report-dir',
        reportDir,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NO_COLOR: '1',
          FAULTLINE_HOME: tempHome(),
          GATEWAY_NETNS: h.netns('gw'),
          GATEWAY_ADDR: h.address('gw', 'pa'),
          PROVIDER_A_ADDR: h.address('pa'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    // while the run holds the partition, A is unreachable from the gateway (and B is not)
    await waitFor(
      async () => (await nftTables(h.netns('gw'))).some((t) => t.name.startsWith('faultline')),
      20_000,
      `the partition (${out})`,
    );
    expect(await h.tcpCheck('gw', h.address('pa'), 17001, 500)).toBe('timeout');
    expect(await h.tcpCheck('gw', h.address('pb'), 17002)).toBe('ok');
    const result = await new Promise<CliResult>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: '' })),
    );
    expect(result.stdout).toMatch(/PASSED gateway-survives-partition-from-provider-a/);
    expect(result.code).toBe(0);
    expect((await nftTables(h.netns('gw'))).filter((t) => t.name.startsWith('faultline'))).toEqual([]);
    expect(await h.tcpCheck('gw', h.address('pa'), 17001)).toBe('ok');
  });
});
