/**
 * Kernel-level network faults (nftables, tbf) and the test-hosts helper, ONLY inside network
 * namespaces this file creates (fltest-*); every namespace is deleted after each test, pass or fail.
 * Linux and root only: skipped elsewhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RunResources } from '../src/engine/resources.js';
import type { TargetInstance } from '../src/engine/target-instance.js';
import { getFault } from '../src/faults/index.js';
import { nftTables, qdiscs } from '../src/kernel/commands.js';
import { createTestHosts, type TestHosts } from '../src/kernel/netns.js';
import { parseExperiments } from '../src/spec/load.js';
import { UserError } from '../src/util/errors.js';
import { runCommand } from '../src/util/run-command.js';

const canRun = process.platform === 'linux' && process.getuid?.() === 0;
let hosts: TestHosts | undefined;

afterEach(async () => {
  await hosts?.destroy();
  hosts = undefined;
});

async function twoHosts(): Promise<TestHosts> {
  hosts = await createTestHosts({ hosts: ['gw', 'pa'], links: [['gw', 'pa']] });
  await hosts.startTcpServer('pa', 7001);
  await hosts.startTcpServer('pa', 7002);
  return hosts;
}

function target(h: TestHosts, host: string, addresses?: string[]): TargetInstance {
  const spec = { name: host, labels: {}, protected: false, netns: h.netns(host), ...(addresses ? { addresses } : {}) };
  return { name: host, labels: {}, spec };
}

/** Injects a fault through the registry as a run would; returns the journaled state. */
async function inject(fault: string, params: unknown, t: TargetInstance): Promise<{ state: unknown; revert: () => Promise<void> }> {
  const type = getFault(fault);
  const parsed = type.params.parse(params);
  let state: unknown;
  await type.inject({ params: parsed, target: t, durationMs: null, journal: (s) => (state = s), resources: new RunResources() });
  return { state, revert: () => type.revert(state) };
}

const faultlineTables = async (netns: string) => (await nftTables(netns)).filter((t) => t.name.startsWith('faultline'));

describe.skipIf(!canRun)('test hosts', () => {
  it('joins namespaces by a veth pair, runs processes in them, and removes everything', async () => {
    const h = await twoHosts();
    expect(await h.tcpCheck('gw', h.address('pa'), 7001)).toBe('ok');
    expect(await h.tcpGreeting('gw', h.address('pa'), 7001)).toBe(`from ${h.address('gw')}`);
    expect(await h.tcpCheck('pa', h.address('gw'), 7001)).toBe('refused'); // nothing listens on gw
    const names = Object.values(h.namespaces);
    await h.destroy();
    const list = await runCommand(['ip', 'netns', 'list'], { timeoutMs: 5000 });
    for (const ns of names) expect(list.stdout).not.toContain(ns);
  });
});

describe.skipIf(!canRun)('network.partition (kernel)', () => {
  it('really stops traffic between the sets named, and its revert restores it', async () => {
    const h = await twoHosts();
    const pa = h.address('pa');
    const { state, revert } = await inject('network.partition', { mechanism: 'kernel', addresses: [pa], ports: [7001] }, target(h, 'gw'));
    expect(state).toMatchObject({ mechanism: 'kernel', state: { netns: h.netns('gw'), family: 'inet' } });
    expect(await faultlineTables(h.netns('gw'))).toHaveLength(1);
    expect(await h.tcpCheck('gw', pa, 7001, 800)).toBe('timeout'); // dropped
    expect(await h.tcpCheck('gw', pa, 7002)).toBe('ok'); // another port of the same host is not named
    await revert();
    expect(await faultlineTables(h.netns('gw'))).toEqual([]);
    expect(await h.tcpCheck('gw', pa, 7001)).toBe('ok');
    await revert(); // idempotent
  });

  it('direction from drops what the target receives; reject answers at once', async () => {
    const h = await twoHosts();
    const pa = h.address('pa');
    const from = await inject('network.partition', { mechanism: 'kernel', addresses: [pa], direction: 'from' }, target(h, 'gw'));
    expect(await h.tcpCheck('gw', pa, 7001, 800)).toBe('timeout'); // the SYN-ACK never arrives
    await from.revert();
    const reject = await inject('network.partition', { mechanism: 'kernel', addresses: [`${pa}/32`], action: 'reject' }, target(h, 'gw'));
    expect(await h.tcpCheck('gw', pa, 7001, 3000)).toBe('refused'); // a TCP reset, no timeout
    await reject.revert();
    expect(await h.tcpCheck('gw', pa, 7001)).toBe('ok');
  });

  it("matches the target's own addresses: traffic from another address of the target passes", async () => {
    const h = await twoHosts();
    const pa = h.address('pa');
    const p = await inject(
      'network.partition',
      { mechanism: 'kernel', addresses: [pa], direction: 'to' },
      target(h, 'gw', ['10.255.255.1']),
    );
    expect(await h.tcpCheck('gw', pa, 7001)).toBe('ok'); // gw's real address is not 10.255.255.1
    await p.revert();
  });

  it('refuses, before any change, a namespace that does not exist', async () => {
    const h = await twoHosts();
    const t = target(h, 'gw');
    t.spec.netns = 'fltest-missing-ns';
    await expect(inject('network.partition', { mechanism: 'kernel', addresses: ['10.0.0.1'] }, t)).rejects.toThrow(
      /network namespace fltest-missing-ns does not exist/,
    );
    await expect(inject('network.partition', { mechanism: 'kernel', addresses: ['10.0.0.1'] }, t)).rejects.toBeInstanceOf(UserError);
  });
});

