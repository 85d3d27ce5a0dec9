/**
 * io.latency, io.error, io.attr and io.mistake on a real Python process started under `faultline wrap`:
 * the process runs one file operation per HTTP request (test/support/file-ops-server.py) and answers what
 * it saw (time taken, errno, bytes read, attributes from stat), before, during and after each fault, and
 * after `faultline recover` when the runner was SIGKILLed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runCli, startCli, tempDir, tempHome, waitForOutput } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { freePort, killStarted, startSleeper, waitFor } from './support/processes.js';

const SERVER = join(ROOT, 'test', 'support', 'file-ops-server.py');

interface Seen {
  errno: number;
  ms: number;
  data?: string;
  size?: number;
  mode?: number;
  mtime?: number;
}

const wrapped: { child: ReturnType<typeof startCli>['child']; done: Promise<CliResult> }[] = [];

afterEach(async () => {
  killStarted();
  for (const w of wrapped.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM'); // forwarded to the server
    await w.done;
  }
});

interface Service {
  port: number;
  dir: string;
  home: string;
  /** the data folder the target declares, and a file in it */
  data: string;
  file: string;
  /** a folder the target does not declare */
  other: string;
  content: Buffer;
}

/** Starts the file-ops server under `faultline wrap`, with a data folder (declared by the target) and another. */
async function startService(tag: string): Promise<Service> {
  const home = tempHome();
  const dir = tempDir();
  const data = join(dir, 'data');
  const other = join(dir, 'other');
  mkdirSync(data);
  mkdirSync(other);
  const content = randomBytes(4096);
  const file = join(data, 'table.db');
  writeFileSync(file, content);
  writeFileSync(join(other, 'table.db'), content);
  const port = await freePort();
  const run = startCli(['wrap', '--', 'python3', SERVER, String(port), `--tag=${tag}`], { home });
  wrapped.push(run);
  await waitForOutput(run, 'listening', 10_000, 'the wrapped file-ops server to listen');
  return { port, dir, home, data, file, other, content };
}

async function op(service: Service, name: string, path = service.file): Promise<Seen> {
  const response = await fetch(`http://127.0.0.1:${service.port}/${name}?path=${encodeURIComponent(path)}`);
  return (await response.json()) as Seen;
}

