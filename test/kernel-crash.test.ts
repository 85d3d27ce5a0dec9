/**
 * No kernel fault outlives its run: the real CLI `faultline run` applies each kernel mechanism inside
 * a test namespace, is SIGKILLed, and `faultline recover` must leave nothing behind (no faultline
 * table, no qdisc) with traffic flowing again, measured by real TCP connections between namespaces.
 * Only namespaces this file creates are touched; each is deleted after its test, pass or fail.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nftTables, qdiscs } from '../src/kernel/commands.js';
import { createTestHosts, type TestHosts } from '../src/kernel/netns.js';
import { runCli, startCli, tempDir, tempHome } from './support/cli.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { waitFor } from './support/processes.js';

const canRun = process.platform === 'linux' && process.getuid?.() === 0;
let hosts: TestHosts | undefined;

afterEach(async () => {
  await hosts?.destroy();
  hosts = undefined;
});

function experiment(name: string, h: TestHosts, params: string): string {
  const file = join(tempDir(), `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  hypothesis: The kernel fault is reverted whatever happens to the runner.
  targets:
    - name: gateway
      netns: ${h.netns('gw')}
      addresses: [ ${h.address('gw')} ]
  method:
    - fault: ${params.split('|')[0]}
      selector: { names: [ gateway ] }
      params: ${params.split('|')[1]}
      duration: 10m
`,
  );
  return file;
}

const faultlineTables = async (h: TestHosts) => (await nftTables(h.netns('gw'))).filter((t) => t.name.startsWith('faultline'));
const tbf = async (h: TestHosts) => (await qdiscs(h.netns('gw'), h.device('gw'))).filter((q) => q.kind === 'tbf');

/** SIGKILL the runner alone: its guardian reverts the fault within a second, nobody runs recover. */
async function crashAndGuardian(file: string, applied: () => Promise<boolean>): Promise<void> {
  const home = tempHome();
  const run = startCli(['run', file], { home });
  await waitFor(applied, 15_000, () => `the fault to be applied (${run.output()})`);
  await expectGuardianReverts(run, home, async () => !(await applied()), 'the kernel fault');
  const again = await runCli(['recover'], { home });
  expect(again.stdout).toMatch(/nothing to recover/);
}

/** SIGKILL the runner and its guardian (a lost host): recover reverts the fault. */
async function crashAndRecover(file: string, applied: () => Promise<boolean>): Promise<void> {
  const home = tempHome();
  const run = startCli(['run', file], { home });
  await waitFor(applied, 15_000, () => `the fault to be applied (${run.output()})`);
  await killRunnerAndGuardian(run, home);
  expect(await applied()).toBe(true); // the fault outlived its runner...
  const recovered = await runCli(['recover'], { home });
  expect(recovered.code).toBe(0);
  expect(recovered.stdout).toMatch(/reverted #\d+ network\.\w+ on gateway/);
  const again = await runCli(['recover'], { home });
  expect(again.stdout).toMatch(/nothing to recover/);
}

describe.skipIf(!canRun)('kernel faults after the runner is SIGKILLed', () => {
  it('network.partition: the guardian deletes the table within a second and traffic flows again', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['gw', 'pa'], links: [['gw', 'pa']] }));
    await h.startTcpServer('pa', 7001);
    const pa = h.address('pa');
    const file = experiment('kernel-partition-crash', h, `network.partition|{ mechanism: kernel, addresses: [ ${pa} ], ports: [ 7001 ] }`);
    await crashAndGuardian(file, async () => (await faultlineTables(h)).length === 1);
    expect(await h.tcpCheck('gw', pa, 7001, 5000)).toBe('ok');
    expect(await faultlineTables(h)).toEqual([]);
  });

  it('network.partition really cut traffic while the run held it', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['gw', 'pa'], links: [['gw', 'pa']] }));
    await h.startTcpServer('pa', 7001);
    const pa = h.address('pa');
    const home = tempHome();
    const run = startCli(['run', experiment('kernel-partition-live', h, `network.partition|{ mechanism: kernel, addresses: [ ${pa} ] }`)], {
      home,
    });
    await waitFor(async () => (await faultlineTables(h)).length === 1, 15_000, 'the partition');
    expect(await h.tcpCheck('gw', pa, 7001, 800)).toBe('timeout');
    run.child.kill('SIGINT'); // an interrupted run reverts its own faults
    expect((await run.done).code).toBe(130);
    expect(await faultlineTables(h)).toEqual([]);
    expect(await h.tcpCheck('gw', pa, 7001)).toBe('ok');
  });

  it('network.loss: the guardian deletes the table within a second and traffic flows again', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['gw', 'pa'], links: [['gw', 'pa']] }));
    await h.startTcpServer('pa', 7001);
    const pa = h.address('pa');
    const file = experiment('kernel-loss-guardian', h, `network.loss|{ mechanism: kernel, percent: 100, direction: both }`);
    await crashAndGuardian(file, async () => (await faultlineTables(h)).length === 1);
    expect(await h.tcpCheck('gw', pa, 7001, 5000)).toBe('ok');
  });

  it('network.loss: recover deletes the table and traffic flows again', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['gw', 'pa'], links: [['gw', 'pa']] }));
    await h.startTcpServer('pa', 7001);
    const pa = h.address('pa');
    const file = experiment('kernel-loss-crash', h, `network.loss|{ mechanism: kernel, percent: 100, direction: both }`);
    await crashAndRecover(file, async () => (await faultlineTables(h)).length === 1);
    expect(await h.tcpCheck('gw', pa, 7001, 5000)).toBe('ok');
    expect(await faultlineTables(h)).toEqual([]);
  });

  it('network.bandwidth: the guardian deletes the tbf qdisc within a second', async () => {
    const h = (hosts = await createTestHosts({ hosts: ['gw', 'pa'], links: [['gw', 'pa']] }));
    await h.startTcpServer('pa', 7001);
    const file = experiment('kernel-bandwidth-crash', h, `network.bandwidth|{ mechanism: kernel, rate: 1mbit, device: ${h.device('gw')} }`);
    await crashAndGuardian(file, async () => (await tbf(h)).length === 1);
    expect(await tbf(h)).toEqual([]);
    expect(await h.tcpCheck('gw', h.address('pa'), 7001)).toBe('ok');
  });
});