describe.skipIf(!canRun)('network.loss (kernel)', () => {
  it('drops the percentage of packets asked (100%: nothing passes) until reverted', async () => {
    const h = await twoHosts();
    const pa = h.address('pa');
    const all = await inject('network.loss', { mechanism: 'kernel', percent: 100, addresses: [pa] }, target(h, 'gw'));
    expect(await h.tcpCheck('gw', pa, 7001, 800)).toBe('timeout');
    await all.revert();
    expect(await h.tcpCheck('gw', pa, 7001)).toBe('ok');
    const none = await inject('network.loss', { mechanism: 'kernel', percent: '0' }, target(h, 'gw'));
    expect(await h.tcpCheck('gw', pa, 7001)).toBe('ok');
    await none.revert();
    expect(await faultlineTables(h.netns('gw'))).toEqual([]);
  });

  it('writes a random drop of 50% on every non-loopback packet when no address is named', async () => {
    const h = await twoHosts();
    const loss = await inject('network.loss', { mechanism: 'kernel', percent: 50, direction: 'both' }, target(h, 'gw'));
    const list = await runCommand(['ip', 'netns', 'exec', h.netns('gw'), 'nft', 'list', 'ruleset'], { timeoutMs: 5000 });
    expect(list.stdout).toMatch(/numgen random mod 10000 < 5000 drop/);
    expect(list.stdout).toMatch(/oifname != "lo"/);
    await loss.revert();
  });
});

describe.skipIf(!canRun)('network.bandwidth (kernel)', () => {
  it('puts a tbf qdisc on the device, slows a transfer, and its revert removes only that qdisc', async () => {
    const h = await twoHosts();
    const dev = h.device('pa');
    const t = target(h, 'pa');
    const shaped = await inject('network.bandwidth', { mechanism: 'kernel', rate: '100kbps', device: dev }, t);
    const root = (await qdiscs(h.netns('pa'), dev)).find((q) => q.root);
    expect(root).toMatchObject({ kind: 'tbf', handle: 'fa17:' });
    // pa sends 300 KB to gw: at 100 KB/s that takes well over a second
    const sink = h.spawn('gw', [
      process.execPath,
      '-e',
      "require('node:net').createServer((s) => { let n = 0; s.on('data', (d) => { n += d.length; if (n >= 300000) { s.end(); } }); }).listen(7100, () => console.log('up'))",
    ]);
    await new Promise((r) => sink.stdout?.once('data', r));
    const send = `const s = require('node:net').connect(7100, process.argv[1]); const t = Date.now(); s.on('connect', () => s.write(Buffer.alloc(300000))); s.on('end', () => { console.log(Date.now() - t); process.exit(0); }); s.resume();`;
    const timed = await h.exec('pa', [process.execPath, '-e', send, h.address('gw')], 20_000);
    expect(Number(timed.stdout.trim())).toBeGreaterThan(1500);
    await shaped.revert();
    expect((await qdiscs(h.netns('pa'), dev)).some((q) => q.kind === 'tbf')).toBe(false);
    await shaped.revert();
  });

  it('refuses a device that does not exist, with nothing changed', async () => {
    const h = await twoHosts();
    await expect(
      inject('network.bandwidth', { mechanism: 'kernel', rate: '1mbit', device: 'nosuchdev0' }, target(h, 'pa')),
    ).rejects.toThrow(/there is no device nosuchdev0/);
  });
});

describe('kernel params in experiments', () => {
  const doc = (params: string, target = '{ name: gw, netns: fltest-x, addresses: [10.1.1.1] }') => `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: k }
spec:
  hypothesis: h
  targets: [ ${target} ]
  method:
    - fault: network.partition
      selector: { names: [ gw ] }
      params: ${params}
      duration: 1s
`;
  it('accepts a kernel partition on a target with netns and addresses', () => {
    const [exp] = parseExperiments(
      doc('{ mechanism: kernel, addresses: [10.1.1.2, 10.2.0.0/16], ports: [7001], direction: to, action: reject }'),
      'k.yaml',
    );
    expect(exp).toBeDefined();
  });
  it('rejects a bad address and an unknown direction, naming the field', () => {
    expect(() => parseExperiments(doc('{ mechanism: kernel, addresses: [10.1.1.300] }'), 'k.yaml')).toThrow(/expected an IP address/);
    expect(() => parseExperiments(doc('{ mechanism: kernel, addresses: [10.1.1.2], direction: sideways }'), 'k.yaml')).toThrow(/direction/);
    expect(() =>
      parseExperiments(doc('{ mechanism: kernel, addresses: [10.1.1.2] }', '{ name: gw, netns: "bad name" }'), 'k.yaml'),
    ).toThrow(/network namespace name/);
  });
});
