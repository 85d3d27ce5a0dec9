/**
 * The tamper toxic (message.tamper): framings lines, length-prefixed and http; actions drop,
 * duplicate, corrupt, reorder; a user module returning one, several or no messages; a module that
 * throws lets messages pass and is reported once.
 */
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startProxy } from '../src/proxy/index.js';
import { tempDir } from './support/cli.js';
import {
  collect,
  connectTo,
  echoServer,
  httpRequest,
  httpServer,
  readBytes,
  sleepMs,
  type TestServer,
  tcpServer,
} from './support/proxy-net.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function behind(server: TestServer, warnings: string[] = []): Promise<FaultProxy> {
  cleanup.push(() => server.close());
  const proxy = await startProxy({
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${server.port}`,
    seed: 5,
    onWarning: (m) => warnings.push(m),
  });
  cleanup.push(() => proxy.close());
  return proxy;
}

function module(source: string): string {
  const file = join(tempDir('faultline-tamper-'), 'tamper.mjs');
  writeFileSync(file, source);
  return file;
}

/** A server that sends these lines, then ends. */
const linesServer = (lines: string[]) => tcpServer((socket) => socket.end(lines.map((l) => `${l}\n`).join('')));

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

function unframe(data: Buffer): string[] {
  const out: string[] = [];
  let offset = 0;
  while (offset + 4 <= data.length) {
    const length = data.readUInt32BE(offset);
    out.push(data.subarray(offset + 4, offset + 4 + length).toString());
    offset += 4 + length;
  }
  return out;
}

const numbered = Array.from({ length: 50 }, (_, i) => `message ${i}`);

describe('lines framing', () => {
  it('drop, duplicate and corrupt act on whole lines', async () => {
    const proxy = await behind(await linesServer(numbered));
    await proxy.addToxic({ type: 'tamper', name: 'dup', attributes: { framing: 'lines', duplicate: 100 } });
    const dup = (await collect(await connectTo(proxy.port))).data.toString().split('\n').filter(Boolean);
    expect(dup).toEqual(numbered.flatMap((l) => [l, l]));
    proxy.removeToxic('dup');

    await proxy.addToxic({ type: 'tamper', name: 'drop', attributes: { framing: 'lines', drop: 50 } });
    const kept = (await collect(await connectTo(proxy.port))).data.toString().split('\n').filter(Boolean);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThan(40);
    expect(kept.every((l) => numbered.includes(l))).toBe(true);
    proxy.removeToxic('drop');

    await proxy.addToxic({ type: 'tamper', name: 'corrupt', attributes: { framing: 'lines', corrupt: 100 } });
    const corrupted = (await collect(await connectTo(proxy.port))).data.toString('latin1').split('\n');
    expect(corrupted.filter(Boolean)).toHaveLength(50); // a flipped bit never makes a new line
    corrupted.filter(Boolean).forEach((line, i) => {
      expect(line.length).toBe(numbered[i]?.length);
      expect(line).not.toBe(numbered[i]);
    });
  });

  it('reorder sends each window of messages in a random order, losing none', async () => {
    const proxy = await behind(await linesServer(numbered));
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'lines', reorder: 5 } });
    const got = (await collect(await connectTo(proxy.port))).data.toString().split('\n').filter(Boolean);
    expect([...got].sort()).toEqual([...numbered].sort());
    expect(got).not.toEqual(numbered);
    for (let w = 0; w < 10; w++) expect([...got.slice(w * 5, w * 5 + 5)].sort()).toEqual([...numbered.slice(w * 5, w * 5 + 5)].sort());
  });

  it('a module returns one message, several, or none (strings for lines)', async () => {
    const file = module(`
      export function tamper(line, ctx) {
        if (line.endsWith('3')) return null;                       // none
        if (line.endsWith('5')) return [line, line + ' (equivocation)'];  // several
        return line.toUpperCase() + ' #' + ctx.index;              // one
      }`);
    const proxy = await behind(await linesServer(numbered.slice(0, 7)));
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'lines', module: file } });
    const got = (await collect(await connectTo(proxy.port))).data.toString().split('\n').filter(Boolean);
    expect(got).toEqual([
      'MESSAGE 0 #0',
      'MESSAGE 1 #1',
      'MESSAGE 2 #2',
      'MESSAGE 4 #4',
      'message 5',
      'message 5 (equivocation)',
      'MESSAGE 6 #6',
    ]);
  });

  it('a module that throws lets the message pass unchanged and is reported once', async () => {
    const file = module(
      `export function tamper(line) { if (line.endsWith('1') || line.endsWith('2')) throw new Error('boom ' + line); return line + '!'; }`,
    );
    const warnings: string[] = [];
    const proxy = await behind(await linesServer(numbered.slice(0, 4)), warnings);
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'lines', module: file } });
    const got = (await collect(await connectTo(proxy.port))).data.toString().split('\n').filter(Boolean);
    expect(got).toEqual(['message 0!', 'message 1', 'message 2', 'message 3!']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/threw: boom message 1; the message passed unchanged \(reported once\)/);
  });

  it('an async module keeps the order of messages', async () => {
    const file = module(
      `export async function tamper(line, ctx) { await new Promise((r) => setTimeout(r, 30 - ctx.index * 5)); return '<' + line + '>'; }`,
    );
    const proxy = await behind(await linesServer(numbered.slice(0, 5)));
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'lines', module: file } });
    const got = (await collect(await connectTo(proxy.port))).data.toString().split('\n').filter(Boolean);
    expect(got).toEqual(numbered.slice(0, 5).map((l) => `<${l}>`));
  });

  it('added mid-stream, starts at the next line', async () => {
    const proxy = await behind(await echoServer());
    const socket = await connectTo(proxy.port);
    cleanup.push(() => void socket.destroy());
    socket.write('first line\npartial ');
    await readBytes(socket, 19);
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'lines', duplicate: 100 } });
    const done = collect(socket, 2000);
    socket.end('end of it\nsecond\n');
    expect((await done).data.toString()).toBe('end of it\nsecond\nsecond\n');
  });
});

describe('length-prefixed framing', () => {
  it('gives the module Buffers and frames what it returns', async () => {
    const file = module(
      `export function tamper(payload) { const text = payload.toString(); return text === 'b' ? [] : Buffer.from(text + text); }`,
    );
    const proxy = await behind(await tcpServer((socket) => socket.end(Buffer.concat(['a', 'b', 'cc'].map(frame)))));
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'length-prefixed', module: file } });
    expect(unframe((await collect(await connectTo(proxy.port))).data)).toEqual(['aa', 'cccc']);
  });

  it('a message cut across reads is reassembled', async () => {
    const proxy = await behind(
      await tcpServer((socket) => {
        const all = Buffer.concat(['hello', 'world'].map(frame));
        socket.write(all.subarray(0, 3));
        setTimeout(() => socket.write(all.subarray(3, 11)), 20);
        setTimeout(() => socket.end(all.subarray(11)), 40);
      }),
    );
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'length-prefixed', duplicate: 100 } });
    expect(unframe((await collect(await connectTo(proxy.port))).data)).toEqual(['hello', 'hello', 'world', 'world']);
  });
});

describe('http framing', () => {
  it('a module rewrites signed responses, matched by path, on keep-alive connections too', async () => {
    const server = await httpServer((_req, res) => {
      const body = JSON.stringify({ amount: 10, signature: 'abc' });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    });
    const file = module(`
      export function tamper(message, ctx) {
        const body = JSON.parse(message.body.toString());
        body.amount = 1000;                      // a tampered answer that keeps the old signature
        return { ...message, headers: { ...message.headers, 'x-tampered': String(ctx.index) }, body };
      }`);
    const proxy = await behind(server);
    await proxy.addToxic({ type: 'tamper', attributes: { framing: 'http', module: file, path: '/pay' } });
    const paid = await httpRequest(proxy.port, { path: '/pay' });
    expect(JSON.parse(paid.body)).toEqual({ amount: 1000, signature: 'abc' });
    expect(paid.headers['x-tampered']).toBe('0');
    expect(paid.headers['content-length']).toBe(String(paid.body.length));
    expect(JSON.parse((await httpRequest(proxy.port, { path: '/other' })).body)).toEqual({ amount: 10, signature: 'abc' });
  });

  it('duplicating requests makes the upstream process them twice; the client hears once', async () => {
    const server = await httpServer((req, res) => res.end(`done ${req.url}`));
    const proxy = await behind(server);
    await proxy.addToxic({ type: 'tamper', stream: 'upstream', attributes: { framing: 'http', duplicate: 100, method: 'POST' } });
    // keep-alive: a server drops what follows a `Connection: close` request, duplicates included
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    const res = await httpRequest(proxy.port, { path: '/transfer', method: 'POST', body: 'x', headers: { 'Content-Length': 1 }, agent });
    expect(res.body).toBe('done /transfer');
    await sleepMs(100);
    expect(server.requests.map((r) => r.url)).toEqual(['/transfer', '/transfer']);
  });

  it('a module that does not exist is refused when the toxic is added', async () => {
    const proxy = await behind(await echoServer());
    await expect(proxy.addToxic({ type: 'tamper', attributes: { framing: 'lines', module: '/nonexistent/tamper.mjs' } })).rejects.toThrow(
      /does not exist/,
    );
    expect(proxy.toxics()).toEqual([]);
  });
});