function ioExperiment(
  service: Service,
  tag: string,
  fault: string,
  params: string,
  duration = '3s',
  files = `[ ${service.data} ]`,
): string {
  return writeExperiment(
    `io-${fault.replace('.', '-')}`,
    `
hypothesis: The service's file calls can be disturbed and restored.
targets:
  - name: db
    process: { match: "--tag=${tag}" }
    files: ${files}
method:
  - fault: ${fault}
    selector: { names: [ db ] }
    params: ${params}
    duration: ${duration}
`,
    service.dir,
  );
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('io.latency', () => {
  it('slows the reads of the files in scope, by the delay, and only while the fault is held', async () => {
    const s = await startService('io-latency');
    expect((await op(s, 'read')).ms).toBeLessThan(100);
    const run = startCli(['run', ioExperiment(s, 'io-latency', 'io.latency', '{ delay: 300ms, methods: [ read ] }')], { home: s.home });
    await waitFor(async () => (await op(s, 'read')).ms >= 300, 10_000, 'reads to take 300ms');
    const slow = await op(s, 'read');
    expect(slow.ms).toBeGreaterThanOrEqual(300);
    expect(slow.errno).toBe(0);
    expect(Buffer.from(slow.data as string, 'base64').equals(s.content)).toBe(true);
    expect((await op(s, 'open')).ms).toBeLessThan(100); // open is not in methods
    expect((await op(s, 'read', join(s.other, 'table.db'))).ms).toBeLessThan(100); // nor the other folder in scope
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect((await op(s, 'read')).ms).toBeLessThan(100);
  });
});

describe('io.error', () => {
  it('makes fsync fail with EIO on the matching glob while writes still work, then stops', async () => {
    const s = await startService('io-error');
    expect((await op(s, 'fsync')).errno).toBe(0);
    const file = ioExperiment(s, 'io-error', 'io.error', `{ errno: EIO, methods: [ fsync ], path: "${s.data}/*.db" }`);
    const run = startCli(['run', file], { home: s.home });
    await waitFor(async () => (await op(s, 'fsync')).errno === 5, 10_000, 'fsync to fail with EIO');
    expect((await op(s, 'write')).errno).toBe(0);
    expect((await op(s, 'fsync', join(s.data, 'journal.log'))).errno).toBe(0); // outside the glob
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect((await op(s, 'fsync')).errno).toBe(0);
  });

  it('fails only a share of the calls with percent, and takes an errno by number as Chaos Mesh writes it', async () => {
    const s = await startService('io-error-percent');
    const run = startCli(['run', ioExperiment(s, 'io-error-percent', 'io.error', '{ errno: 28, methods: [ open ], percent: 50 }', '8s')], {
      home: s.home,
    });
    await waitFor(async () => (await op(s, 'open')).errno === 28, 10_000, 'open to fail with ENOSPC');
    const errnos: number[] = [];
    for (let i = 0; i < 40; i++) errnos.push((await op(s, 'open')).errno);
    expect(errnos.filter((e) => e === 28).length).toBeGreaterThan(5); // 50% of 40: far from 0 and from 40
    expect(errnos.filter((e) => e === 0).length).toBeGreaterThan(5);
    expect((await run.done).code, run.output()).toBe(0);
  });
});

/** Node's file calls over HTTP: GET /stat answers fs.stat's size (libuv calls statx through syscall(2)), /read readFile's error code. */
const NODE_FILES = `
const fs = require('node:fs');
const [port, file] = process.argv.slice(1);
require('node:http').createServer(async (req, res) => {
  try {
    res.end(String(req.url === '/stat' ? (await fs.promises.stat(file)).size : (await fs.promises.readFile(file)).length));
  } catch (error) {
    res.end(error.code);
  }
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
setTimeout(() => process.exit(0), 120000);
`;

describe('IO faults on a Node process', () => {
  it('reach fs.stat and fs.readFile', async () => {
    const s = await startService('io-node-files'); // for its folders and home; the Node process is the target
    const port = await freePort();
    const node = startCli(['wrap', '--', process.execPath, '-e', NODE_FILES, String(port), s.file, '--tag=node-web-target'], {
      home: s.home,
    });
    wrapped.push(node);
    await waitForOutput(node, 'listening', 10_000, 'the Node process to listen');
    const ask = async (what: string) => (await fetch(`http://127.0.0.1:${port}/${what}`)).text();
    expect(await ask('stat')).toBe('4096');
    const file = writeExperiment(
      'io-node',
      `
hypothesis: Node's file calls are reached.
targets:
  - { name: web, process: { match: "--tag=node-web-target" }, files: [ ${s.data} ] }
method:
  - parallel:
      - { fault: io.attr, selector: { names: [ web ] }, params: { attr: { size: 1 } }, duration: 3s }
      - { fault: io.error, selector: { names: [ web ] }, params: { errno: EACCES, methods: [ open ] }, duration: 3s }
`,
      s.dir,
    );
    const run = startCli(['run', file], { home: s.home });
    await waitFor(
      async () => (await ask('stat')) === '1' && (await ask('read')) === 'EACCES',
      10_000,
      'size 1 from fs.stat, EACCES on open',
    );
    expect((await run.done).code, run.output()).toBe(0);
    expect(await ask('stat')).toBe('4096');
    expect(await ask('read')).toBe('4096');
  });
});

describe('IO faults together on one process', () => {
  it('hold side by side, and the revert of one leaves the other in place', async () => {
    const s = await startService('io-together');
    const file = writeExperiment(
      'io-together',
      `
hypothesis: Two IO faults on one process come and go independently.
targets:
  - { name: db, process: { match: "--tag=io-together" }, files: [ ${s.data} ] }
method:
  - parallel:
      - { fault: io.latency, selector: { names: [ db ] }, params: { delay: 250ms, methods: [ read ] }, duration: 2s }
      - { fault: io.error, selector: { names: [ db ] }, params: { errno: EIO, methods: [ fsync ] }, duration: 5s }
`,
      s.dir,
    );
    const run = startCli(['run', file], { home: s.home });
    await waitFor(async () => (await op(s, 'read')).ms >= 250 && (await op(s, 'fsync')).errno === 5, 10_000, 'both faults');
    await waitFor(async () => (await op(s, 'read')).ms < 100, 10_000, 'the latency to end');
    expect((await op(s, 'fsync')).errno).toBe(5); // the error is still held
    expect((await run.done).code, run.output()).toBe(0);
    expect((await op(s, 'fsync')).errno).toBe(0);
  });
});

describe('io.attr', () => {
  it('makes stat report the overridden size, permissions and mtime, and the true ones after', async () => {
    const s = await startService('io-attr');
    const before = await op(s, 'stat');
    expect(before.size).toBe(4096);
    const params = '{ attr: { size: 123456, perm: "0400", mtime: "2020-01-01T00:00:00Z" } }';
    const run = startCli(['run', ioExperiment(s, 'io-attr', 'io.attr', params)], { home: s.home });
    await waitFor(async () => (await op(s, 'stat')).size === 123456, 10_000, 'stat to report the new size');
    const during = await op(s, 'stat');
    expect(during.mode).toBe(0o400);
    expect(during.mtime).toBe(Date.parse('2020-01-01T00:00:00Z') / 1000);
    expect(await op(s, 'stat-command')).toMatchObject({ size: 123456, mode: 0o400 }); // statx, in a child process
    expect((await run.done).code, run.output()).toBe(0);
    expect(await op(s, 'stat')).toMatchObject({ size: 4096, mode: before.mode, mtime: before.mtime });
    expect(await op(s, 'stat-command')).toMatchObject({ size: 4096, mode: before.mode });
  });
});

describe('io.mistake', () => {
  it('makes reads return wrong bytes while the file on disk stays the same', async () => {
    const s = await startService('io-mistake');
    const params = '{ filling: zero, maxOccurrences: 3, maxLength: 16 }';
    const run = startCli(['run', ioExperiment(s, 'io-mistake', 'io.mistake', params)], { home: s.home });
    const content = s.content;
    const differs = async () => !Buffer.from((await op(s, 'read')).data as string, 'base64').equals(content);
    await waitFor(differs, 10_000, 'reads to come back wrong');
    const read = Buffer.from((await op(s, 'read')).data as string, 'base64');
    expect(read.length).toBe(content.length);
    const wrong = [...read].filter((byte, i) => byte !== content[i]).length;
    expect(wrong).toBeGreaterThan(0);
    expect(wrong).toBeLessThanOrEqual(3 * 16);
    expect(sha(readFileSync(s.file))).toBe(sha(content)); // the file itself never changed
    expect((await run.done).code, run.output()).toBe(0);
    expect(Buffer.from((await op(s, 'read')).data as string, 'base64').equals(content)).toBe(true);
  });
});

describe('IO faults: dry run and bad input', () => {
  it('describes each fault in a dry run, and changes nothing', async () => {
    const s = await startService('io-dry');
    const dry = (file: string) => runCli(['run', '--dry-run', file], { home: s.home });
    const one = await dry(ioExperiment(s, 'io-dry', 'io.error', '{ errno: ENOSPC, methods: [ write ], percent: 25 }'));
    expect(one.code, one.stdout + one.stderr).toBe(0);
    expect(one.stdout).toMatch(/fail 25% of write with ENOSPC for db \(pid \d+\) on .*\/data, .*\/data\/\* for 3s, then back/);
    const four = await dry(allFourExperiment(s, 'io-dry', '2s'));
    expect(four.code, four.stdout + four.stderr).toBe(0);
    expect(four.stdout).toMatch(/delay read by 300ms for db \(pid \d+\)/);
    expect(four.stdout).toMatch(/fail fsync with EIO for db/);
    expect(four.stdout).toMatch(/report size 7 from stat for db/);
    expect(four.stdout).toMatch(/return up to 1 run\(s\) of up to 8 zeroed byte\(s\) in reads for db/);
    expect(await effects(s)).toEqual({ slow: false, eio: false, size7: false, wrong: false });
  });

  it('refuses a path outside the target, a process not under faultline wrap and a target without files, changing nothing', async () => {
    const s = await startService('io-bad');
    const outside = await runCli(['run', ioExperiment(s, 'io-bad', 'io.error', `{ errno: EIO, path: "${s.other}/*" }`)], { home: s.home });
    expect(outside.code).toBe(3);
    expect(outside.stdout + outside.stderr).toContain(
      `io.error: params.path ${s.other}/* is outside the files of target db (${s.data}); add its folder to the target's files, or use a path under one of them`,
    );
    expect((await op(s, 'read', join(s.other, 'table.db'))).errno).toBe(0);

    const noFiles = await runCli(['run', ioExperiment(s, 'io-bad', 'io.latency', '{ delay: 1s }', '3s', '[]')], { home: s.home });
    expect(noFiles.code).toBe(3);
    expect(noFiles.stdout + noFiles.stderr).toContain(
      "io.latency: target db declares no files; list the files or folders its IO faults may touch in the target's files",
    );

    const sleeper = startSleeper('io-not-wrapped');
    const plain = writeExperiment(
      'io-plain',
      `
hypothesis: A plain process cannot be reached.
targets:
  - { name: plain, process: { pid: ${sleeper.pid} }, files: [ ${s.data} ] }
method:
  - { fault: io.error, selector: { names: [ plain ] }, params: { errno: EIO }, duration: 2s }
`,
      s.dir,
    );
    const notWrapped = await runCli(['run', plain], { home: s.home });
    expect(notWrapped.code).toBe(3);
    expect(notWrapped.stdout + notWrapped.stderr).toContain(
      'io.error: plain (pid ' +
        sleeper.pid +
        ') was not started under faultline wrap, so its file calls cannot be reached; start it as `faultline wrap -- COMMAND...`',
    );
  });

  it('names bad params at validation with their place', async () => {
    const s = { dir: tempDir(), data: '/srv/data' } as Service;
    const home = tempHome();
    const cases: [string, string, RegExp][] = [
      ['io.error', '{ errno: EIOO }', /params\.errno.*unknown errno "EIOO" \(did you mean "EIO"\?\); expected a name such as EIO/],
      ['io.error', '{ errno: 9999 }', /unknown errno 9999/],
      ['io.latency', '{ delay: 1s, methods: [ flush ] }', /expected an operation \(open, read, write, fsync, stat\), got "flush"/],
      ['io.latency', '{ delay: 1s, path: data/*.db }', /expected an absolute path or glob such as \/srv\/db\/\*\.db, got "data\/\*\.db"/],
      ['io.attr', '{ attr: {} }', /attr needs at least one of size, perm/],
      ['io.attr', '{ attr: { perm: "rwx" } }', /expected permissions as an octal string such as "0444"/],
      ['io.mistake', '{ filling: ones }', /expected filling zero or random, got "ones"/],
    ];
    for (const [fault, params, message] of cases) {
      const result = await runCli(['validate', ioExperiment(s, 'x', fault, params)], { home });
      expect(result.code, `${fault} ${params}`).toBe(3);
      expect(result.stderr + result.stdout, `${fault} ${params}`).toMatch(message);
      expect(result.stderr + result.stdout).toMatch(/io-\w+-?\w*\.yaml:\d+:\d+/);
    }
  });
});

/** The four IO faults at once on the service, held `duration`. */
function allFourExperiment(s: Service, tag: string, duration: string): string {
  return writeExperiment(
    'io-all-four',
    `
hypothesis: Every IO fault can be held and removed.
targets:
  - { name: db, process: { match: "--tag=${tag}" }, files: [ ${s.data} ] }
method:
  - parallel:
      - { fault: io.latency, selector: { names: [ db ] }, params: { delay: 300ms, methods: [ read ] }, duration: ${duration} }
      - { fault: io.error, selector: { names: [ db ] }, params: { errno: EIO, methods: [ fsync ] }, duration: ${duration} }
      - { fault: io.attr, selector: { names: [ db ] }, params: { attr: { size: 7 } }, duration: ${duration} }
      - { fault: io.mistake, selector: { names: [ db ] }, params: { filling: zero, maxLength: 8 }, duration: ${duration} }
`,
    s.dir,
  );
}

/** What the service sees of each of the four faults. */
async function effects(s: Service): Promise<{ slow: boolean; eio: boolean; size7: boolean; wrong: boolean }> {
  const read = await op(s, 'read');
  return {
    slow: read.ms >= 300,
    eio: (await op(s, 'fsync')).errno === 5,
    size7: (await op(s, 'stat')).size === 7,
    wrong: !Buffer.from(read.data as string, 'base64').equals(s.content),
  };
}

describe('IO faults after the runner is SIGKILLed', () => {
  it("the runner's guardian removes all four within a second, with nobody running recover", async () => {
    const s = await startService('io-crash-guardian');
    const run = startCli(['run', allFourExperiment(s, 'io-crash-guardian', '10m')], { home: s.home });
    const all = { slow: true, eio: true, size7: true, wrong: true };
    await waitFor(async () => JSON.stringify(await effects(s)) === JSON.stringify(all), 15_000, 'the four faults to hold');
    const rules = () => readdirSync(join(s.home, 'io')).map((f) => readFileSync(join(s.home, 'io', f), 'utf8').trim());
    await expectGuardianReverts(run, s.home, () => rules().every((r) => r === ''), 'the four IO rules');
    await new Promise((r) => setTimeout(r, 200)); // the library reads its control file every 50ms
    expect(await effects(s)).toEqual({ slow: false, eio: false, size7: false, wrong: false });
  });

  it('all four outlive a runner killed with its guardian, and faultline recover removes them', async () => {
    const s = await startService('io-crash');
    const run = startCli(['run', allFourExperiment(s, 'io-crash', '10m')], { home: s.home });
    const all = { slow: true, eio: true, size7: true, wrong: true };
    await waitFor(async () => JSON.stringify(await effects(s)) === JSON.stringify(all), 15_000, 'the four faults to hold');
    await killRunnerAndGuardian(run, s.home);
    await new Promise((r) => setTimeout(r, 200));
    expect(await effects(s)).toEqual(all); // the faults outlived their runner...

    const recovered = await runCli(['recover'], { home: s.home });
    expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
    for (const fault of ['io.latency', 'io.error', 'io.attr', 'io.mistake'])
      expect(recovered.stdout).toMatch(new RegExp(`reverted #\\d+ ${fault} on db`));
    expect(await effects(s)).toEqual({ slow: false, eio: false, size7: false, wrong: false }); // ...until recover removed them
    const [controlFile] = readdirSync(join(s.home, 'io'));
    expect(readFileSync(join(s.home, 'io', controlFile as string), 'utf8').trim()).toBe(''); // no rule left
  });
});
